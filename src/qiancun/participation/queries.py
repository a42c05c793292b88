"""Read helpers: coverage figures, rankings, the shop's daily reconciliation, a village's overview."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from qiancun.regions.models import Region

from .choices import EntryKind, StockKind
from .models import (
    Goods,
    Household,
    HouseholdGroup,
    LedgerEntry,
    PointsAccount,
    Rating,
    RatingRound,
    Redemption,
    StockMove,
    Venue,
    VenueActivity,
)

ACTIVE_DAYS = 90
EARNING_KINDS = [EntryKind.AWARD, EntryKind.CORRECTION]


def percent(part: int, whole: int) -> int | None:
    return round(100 * part / whole) if whole else None


@dataclass
class Coverage:
    households: int
    grouped: int
    rated: int
    latest_round: RatingRound | None
    postings_90d: int
    redemptions_90d: int
    activities_90d: int

    @property
    def group_percent(self):
        return percent(self.grouped, self.households)

    @property
    def rating_percent(self):
        return percent(self.rated, self.households)


def since(days: int = ACTIVE_DAYS) -> datetime:
    return timezone.now() - timedelta(days=days)


def village_coverage(village_code: str) -> Coverage:
    households = Household.objects.filter(village_id=village_code)
    latest = RatingRound.objects.filter(village_id=village_code).order_by("-starts_on", "-id").first()
    return Coverage(
        households=households.count(),
        grouped=households.filter(group__isnull=False).count(),
        rated=Rating.objects.filter(round=latest).count() if latest else 0,
        latest_round=latest,
        postings_90d=LedgerEntry.objects.filter(village_id=village_code, kind=EntryKind.AWARD, created_at__gte=since()).count(),
        redemptions_90d=Redemption.objects.filter(village_id=village_code, created_at__gte=since()).count(),
        activities_90d=VenueActivity.objects.filter(village_id=village_code, held_on__gte=timezone.localdate() - timedelta(days=ACTIVE_DAYS)).count(),
    )


def region_rows(region: Region, user) -> list[dict]:
    """Coverage per village under a region (only villages with households), in a handful of grouped queries."""
    prefix = region.code
    villages = Household.objects.for_user(user).within(prefix).values("village_id").annotate(
        households=Count("id"), grouped=Count("id", filter=Q(group__isnull=False)))
    rows = {v["village_id"]: {**v, "rated": 0, "postings_90d": 0, "redemptions_90d": 0, "activities_90d": 0} for v in villages}
    latest = {}
    for r in RatingRound.objects.within(prefix).filter(village_id__in=rows).order_by("village_id", "-starts_on", "-id").values("village_id", "id"):
        latest.setdefault(r["village_id"], r["id"])
    for r in Rating.objects.filter(round_id__in=latest.values()).values("round__village_id").annotate(n=Count("id")):
        rows[r["round__village_id"]]["rated"] = r["n"]
    for r in LedgerEntry.objects.within(prefix).filter(kind=EntryKind.AWARD, created_at__gte=since()).values("village_id").annotate(n=Count("id")):
        if r["village_id"] in rows:
            rows[r["village_id"]]["postings_90d"] = r["n"]
    for r in Redemption.objects.within(prefix).filter(created_at__gte=since()).values("village_id").annotate(n=Count("id")):
        if r["village_id"] in rows:
            rows[r["village_id"]]["redemptions_90d"] = r["n"]
    for r in VenueActivity.objects.within(prefix).filter(held_on__gte=timezone.localdate() - timedelta(days=ACTIVE_DAYS)).values("village_id").annotate(n=Count("id")):
        if r["village_id"] in rows:
            rows[r["village_id"]]["activities_90d"] = r["n"]
    names = dict(Region.objects.filter(code__in=rows).values_list("code", "name"))
    out = []
    for code in sorted(rows):
        row = rows[code]
        row.update(code=code, name=names.get(code, code), group_percent=percent(row["grouped"], row["households"]),
                   rating_percent=percent(row["rated"], row["households"]))
        out.append(row)
    return out


def totals(rows: list[dict]) -> dict:
    households = sum(r["households"] for r in rows)
    grouped = sum(r["grouped"] for r in rows)
    rated = sum(r["rated"] for r in rows)
    return {
        "villages": len(rows), "households": households, "group_percent": percent(grouped, households),
        "rating_percent": percent(rated, households),
        "bank_active": sum(1 for r in rows if r["postings_90d"]), "shop_active": sum(1 for r in rows if r["redemptions_90d"]),
        "venues_active": sum(1 for r in rows if r["activities_90d"]),
    }


def month_range(month: str | None) -> tuple[datetime, datetime] | None:
    """'2022-05' → that month's start and end (local time); None for all time."""
    if not month:
        return None
    try:
        year, mon = (int(p) for p in month.split("-"))
        start = date(year, mon, 1)
    except ValueError:
        return None
    end = date(year + (mon == 12), mon % 12 + 1, 1)
    tz = timezone.get_current_timezone()
    return datetime.combine(start, time.min, tz), datetime.combine(end, time.min, tz)


def ranking(village_code: str, *, month: str | None = None, group_id: int | None = None, limit: int = 100) -> list[dict]:
    """Households by points earned (deeds and their corrections; redemptions do not lower a rank)."""
    entries = LedgerEntry.objects.filter(village_id=village_code, kind__in=EARNING_KINDS)
    span = month_range(month)
    if span:
        entries = entries.filter(created_at__gte=span[0], created_at__lt=span[1])
    if group_id:
        entries = entries.filter(household__group_id=group_id)
    rows = list(entries.values("household_id", "household__head_name", "household__number", "household__group__name")
                .annotate(points=Sum("points")).order_by("-points", "household__number")[:limit])
    rank, previous = 0, None
    for index, row in enumerate(rows, start=1):
        if row["points"] != previous:
            rank, previous = index, row["points"]
        row["rank"] = rank
    return rows


@dataclass
class Statement:
    balance: int
    entries: list


def statement(household_id: int, *, limit: int = 20) -> Statement:
    """A household's balance and its latest entries (the farmer's page, the counter): two indexed reads."""
    balance = PointsAccount.objects.filter(household_id=household_id).values_list("balance", flat=True).first() or 0
    entries = list(LedgerEntry.objects.filter(household_id=household_id).order_by("-created_at", "-id")[:limit])
    return Statement(balance, entries)


def household_rank(household: Household) -> int | None:
    earned = LedgerEntry.objects.filter(household=household, kind__in=EARNING_KINDS).aggregate(s=Sum("points"))["s"]
    if earned is None:
        return None
    better = (LedgerEntry.objects.filter(village_id=household.village_id, kind__in=EARNING_KINDS)
              .values("household_id").annotate(s=Sum("points")).filter(s__gt=earned).count())
    return better + 1


def reconciliation(village_code: str, day: date) -> dict:
    """The shop's day: points issued and redeemed, stock in and out per article, closing stock."""
    tz = timezone.get_current_timezone()
    start, end = datetime.combine(day, time.min, tz), datetime.combine(day + timedelta(days=1), time.min, tz)
    ledger = LedgerEntry.objects.filter(village_id=village_code, created_at__gte=start, created_at__lt=end)
    issued = ledger.filter(kind__in=EARNING_KINDS).aggregate(s=Sum("points"))["s"] or 0
    redeemed = -(ledger.filter(kind=EntryKind.REDEMPTION).aggregate(s=Sum("points"))["s"] or 0)
    moves = StockMove.objects.filter(village_id=village_code, created_at__gte=start, created_at__lt=end)
    after = StockMove.objects.filter(village_id=village_code, created_at__gte=end).values("goods_id").annotate(q=Sum("quantity"))
    later = {r["goods_id"]: r["q"] for r in after}
    per_goods = {}
    for g in Goods.objects.filter(village_id=village_code):
        per_goods[g.pk] = {"goods": g, "purchased": 0, "donated": 0, "redeemed": 0, "closing": g.stock - later.get(g.pk, 0)}
    for r in moves.values("goods_id", "kind").annotate(q=Sum("quantity")):
        key = {StockKind.PURCHASE: "purchased", StockKind.DONATION: "donated", StockKind.REDEMPTION: "redeemed"}[r["kind"]]
        per_goods[r["goods_id"]][key] = abs(r["q"])
    redemptions = Redemption.objects.filter(village_id=village_code, created_at__gte=start, created_at__lt=end)
    return {
        "day": day, "points_issued": issued, "points_redeemed": redeemed, "redemptions": redemptions.count(),
        "receipts_points": redemptions.aggregate(s=Sum("total_points"))["s"] or 0,
        "goods": list(per_goods.values()),
        "balanced": redeemed == (redemptions.aggregate(s=Sum("total_points"))["s"] or 0),
    }


def outstanding_points(village_code: str) -> int:
    return PointsAccount.objects.filter(household__village_id=village_code).aggregate(s=Sum("balance"))["s"] or 0


def find_households(village_code: str, text: str, group_id: int | None = None, limit: int = 20):
    """At the counter: by group, name, household number or the last four of an ID number."""
    qs = Household.objects.filter(village_id=village_code).select_related("group", "account")
    if group_id:
        qs = qs.filter(group_id=group_id)
    text = (text or "").strip()
    if text:
        cond = Q(head_name__contains=text) | Q(number=text) | Q(members__name__contains=text)
        if len(text) == 4 and (text[:3].isdigit()):
            cond |= Q(members__id_masked__endswith=text.upper())
        qs = qs.filter(cond).distinct()
    return qs.order_by("number")[:limit]


def venue_summary(village_code: str):
    return Venue.objects.filter(village_id=village_code).annotate(
        activity_count=Count("activities"),
        recent=Count("activities", filter=Q(activities__held_on__gte=timezone.localdate() - timedelta(days=ACTIVE_DAYS))),
    )


def groups_with_counts(village_code: str):
    return HouseholdGroup.objects.filter(village_id=village_code).select_related("leader").annotate(n=Count("households"))


