"""Read helpers for standards. Standards are province-wide: every role reads every version."""

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, Sum

from .choices import IndicatorKind
from .models import Indicator, Standard

_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """9 → 九, 12 → 十二, 20 → 二十 (for 九有六无-style headings)."""
    if n < 10:
        return _DIGITS[n]
    if n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + (_DIGITS[ones] if ones else "")
    return str(n)


def with_counts(queryset: QuerySet | None = None) -> QuerySet:
    """Standards annotated with have_count, must_not_count and total_weight."""
    queryset = Standard.objects.all() if queryset is None else queryset
    return queryset.annotate(
        have_count=Count("indicators", filter=Q(indicators__kind=IndicatorKind.HAVE)),
        must_not_count=Count("indicators", filter=Q(indicators__kind=IndicatorKind.MUST_NOT)),
        total_weight=Sum("indicators__weight"),
    )


def latest_for_year(year: int) -> Standard | None:
    """The newest version of the year's standard (what a new campaign would name)."""
    return Standard.objects.filter(year=year).order_by("-version").first()


def later_versions(standard: Standard) -> QuerySet:
    """Versions made from this one by 创建新版本."""
    return Standard.objects.filter(previous=standard).order_by("version")


@dataclass
class IndicatorGroup:
    kind: str
    heading: str  # 九有 / 六无
    label: str  # 必备项 / 不得出现
    indicators: list[Indicator]


def indicator_groups(standard: Standard) -> list[IndicatorGroup]:
    """The indicators split into 有 and 无, each in its order, headed like 九有 / 六无."""
    indicators = list(standard.indicators.order_by("order", "id"))
    haves = [i for i in indicators if i.kind == IndicatorKind.HAVE]
    must_nots = [i for i in indicators if i.kind == IndicatorKind.MUST_NOT]
    return [
        IndicatorGroup(IndicatorKind.HAVE, f"{chinese_number(len(haves))}有", "必备项，须全部具备", haves),
        IndicatorGroup(IndicatorKind.MUST_NOT, f"{chinese_number(len(must_nots))}无", "不得出现的问题", must_nots),
    ]


def short_name(standard: Standard) -> str:
    """九有六无 for the default; whatever the counts say for others."""
    groups = indicator_groups(standard)
    return groups[0].heading + groups[1].heading
