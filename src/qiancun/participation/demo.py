"""Demo data for `make demo`: ~300 households in each of 24 villages, with groups, two rating rounds,
a year of moral-bank points and love-supermarket redemptions, venues and their activities.

Small set-up (criteria, a few rules, proposals) goes through the actions. The bulk — 7,200 households,
their members, ratings, ~40,000 ledger entries and ~9,000 redemptions — is written with bulk_create along
a deliberately narrow path that keeps the ledger's invariants: each household's entries are generated in
time order, balance_after is the running sum, a redemption is only made when the running balance and the
goods' running stock cover it, and the balance row and stock end equal to the ledger and stock moves.
Personal data is encrypted and masked exactly as `clean_member` does.
"""

import random
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from qiancun.core.audit import record_audit
from qiancun.core.models import AuditAction
from qiancun.regions.models import Region

from . import personal_data as pd
from .choices import DonorKind, EntryKind, ProposalStatus, Relation, RoundPeriod, StockKind, VenueKind
from .models import (
    Goods,
    Household,
    HouseholdGroup,
    LedgerEntry,
    Member,
    PointsAccount,
    PointsProposal,
    PointsRule,
    Rating,
    RatingCriterion,
    RatingRound,
    Redemption,
    RedemptionLine,
    StockMove,
    Venue,
    VenueActivity,
)

VILLAGES = 24
HOUSEHOLDS = 300
SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂兰玉兰凤兰淑珍国华建国志强永刚海峰春梅丽华明辉振东福贵长春金凤德明宝山晓燕红梅立新"
RULES = [("义务清扫", 5), ("门前三包", 3), ("孝老爱亲", 10), ("志愿服务", 5), ("垃圾分类", 2), ("乱扔垃圾", -3), ("乱堆乱放", -5)]
GOODS = [("洗衣粉", "袋", 10), ("肥皂", "块", 5), ("毛巾", "条", 8), ("食用油", "桶", 60), ("大米", "袋", 80), ("牙膏", "支", 6), ("酱油", "瓶", 12), ("扫帚", "把", 15)]
CRITERIA = [("院落整洁", 30), ("室内卫生", 30), ("厕所卫生", 20), ("垃圾分类", 20)]
VENUES = [(VenueKind.CULTURE, "农村文化大院", ["文艺演出", "广场舞", "政策宣讲"]), (VenueKind.LIBRARY, "农家书屋", ["读书会", "借阅日"]),
          (VenueKind.SCIENCE, "科技小院", ["农技培训", "测土配方"])]


def _villages() -> list[Region]:
    chosen = list(Region.objects.filter(code__startswith="222401", level="village", village_type="rural").order_by("code")[:12])
    chosen += list(Region.objects.filter(code__startswith="2224", level="village", village_type="rural").exclude(code__startswith="222401").order_by("code")[:4])
    chosen += list(Region.objects.filter(code__startswith="2201", level="village", village_type="rural").order_by("code")[: VILLAGES - len(chosen)])
    return chosen


def _name(rng) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2])


def _at(day: date, rng) -> datetime:
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59)), timezone.get_current_timezone())


@transaction.atomic
def seed_participation(admin, password: str) -> None:
    """`password` is unused: the demo's village and county users come from seed_demo."""
    villages = _villages()
    if Household.objects.filter(village__in=villages).exists():
        return
    rng = random.Random(2022)
    today = timezone.localdate()
    year_ago = today - timedelta(days=365)
    for county in sorted({v.code[:6] for v in villages}):
        if not RatingCriterion.objects.filter(county_id=county).exists():
            RatingCriterion.objects.bulk_create([RatingCriterion(county_id=county, name=n, max_score=s, order=i) for i, (n, s) in enumerate(CRITERIA)])
    serial, used = 0, set()
    members, groups_of = [], {}
    for vi, village in enumerate(villages):
        groups = HouseholdGroup.objects.bulk_create([HouseholdGroup(village=village, name=f"第{i + 1}组") for i in range(HOUSEHOLDS // 10)])
        groups_of[village.code] = groups
        households = []
        # Some villages still have households outside any group, so coverage shows gaps.
        ungrouped = 0 if vi % 4 else rng.randint(10, 40)
        for n in range(HOUSEHOLDS):
            group = None if n >= HOUSEHOLDS - ungrouped else groups[n // 10]
            households.append(Household(village=village, number=f"{n + 1:03d}", head_name=_name(rng), address=f"{(n // 10) + 1}组{n % 10 + 1}号", group=group))
        households = Household.objects.bulk_create(households)
        PointsAccount.objects.bulk_create([PointsAccount(household=h) for h in households])
        for h in households:
            people = [(h.head_name, Relation.HEAD, 1950 + rng.randint(0, 40))]
            people.append((h.head_name[0] + rng.choice(GIVEN[1::2]) + rng.choice(GIVEN[::2]), Relation.SPOUSE, people[0][2] + rng.randint(-3, 3)))
            if rng.random() < 0.6:
                people.append((h.head_name[0] + rng.choice(GIVEN[::2]) + rng.choice(GIVEN[1::2]), Relation.CHILD, people[0][2] + rng.randint(20, 30)))
            for name, relation, born in people:
                serial += 1
                number = ""
                while not number or number in used:
                    number = pd.with_check_digit(f"{village.code[:6]}{born}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}")
                used.add(number)
                phone = f"13{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}" if relation != Relation.CHILD else ""
                members.append(Member(household=h, name=name, relation=relation, id_cipher=pd.encrypt(number), id_hash=pd.lookup_hash(number),
                                      id_masked=pd.mask_id(number), phone_cipher=pd.encrypt(phone), phone_hash=pd.lookup_hash(phone),
                                      phone_masked=pd.mask_phone(phone)))
    Member.objects.bulk_create(members, batch_size=5000)
    heads = {m.household_id: m.pk for m in Member.objects.filter(household__village__in=villages, relation=Relation.HEAD).only("id", "household_id")}
    for village in villages:
        for group in groups_of[village.code]:
            first = Household.objects.filter(group=group).order_by("number").values_list("pk", flat=True).first()
            group.leader_id = heads.get(first)
        HouseholdGroup.objects.bulk_update(groups_of[village.code], ["leader"])

    _ratings(villages, rng, today)
    _bank_and_shop(villages, rng, today, year_ago)
    _venues(villages, rng, today, year_ago)
    _pending_proposals(villages, rng)
    record_audit(AuditAction.IMPORT, acting_user=admin, object_type="participation.household", object_repr="演示数据：农民参与",
                 changes={"added": Household.objects.filter(village__in=villages).count()})


def _ratings(villages, rng, today):
    q_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    previous_end = q_start - timedelta(days=1)
    previous_start = date(previous_end.year, 3 * ((previous_end.month - 1) // 3) + 1, 1)
    rounds, ratings = [], []
    for vi, village in enumerate(villages):
        criteria = list(RatingCriterion.objects.filter(county_id=village.code[:6], is_active=True))
        older = RatingRound(village=village, name=f"{previous_start.year}年第{(previous_start.month - 1) // 3 + 1}季度干净人家评选", period=RoundPeriod.QUARTERLY,
                            starts_on=previous_start, ends_on=previous_end, pass_score=80, published_at=_at(previous_end, rng))
        latest = RatingRound(village=village, name=f"{q_start.year}年第{(q_start.month - 1) // 3 + 1}季度干净人家评选", period=RoundPeriod.QUARTERLY,
                             starts_on=q_start, ends_on=min(today, q_start + timedelta(days=89)), pass_score=80)
        rounds += [older, latest]
        older.save(), latest.save()
        households = list(Household.objects.filter(village=village).values_list("pk", flat=True))
        # The latest round is complete in most villages and still under way in some.
        share = 1.0 if vi % 3 else rng.uniform(0.5, 0.9)
        for rnd, part in ((older, households), (latest, households[: int(len(households) * share)])):
            for pk in part:
                scores = {str(c.pk): rng.randint(int(c.max_score * 0.55), c.max_score) for c in criteria}
                total = sum(scores.values())
                ratings.append(Rating(round=rnd, household_id=pk, scores=scores, total=total, is_clean=total >= rnd.pass_score))
    Rating.objects.bulk_create(ratings, batch_size=5000)


def _bank_and_shop(villages, rng, today, year_ago):
    entries, redemptions, lines, moves = [], [], [], []
    balances = {}
    days = (today - year_ago).days
    for village in villages:
        rules = PointsRule.objects.bulk_create([PointsRule(village=village, name=n, points=p) for n, p in RULES])
        goods = Goods.objects.bulk_create([Goods(village=village, name=n, unit=u, price_points=p, stock=0) for n, u, p in GOODS])
        stock = {}
        for g in goods:
            quantity = rng.randint(150, 300)
            donated = rng.random() < 0.4
            moves.append(StockMove(village=village, goods=g, kind=StockKind.DONATION if donated else StockKind.PURCHASE, quantity=quantity,
                                   donor_name=rng.choice(["延边农商银行", "县妇联", "爱心志愿者协会", "县供销社"]) if donated else "",
                                   donor_kind=rng.choice([DonorKind.COMPANY, DonorKind.DEPARTMENT, DonorKind.VOLUNTEER]) if donated else "",
                                   created_at=_at(year_ago, rng)))
            stock[g.pk] = quantity
        for h in Household.objects.filter(village=village).values_list("pk", "number"):
            pk, number = h
            events = sorted(rng.sample(range(1, days), rng.randint(3, 8)))
            balance = 0
            for i, day in enumerate(events):
                when = _at(year_ago + timedelta(days=day), rng)
                rule = rng.choice(rules)
                if balance + rule.points < 0:
                    rule = rules[0]
                balance += rule.points
                entries.append(LedgerEntry(village=village, household_id=pk, kind=EntryKind.AWARD, points=rule.points, balance_after=balance,
                                           reason=rule.name, rule=rule, idempotency_key=f"demo:{village.code}:{number}:{i}", created_at=when))
                if i % 3 == 2:
                    affordable = [g for g in goods if g.price_points <= balance and stock[g.pk] > 0]
                    if affordable:
                        g = rng.choice(affordable)
                        stock[g.pk] -= 1
                        balance -= g.price_points
                        redemption = Redemption(village=village, household_id=pk, total_points=g.price_points, created_at=when + timedelta(minutes=30),
                                                idempotency_key=f"demo-r:{village.code}:{number}:{i}")
                        redemptions.append((redemption, g, balance))
            balances[pk] = balance
        for g in goods:
            g.stock = stock[g.pk]
        Goods.objects.bulk_update(goods, ["stock"])
    created = Redemption.objects.bulk_create([r for r, _, _ in redemptions], batch_size=5000)
    for redemption, (_, g, balance) in zip(created, redemptions, strict=True):
        redemption.receipt_no = f"{timezone.localtime(redemption.created_at):%Y%m%d}-{redemption.pk:06d}"
        lines.append(RedemptionLine(redemption=redemption, goods=g, quantity=1, price_points=g.price_points))
        moves.append(StockMove(village_id=g.village_id, goods=g, kind=StockKind.REDEMPTION, quantity=-1, redemption=redemption, created_at=redemption.created_at))
        entries.append(LedgerEntry(village_id=g.village_id, household_id=redemption.household_id, kind=EntryKind.REDEMPTION, points=-g.price_points,
                                   balance_after=balance, reason=f"兑换 {g.name}×1", redemption=redemption,
                                   idempotency_key=f"redemption:{redemption.idempotency_key}", created_at=redemption.created_at))
    Redemption.objects.bulk_update(created, ["receipt_no"], batch_size=5000)
    RedemptionLine.objects.bulk_create(lines, batch_size=5000)
    StockMove.objects.bulk_create(moves, batch_size=5000)
    LedgerEntry.objects.bulk_create(entries, batch_size=5000)
    accounts = [PointsAccount(household_id=pk, balance=b) for pk, b in balances.items()]
    PointsAccount.objects.bulk_update(accounts, ["balance"], batch_size=5000)


def _venues(villages, rng, today, year_ago):
    activities = []
    for vi, village in enumerate(villages):
        kinds = VENUES if vi % 5 else VENUES[:2]
        venues = Venue.objects.bulk_create([Venue(village=village, kind=k, name=n) for k, n, _ in kinds])
        for venue, (_, _, topics) in zip(venues, kinds, strict=True):
            for _ in range(rng.randint(6, 14)):
                held = year_ago + timedelta(days=rng.randint(0, 364 if vi % 6 else 200))
                activities.append(VenueActivity(village=village, venue=venue, held_on=held, kind=rng.choice(topics),
                                                title=f"{rng.choice(topics)}活动", participants=rng.randint(12, 120)))
    VenueActivity.objects.bulk_create(activities, batch_size=5000)


def _pending_proposals(villages, rng):
    """A few proposals waiting for the committee in every village, as a group leader's list would bring."""
    proposals = []
    for village in villages:
        rules = list(PointsRule.objects.filter(village=village, points__gt=0))
        for pk in Household.objects.filter(village=village).order_by("?").values_list("pk", flat=True)[:6]:
            rule = rng.choice(rules)
            proposals.append(PointsProposal(village=village, household_id=pk, rule=rule, points=rule.points, reason=rule.name,
                                            occurred_on=timezone.localdate(), status=ProposalStatus.PROPOSED,
                                            idempotency_key=f"demo-p:{village.code}:{pk}"))
    PointsProposal.objects.bulk_create(proposals)


__all__ = ["seed_participation"]
