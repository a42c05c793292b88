"""Read helpers for the division tree. Callers pass querysets already scoped with for_user()."""

from django.db.models import Count

from .choices import LEVEL_ORDER, RegionLevel
from .models import Region


def counts_beneath(region: Region) -> dict[str, int]:
    """How many units of each level lie under a region: {"city": 9, "county": 69, …}."""
    rows = (
        Region.objects.within(region.code)
        .exclude(code=region.code)
        .values("level")
        .annotate(n=Count("code"))
        .order_by()
    )
    found = {row["level"]: row["n"] for row in rows}
    below = LEVEL_ORDER[LEVEL_ORDER.index(region.level) + 1 :]
    return {level: found.get(level, 0) for level in below}


def counts_beneath_labelled(region: Region) -> list[tuple[str, int]]:
    return [(RegionLevel(level).label, n) for level, n in counts_beneath(region).items()]


def breadcrumbs(region: Region, user) -> list[dict]:
    """Ancestors then the region itself; ancestors above the user's scope are shown but not linked."""
    ancestors = {r.code: r for r in Region.objects.filter(code__in=region.ancestor_codes)}
    scope = user.scope_code or ""
    trail = []
    for code in [*region.ancestor_codes, region.code]:
        node = ancestors.get(code, region if code == region.code else None)
        if node is None:
            continue
        trail.append({"code": code, "name": node.name, "linked": code.startswith(scope) and code != region.code})
    return trail


def search(queryset, text: str, limit: int = 50):
    """Find regions by Chinese name, full pinyin or pinyin initials (`jyx` → 靖宇县)."""
    from django.db.models import Q

    text = text.strip()
    if not text:
        return queryset.none()
    lowered = text.lower().replace(" ", "")
    condition = Q(name__contains=text)
    if lowered.isascii() and lowered.isalpha():
        condition |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
    elif text.isdigit():
        condition = Q(code__startswith=text)
    return queryset.filter(condition).order_by("code")[:limit]
