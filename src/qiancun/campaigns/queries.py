"""Read helpers for campaigns. Every function takes querysets or users and stays inside the scope."""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from qiancun.regions.choices import CHILD_LEVEL, CODE_LENGTH, RegionLevel
from qiancun.regions.models import Region

from . import rules
from .choices import EnrollmentStatus, ShortfallStatus, Track
from .lifecycle import ACTIVE_STATUSES, CONFIRMED_STATUSES
from .models import Enrollment, Quota

ACTIVE = Q(status__in=ACTIVE_STATUSES)
COUNTS = {
    "nominated": ACTIVE,
    "confirmed": Q(status__in=CONFIRMED_STATUSES),
    "accepted": Q(status=EnrollmentStatus.ACCEPTED),
    "consolidate": ACTIVE & Q(track=Track.CONSOLIDATE),
    "create": ACTIVE & Q(track=Track.CREATE),
    "upgrade": ACTIVE & Q(track=Track.UPGRADE),
    "key_border": ACTIVE & Q(village__is_key_border=True),
    "poverty": ACTIVE & Q(village__is_poverty_alleviated=True),
    "pending_review": Q(status=EnrollmentStatus.NOMINATED),
    "pending_confirm": Q(status=EnrollmentStatus.UNDER_REVIEW),
}


def _aggregates(enrollments) -> dict[str, Count]:
    return {name: Count("pk", filter=condition) for name, condition in COUNTS.items()}


def overview(campaign, region: Region, user) -> dict:
    """Targets/quotas against nominations, per child region of `region`, in one grouped query."""
    enrollments = Enrollment.objects.for_user(user).filter(campaign=campaign).within(region.code)
    totals = enrollments.aggregate(**_aggregates(enrollments))
    # The places the region has: the province's are what it has given the cities (its plan, to be at least
    # the target); a city's or county's are its quota (None until the level above gives it one).
    if region.level == RegionLevel.PROVINCE:
        planned = Quota.objects.filter(campaign=campaign, region__level=RegionLevel.CITY).aggregate(**{k: Sum(k) for k in rules.KINDS})
        allocated = {key: value or 0 for key, value in planned.items()}
        short = rules.short_of_target(campaign, allocated)
    else:
        quota = Quota.objects.filter(campaign=campaign, region=region).first()
        allocated = rules.values_of(quota) if quota else None
        short = None
    rows = []
    child_level = CHILD_LEVEL.get(region.level)
    if child_level and child_level != RegionLevel.VILLAGE:
        width = CODE_LENGTH[child_level]
        grouped = {
            row["child"]: row
            for row in enrollments.annotate(child=Substr("village_id", 1, width)).values("child").annotate(**_aggregates(enrollments)).order_by()
        }
        quotas = {q.region_id: q for q in Quota.objects.filter(campaign=campaign, region__parent=region)}
        for child in Region.objects.for_user(user).filter(parent=region).order_by("code"):
            counts = grouped.get(child.code, {})
            rows.append({
                "region": child,
                "quota": quotas.get(child.code),
                "drillable": child_level in (RegionLevel.CITY, RegionLevel.COUNTY),
                **{name: counts.get(name, 0) for name in COUNTS},
            })
    return {
        "region": region, "target": rules.targets(campaign), "allocated": allocated, "short_of_target": short,
        "totals": totals, "rows": rows, "child_level": child_level,
    }


def quota_rows(campaign, region: Region, user) -> list[dict]:
    """The allocation table a province or city administrator fills in: quota and use per child."""
    quotas = {q.region_id: q for q in Quota.objects.filter(campaign=campaign, region__parent=region)}
    width = CODE_LENGTH[CHILD_LEVEL[region.level]]
    used = {
        row["child"]: row
        for row in Enrollment.objects.filter(campaign=campaign).within(region.code).annotate(child=Substr("village_id", 1, width))
        .values("child").annotate(**{k: Count("pk", filter=COUNTS[k]) for k in ("nominated", "key_border", "poverty")}).order_by()
    }
    return [
        {"region": child, "quota": quotas.get(child.code), "used": used.get(child.code, {})}
        for child in Region.objects.for_user(user).filter(parent=region).order_by("code")
    ]


def filter_enrollments(queryset, params):
    """Filters shared by the list page, the export and the API."""
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    if params.get("track"):
        queryset = queryset.filter(track=params["track"])
    tag = str(params.get("tag") or "")
    if tag.isdigit():
        queryset = queryset.filter(tags__pk=int(tag))
    if params.get("region"):
        queryset = queryset.within(params["region"])
    if params.get("key_border") in ("1", "true", True):
        queryset = queryset.filter(village__is_key_border=True)
    if params.get("poverty") in ("1", "true", True):
        queryset = queryset.filter(village__is_poverty_alleviated=True)
    if params.get("q"):
        queryset = queryset.filter(Q(village__name__contains=params["q"]) | Q(village__code__startswith=params["q"]))
    return queryset.distinct() if tag.isdigit() else queryset


def shortfall_progress(enrollment) -> dict:
    """A village's progress: the share of its listed gaps that are closed."""
    counts = enrollment.shortfalls.aggregate(total=Count("pk"), closed=Count("pk", filter=Q(status=ShortfallStatus.CLOSED)))
    total, closed = counts["total"], counts["closed"]
    return {"total": total, "closed": closed, "percent": round(100 * closed / total) if total else None}


def region_names(codes) -> dict[str, str]:
    """Names of the city, county and township above each village code, in one query."""
    wanted = {code[:n] for code in codes for n in (4, 6, 9)}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
