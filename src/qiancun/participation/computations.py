"""The standard's participation indicators, computed from the village's own data (seed §二 6:
全覆盖开展“干净人家”评选、建立“道德银行”“爱心超市”、“十户一组”、发挥文化大院、农家书屋和科技小院作用)."""

from qiancun.standards.choices import Verdict
from qiancun.standards.computations import ComputedResult, register

from .choices import VenueKind
from .models import Goods, Venue
from .queries import ACTIVE_DAYS, village_coverage

FULL = 100


@register("ten_household_group_coverage", label="“十户一组”全覆盖")
def ten_household_group_coverage(village, campaign) -> ComputedResult:
    c = village_coverage(village.code)
    if not c.households:
        return ComputedResult(Verdict.NOT_MET, "尚未登记农户")
    text = f"{c.households} 户中 {c.grouped} 户已编入十户一组（{c.group_percent}%）"
    return ComputedResult(Verdict.MET if c.grouped == c.households else Verdict.NOT_MET, text)


@register("clean_household_rating_coverage", label="“干净人家”评选全覆盖")
def clean_household_rating_coverage(village, campaign) -> ComputedResult:
    c = village_coverage(village.code)
    if not c.households:
        return ComputedResult(Verdict.NOT_MET, "尚未登记农户")
    if c.latest_round is None:
        return ComputedResult(Verdict.NOT_MET, "尚未开展干净人家评选")
    text = f"最近一轮“{c.latest_round.name}”评了 {c.rated}/{c.households} 户（{c.rating_percent}%）"
    return ComputedResult(Verdict.MET if c.rated >= c.households else Verdict.NOT_MET, text)


@register("moral_bank_in_operation", label="“道德银行”运行中（近90天有积分入账）")
def moral_bank_in_operation(village, campaign) -> ComputedResult:
    c = village_coverage(village.code)
    if c.postings_90d:
        return ComputedResult(Verdict.MET, f"近 {ACTIVE_DAYS} 天入账 {c.postings_90d} 笔积分")
    return ComputedResult(Verdict.NOT_MET, f"近 {ACTIVE_DAYS} 天没有积分入账")


@register("love_supermarket_in_operation", label="“爱心超市”运行中（有在架商品、近90天有兑换）")
def love_supermarket_in_operation(village, campaign) -> ComputedResult:
    c = village_coverage(village.code)
    goods = Goods.objects.filter(village_id=village.code, is_active=True, stock__gt=0).count()
    text = f"在架有库存商品 {goods} 种，近 {ACTIVE_DAYS} 天兑换 {c.redemptions_90d} 笔"
    return ComputedResult(Verdict.MET if goods and c.redemptions_90d else Verdict.NOT_MET, text)


@register("venues_active", label="文化大院、农家书屋、科技小院发挥作用（近90天有活动）")
def venues_active(village, campaign) -> ComputedResult:
    from datetime import timedelta

    from django.utils import timezone

    recent = timezone.localdate() - timedelta(days=ACTIVE_DAYS)
    kinds = set(Venue.objects.filter(village_id=village.code, activities__held_on__gte=recent).values_list("kind", flat=True))
    if not Venue.objects.filter(village_id=village.code).exists():
        return ComputedResult(Verdict.NOT_MET, "尚未登记文化大院、农家书屋或科技小院")
    shown = "、".join(VenueKind(k).label for k in VenueKind.values if k in kinds) or "无"
    return ComputedResult(Verdict.MET if kinds else Verdict.NOT_MET, f"近 {ACTIVE_DAYS} 天有活动的阵地：{shown}")
