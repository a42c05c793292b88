"""Read helpers for the division tree. Callers pass querysets already scoped with for_user()."""

import json

from django.db.models import Count, FloatField, Q
from django.db.models.functions import Cast

from qiancun.core.bulk import fetch_rows

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


# ---------------------------------------------------------------- the village map

_LOCATED = Q(longitude__isnull=False, latitude__isnull=False)


def located_villages(user):
    return Region.objects.for_user(user).filter(_LOCATED, level=RegionLevel.VILLAGE)


def unlocated_villages(user):
    """Villages in the scope without a position (未标注位置): listed under the map so they get one."""
    return Region.objects.for_user(user).filter(level=RegionLevel.VILLAGE).exclude(_LOCATED)


def village_geojson(user, campaign=None) -> bytes:
    """Every located village in the user's scope as a GeoJSON FeatureCollection (UTF-8 bytes), with each
    village's enrollment status in `campaign` when one is given (null when it is not enrolled).

    The province's 11,860 villages must come out in well under a second, so no model instances: one
    `values_list` with the coordinates cast to floats in the database (no Decimal per value), one for
    the statuses, one count of the villages without a position; plain dicts, one `json.dumps`.
    """
    statuses = {}
    if campaign is not None:
        from qiancun.campaigns.models import Enrollment

        statuses = dict(Enrollment.objects.for_user(user).filter(campaign=campaign).values_list("village_id", "status").order_by())
    rows = (
        located_villages(user).order_by("code")
        .annotate(lon=Cast("longitude", FloatField()), lat=Cast("latitude", FloatField()))
        .values_list("code", "name", "village_type", "is_key_border", "is_poverty_alleviated", "lon", "lat")
    )
    # Rows straight from the cursor: Django's per-value converters cost three times the query on 11,860 rows.
    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
         "properties": {"code": code, "name": name, "type": village_type, "key_border": bool(key_border), "poverty": bool(poverty),
                        "status": statuses.get(code)}}
        for code, name, village_type, key_border, poverty, lon, lat in fetch_rows(rows)
    ]
    collection = {
        "type": "FeatureCollection",
        # Foreign members (RFC 7946 §6.1): what the map legend and the "未标注位置" count need.
        "campaign": campaign.year if campaign is not None else None,
        "unlocated": unlocated_villages(user).count(),
        "features": features,
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()
