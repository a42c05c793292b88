"""What quotas (名额) mean, in one place: the actions enforce these rules and `quota_problems` checks them
over a whole campaign (the demo's test runs it over everything `demo.py` seeds).

A quota is the number of villages a region may put forward: a ceiling on nominations. The campaign's
targets are minimums (“1000 个以上，其中重点边境村 119 个、脱贫村 295 个”): the province plans its
places so that the cities' quotas together reach the targets, and may give more; the target never caps
anything. Below the province places nest: the counties' quotas of a city never add up past the city's,
and a county nominates within its quota. Total, key-border and poverty-alleviated places follow the
same rule: a county nominates a key-border village only while it has a key-border place left, and
likewise for a poverty-alleviated one. No quota drops below what it has already given out or what is
already nominated under it (a returned nomination frees its place; resubmitting takes one again).
"""

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from qiancun.core.errors import DomainError, ValidationFailed
from qiancun.regions.choices import RegionLevel

from .lifecycle import ACTIVE_STATUSES

KINDS = ("total", "key_border", "poverty")
LABELS = {"total": "示范村", "key_border": "重点边境村", "poverty": "脱贫村"}
TARGET_OF = {"total": "target_total", "key_border": "target_key_border", "poverty": "target_poverty"}
VILLAGE_FLAG = {"key_border": "is_key_border", "poverty": "is_poverty_alleviated"}

# Shown on the overview and the allocation page: the rule in one sentence.
RULE_SENTENCE = (
    "名额是可提名村数的上限：省级分配给各市的名额合计须达到全省目标（目标是下限，名额可以多于目标），"
    "各县名额合计不超过本市名额，各县提名的示范村及其中的重点边境村、脱贫村分别不超过本县相应名额。"
)


def values_of(obj) -> dict[str, int]:
    return {key: getattr(obj, key) for key in KINDS}


def targets(campaign) -> dict[str, int]:
    return {key: getattr(campaign, TARGET_OF[key]) for key in KINDS}


def short_of_target(campaign, planned: dict[str, int]) -> dict[str, int]:
    """How many places the province still has to give out before its plan reaches each target (0 = reached)."""
    return {key: max(0, getattr(campaign, TARGET_OF[key]) - planned.get(key, 0)) for key in KINDS}


def describe(values: dict[str, int] | None, *, skip_zero: bool = False) -> str:
    """“示范村 1000 个、重点边境村 119 个、脱贫村 295 个” (the numbers the pages print)."""
    if values is None:
        return "尚未分配"
    parts = [f"{LABELS[key]} {values[key]} 个" for key in KINDS if values[key] or not skip_zero]
    return "、".join(parts)


# ---------------------------------------------------------------- the rules the actions enforce


def check_parts_within_total(values: dict[str, int], where: str = "") -> None:
    for key in ("key_border", "poverty"):
        if values[key] > values["total"]:
            raise ValidationFailed(f"{where}{LABELS[key]}名额 {values[key]} 个不能超过示范村名额 {values['total']} 个", field=key)


def check_fits_parent(values: dict[str, int], others: dict[str, int], parent: dict[str, int], parent_name: str, where: str = "") -> None:
    """A county's places, with its sibling counties', stay within the city's."""
    for key in KINDS:
        if others[key] + values[key] > parent[key]:
            raise ValidationFailed(
                f"{where}{LABELS[key]}名额超出{parent_name}的名额：已分配其他单位 {others[key]} 个，本次 {values[key]} 个，"
                f"合计 {others[key] + values[key]} 个，{parent_name}共 {parent[key]} 个",
                field=key,
            )


def check_covers(values: dict[str, int], given_out: dict[str, int], used: dict[str, int], where: str = "") -> None:
    """A quota never drops below what it has passed down, nor below what is nominated under it."""
    for key in KINDS:
        if values[key] < given_out[key]:
            raise ValidationFailed(f"{where}{LABELS[key]}名额 {values[key]} 个少于已分配给下级的 {given_out[key]} 个", field=key)
        if values[key] < used[key]:
            raise ValidationFailed(f"{where}{LABELS[key]}名额 {values[key]} 个少于已提名的 {used[key]} 个", field=key)


def check_place_left(quota: dict[str, int], used: dict[str, int], village, where: str = "本县") -> None:
    """One more village fits: a place of every kind the village counts in."""
    if used["total"] + 1 > quota["total"]:
        raise ValidationFailed(f"{where}示范村名额 {quota['total']} 个已用完，不能再提名（可请市级调增名额）", field="village")
    for key, flag in VILLAGE_FLAG.items():
        if getattr(village, flag) and used[key] + 1 > quota[key]:
            raise ValidationFailed(
                f"{village.name}是{LABELS[key]}，{where}{LABELS[key]}名额 {quota[key]} 个已用完，不能再提名（可请市级调增名额）",
                field="village",
            )


# ---------------------------------------------------------------- the same rules over a whole campaign


def _used_by_prefix(campaign, width: int) -> dict[str, dict[str, int]]:
    from .models import Enrollment

    rows = (
        Enrollment.objects.filter(campaign=campaign, status__in=ACTIVE_STATUSES)
        .annotate(unit=Substr("village_id", 1, width)).values("unit")
        .annotate(total=Count("pk"), key_border=Count("pk", filter=Q(village__is_key_border=True)),
                  poverty=Count("pk", filter=Q(village__is_poverty_alleviated=True)))
        .order_by()
    )
    return {row["unit"]: {key: row[key] for key in KINDS} for row in rows}


def quota_problems(campaign) -> list[str]:
    """Every place where the campaign's quotas and nominations break a rule above, one line each (empty: all hold).

    Runs the same checks the actions run when a quota is set or a village nominated, over what is stored.
    """
    from .models import Quota

    zero = dict.fromkeys(KINDS, 0)
    quotas = {q.region_id: q for q in Quota.objects.filter(campaign=campaign).select_related("region")}
    used = {**_used_by_prefix(campaign, 4), **_used_by_prefix(campaign, 6)}
    problems = []

    def attempt(check, *args, **kwargs):
        try:
            check(*args, **kwargs)
        except DomainError as exc:
            problems.append(exc.message)

    given_out: dict[str, dict[str, int]] = {}
    for code, quota in quotas.items():
        if quota.region.level == RegionLevel.COUNTY:
            sums = given_out.setdefault(code[:4], dict(zero))
            for key in KINDS:
                sums[key] += getattr(quota, key)
    for code, quota in sorted(quotas.items()):
        where = f"{quota.region.name}："
        values = values_of(quota)
        attempt(check_parts_within_total, values, where)
        attempt(check_covers, values, given_out.get(code, zero), used.get(code, zero), where)
        if quota.region.level == RegionLevel.COUNTY:
            parent = quotas.get(code[:4])
            if parent is None:
                problems.append(f"{where}所在市尚未获得名额，却已有县级名额")
            else:
                others = {key: given_out[code[:4]][key] - values[key] for key in KINDS}
                attempt(check_fits_parent, values, others, values_of(parent), parent.region.name, where)
    for unit in sorted(used):
        if unit not in quotas and any(used[unit].values()):
            problems.append(f"{unit}：没有名额却有 {used[unit]['total']} 个提名")
    planned = Quota.objects.filter(campaign=campaign, region__level=RegionLevel.CITY).aggregate(**{key: Sum(key) for key in KINDS})
    for key, missing in short_of_target(campaign, {k: v or 0 for k, v in planned.items()}).items():
        if missing:
            problems.append(f"各市{LABELS[key]}名额合计比全省目标少 {missing} 个")
    return problems
