"""Demo campaigns on the real Jilin tree, built only through the actions (used by `seed_demo`).

2021: 1,000 villages named the year before (the consolidate/upgrade pool). 2022: the work plan's
targets (1000 以上 / 119 / 295), realistic tags, and statuses from nominated to confirmed.
The demo keeps every rule the platform enforces (`rules.quota_problems` finds nothing, a test checks):
each county gets its share of the targets and about a fifth more places (at least one more while it
has villages left), its city what its counties get, so the province gives out more than the targets (a
target is a minimum); each county nominates its share — key-border and poverty-alleviated villages
within those places — so every county with villages left still has places to nominate in 2022. Every step carries a date of its campaign year (the actions read
`timezone.now()`, moved for each step), so timelines read as the work was done.
Deterministic: the same database always gets the same demo.
"""

import random
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from qiancun.accounts.actions import do_create_user
from qiancun.accounts.models import User
from qiancun.regions.actions import do_update_village
from qiancun.regions.choices import BORDER_COUNTIES, RegionLevel
from qiancun.regions.models import Region
from qiancun.standards.models import Standard

from . import actions, rules
from .choices import EnrollmentStatus, TagKind, Track
from .models import Campaign, Enrollment, Quota, Tag

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADROOM = 1.2  # a county's places per place of its share of the target: room to nominate more


@dataclass(frozen=True)
class Calendar:
    """When a campaign year's work happens (nominations in spring, the province confirms before the self-checks)."""

    starts_on: date
    ends_on: date
    nominations_from: date
    nomination_days: int
    confirmations_from: date
    confirmation_days: int


CALENDARS = {
    2021: Calendar(date(2021, 3, 1), date(2021, 12, 31), date(2021, 3, 8), 45, date(2021, 5, 10), 20),
    2022: Calendar(date(2022, 3, 1), date(2022, 12, 31), date(2022, 3, 7), 40, date(2022, 5, 5), 14),
}


@contextmanager
def _at(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _during(day: date, rng: random.Random) -> datetime:
    """A moment in office hours on `day`, Beijing time."""
    return datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=SHANGHAI)


def _largest_remainder(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split `total` in proportion to `weights`, whole numbers that add up exactly."""
    weight_sum = sum(weights.values())
    if weight_sum == 0 or total == 0:
        return {key: 0 for key in weights}
    raw = {key: total * w / weight_sum for key, w in weights.items()}
    shares = {key: int(value) for key, value in raw.items()}
    for key in sorted(raw, key=lambda k: raw[k] - shares[k], reverse=True)[: total - sum(shares.values())]:
        shares[key] += 1
    return shares


def _officer(role: str, region: Region, admin: User, password: str) -> User:
    username = f"{role}_{region.code}"
    user = User.objects.filter(username=username).first()
    if user is None:
        user, _ = do_create_user(
            acting_user=admin, username=username, display_name=f"{region.name}{'管理员' if role == 'admin' else '工作人员'}",
            role=role, scope_code=region.code,
        )
        user.set_password(password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
    return user


def _flag_villages(rng: random.Random, admin: User) -> None:
    rural = list(Region.objects.filter(level=RegionLevel.VILLAGE, village_type="rural").order_by("code"))
    border_pool = [v for v in rural if v.code[:6] in BORDER_COUNTIES]
    for village in rng.sample(border_pool, 160):
        do_update_village(village, acting_user=admin, is_key_border=True)
    others = [v for v in rural if v.code[:6] not in BORDER_COUNTIES]
    for village in rng.sample(others, 380) + rng.sample(border_pool, 40):
        do_update_village(village, acting_user=admin, is_poverty_alleviated=True)


def _split(total: int, key_border: int, poverty: int, weights: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Border and poverty places where those villages are; the rest in proportion to rural villages.

    A unit's total is its border places + poverty places + its share of the rest, so every unit
    can fill its sub-quotas inside its total.
    """
    border = _largest_remainder(key_border, weights["key_border"])
    poor = _largest_remainder(poverty, weights["poverty"])
    rest = _largest_remainder(total - key_border - poverty, weights["total"])
    return {k: {"total": border[k] + poor[k] + rest[k], "key_border": border[k], "poverty": poor[k]} for k in weights["total"]}


def _weights(units: list[str], prefix: str) -> dict[str, dict[str, int]]:
    """Rural villages per unit: all, key-border and poverty-alleviated."""
    villages = Region.objects.filter(level=RegionLevel.VILLAGE, village_type="rural", code__startswith=prefix)
    width = len(units[0])
    result = {}
    for key, flag in (("total", None), ("key_border", "is_key_border"), ("poverty", "is_poverty_alleviated")):
        counts = dict.fromkeys(units, 0)
        for code in villages.filter(**({flag: True} if flag else {})).values_list("code", flat=True):
            if code[:width] in counts:
                counts[code[:width]] += 1
        result[key] = counts
    return result


def _with_room(share: dict[str, int], available: dict[str, int]) -> dict[str, int]:
    """A county's places: its share of the target and about a fifth more — at least one more of each kind
    while it has villages of that kind left — never more than it has villages."""
    places = {}
    for key in rules.KINDS:
        room = max(1, round(share[key] * (HEADROOM - 1)))
        places[key] = max(share[key], min(available[key], share[key] + room))
    for key in ("key_border", "poverty"):
        places[key] = min(places[key], places["total"])
    return places


def _allocate(campaign: Campaign, admin: User, password: str) -> dict[str, dict[str, int]]:
    """Province → cities → counties; returns each county's share of the target, which it nominates in the demo.

    Each county gets its share and room to nominate more (`_with_room`); a city gets what its counties
    get, so the province gives out more than the targets (a target is a minimum).
    """
    target = rules.targets(campaign)
    cities = {c.code: c for c in Region.objects.filter(level=RegionLevel.CITY)}
    city_shares = _split(target["total"], target["key_border"], target["poverty"], _weights(list(cities), "22"))
    shares, places = {}, {}
    for code in cities:
        counties = [c.code for c in Region.objects.filter(parent_id=code)]
        weights = _weights(counties, code)
        share = city_shares[code]
        shares.update(_split(share["total"], share["key_border"], share["poverty"], weights))
        for county in counties:
            places[county] = _with_room(shares[county], {key: weights[key][county] for key in rules.KINDS})
    for code, city in cities.items():
        mine = {county: value for county, value in places.items() if county.startswith(code)}
        actions.do_set_quota(campaign, city, acting_user=admin, **{key: sum(p[key] for p in mine.values()) for key in rules.KINDS})
        city_admin = _officer("admin", city, admin, password)
        for county in Region.objects.filter(parent=city).order_by("code"):  # urban districts without villages get 0
            actions.do_set_quota(campaign, county, acting_user=city_admin, **mine[county.code])
    return shares


def _tags(rng: random.Random) -> list[int]:
    by_kind = {kind: list(Tag.objects.filter(kind=kind, is_active=True).values_list("pk", flat=True)) for kind in TagKind}
    chosen = [rng.choices(by_kind[TagKind.VILLAGE_CLASS], weights=[60, 25, 10, 5])[0]]
    if rng.random() < 0.2:
        chosen.append(rng.choice(by_kind[TagKind.THEME]))
    if rng.random() < 0.1:
        chosen.append(rng.choice(by_kind[TagKind.PILOT]))
    if rng.random() < 0.15:
        chosen.append(rng.choice(by_kind[TagKind.INDUSTRY]))
    return chosen


def _fill(campaign: Campaign, rng: random.Random, admin: User, password: str, shares: dict[str, dict[str, int]],
          prefer: set[str], avoid: set[str]) -> list[Enrollment]:
    """Each county nominates its share of the target: key-border villages, then poverty-alleviated, then others.

    A village may be both key-border and poverty-alleviated; it is taken only while both counts stay within the share.
    """
    calendar = CALENDARS[campaign.year]
    enrolled = []
    for quota in Quota.objects.filter(campaign=campaign, region__level=RegionLevel.COUNTY).select_related("region"):
        county = quota.region
        share = shares[county.code]
        staff = _officer("staff", county, admin, password)
        pool = list(Region.objects.filter(code__startswith=county.code, level=RegionLevel.VILLAGE, village_type="rural").order_by("code"))
        rng.shuffle(pool)
        pool.sort(key=lambda v: (v.code not in prefer, v.code in avoid))
        taken = dict.fromkeys(rules.KINDS, 0)
        picked = []
        passes = (
            lambda v: v.is_key_border,
            lambda v: v.is_poverty_alleviated and not v.is_key_border,
            lambda v: not v.is_key_border and not v.is_poverty_alleviated,
        )
        for wanted in passes:
            for village in pool:
                kinds = ["total"] + [key for key, flag in rules.VILLAGE_FLAG.items() if getattr(village, flag)]
                if wanted(village) and all(taken[key] < share[key] for key in kinds):
                    picked.append(village)
                    for key in kinds:
                        taken[key] += 1
        for village in picked:
            earlier = Enrollment.objects.filter(village=village, status=EnrollmentStatus.ACCEPTED, campaign__year__lt=campaign.year).exists()
            track = (Track.UPGRADE if rng.random() < 0.25 else Track.CONSOLIDATE) if earlier else Track.CREATE
            day = calendar.nominations_from + timedelta(days=rng.randint(0, calendar.nomination_days))
            with _at(_during(day, rng)):
                enrolled.append(actions.do_nominate(campaign, village, acting_user=staff, track=track, tag_ids=_tags(rng)))
    return enrolled


def _nominated_on(enrollment: Enrollment) -> date:
    return enrollment.created_at.astimezone(SHANGHAI).date()


def _review_day(enrollment: Enrollment, rng: random.Random) -> date:
    return _nominated_on(enrollment) + timedelta(days=rng.randint(2, 14))


def _confirm_day(campaign: Campaign, after: date, rng: random.Random) -> date:
    calendar = CALENDARS[campaign.year]
    return max(after + timedelta(days=1), calendar.confirmations_from + timedelta(days=rng.randint(0, calendar.confirmation_days)))


GAPS = [
    ("垃圾清运不及时，村内有积存垃圾", "增设保洁员，垃圾日产日清", "村委会主任"),
    ("村庄规划尚未报批", "委托规划单位完成实用性村庄规划并报县政府审批", "乡镇规划员"),
    ("农家书屋藏书不足、开放时间不固定", "县图书馆配送图书，明确专人管理", "村文书"),
    ("道路两侧柴草乱堆", "组织集中清理，设置柴草集中堆放点", "网格长"),
    ("“十户一组”未覆盖全部农户", "按居住片区补建小组，选定组长", "村党支部书记"),
    ("生活污水直排边沟", "建设村级污水收集设施", "乡镇环保员"),
]


def _shortfalls(enrollment: Enrollment, rng: random.Random, confirmed_on: date) -> None:
    staff = User.objects.get(username=f"staff_{enrollment.village_id[:6]}")
    indicators = list(enrollment.campaign.standard.indicators.all())
    year = enrollment.campaign.year
    for gap, plan, owner in rng.sample(GAPS, rng.randint(1, 3)):
        listed_on = confirmed_on + timedelta(days=rng.randint(1, 10))
        with _at(_during(listed_on, rng)):
            item = actions.do_add_shortfall(
                enrollment, acting_user=staff, gap=gap, action_plan=plan, responsible_person=owner,
                due_date=date(year, 6, 1) + timedelta(days=rng.randint(0, 120)), indicator_id=rng.choice(indicators).pk,
            )
        status = rng.choice(["open", "in_progress", "closed", "closed"])
        if status != "open":
            with _at(_during(listed_on + timedelta(days=rng.randint(5, 90)), rng)):
                actions.do_update_shortfall(item, acting_user=staff, status=status)


def _create(admin: User, standard: Standard, year: int, **fields) -> Campaign:
    calendar = CALENDARS[year]
    with _at(_during(calendar.starts_on, random.Random(year))):
        return actions.do_create_campaign(
            acting_user=admin, year=year, standard_id=standard.pk, starts_on=calendar.starts_on, ends_on=calendar.ends_on, **fields,
        )


def _allocated(campaign: Campaign, admin: User, password: str) -> dict[str, dict[str, int]]:
    with _at(_during(CALENDARS[campaign.year].starts_on + timedelta(days=3), random.Random(campaign.year))):
        return _allocate(campaign, admin, password)


def seed_campaigns(admin: User, password: str) -> None:
    if Campaign.objects.exists():
        return
    rng = random.Random(52)  # 吉政办函〔2022〕52号
    standard = Standard.objects.filter(year=2022).order_by("-version").first()
    # The accounts are made today, outside the campaign years' clock: a city administrator dated 2021
    # would find an expired password at the demo's first login.
    for city in Region.objects.filter(level=RegionLevel.CITY).order_by("code"):
        _officer("admin", city, admin, password)
    for county in Region.objects.filter(level=RegionLevel.COUNTY).order_by("code"):
        _officer("staff", county, admin, password)
    with _at(datetime(2021, 2, 22, 9, 0, tzinfo=SHANGHAI)):
        _flag_villages(rng, admin)

    c2021 = _create(admin, standard, 2021, name="2021年“千村示范”创建", target_total=1000, target_key_border=100,
                    target_poverty=250, document="2021年度创建工作方案")
    shares = _allocated(c2021, admin, password)
    for enrollment in _fill(c2021, rng, admin, password, shares, prefer=set(), avoid=set()):
        city_admin = User.objects.get(username=f"admin_{enrollment.village_id[:4]}")
        reviewed_on = _review_day(enrollment, rng)
        with _at(_during(reviewed_on, rng)):
            actions.do_review(enrollment, acting_user=city_admin, approve=True)
        confirmed_on = _confirm_day(c2021, reviewed_on, rng)
        with _at(_during(confirmed_on, rng)):
            actions.do_confirm(enrollment, acting_user=admin)
        if rng.random() < 0.3:
            _shortfalls(enrollment, rng, confirmed_on)
        with _at(_during(date(2021, 12, 1) + timedelta(days=rng.randint(0, 20)), rng)):
            actions.do_record_prior_acceptance(
                enrollment, acting_user=admin, accepted=rng.random() > 0.04, reason="2021年度验收结果（历史数据录入）"
            )
    with _at(datetime(2021, 6, 1, 9, 0, tzinfo=SHANGHAI)):
        actions.do_update_campaign(c2021, acting_user=admin, nomination_open=False)

    c2022 = _create(admin, standard, 2022, name="2022年“千村示范”创建", target_total=1000, target_key_border=119,
                    target_poverty=295, document="吉政办函〔2022〕52号")
    shares = _allocated(c2022, admin, password)
    accepted_2021 = set(Enrollment.objects.filter(campaign=c2021, status=EnrollmentStatus.ACCEPTED).values_list("village_id", flat=True))
    # About one in six 2022 places goes to a 2021 village (巩固一批、提升一批).
    prefer = set(rng.sample(sorted(accepted_2021), 170))
    for enrollment in _fill(c2022, rng, admin, password, shares, prefer=prefer, avoid=accepted_2021 - prefer):
        city_admin = User.objects.get(username=f"admin_{enrollment.village_id[:4]}")
        reviewed_on = _review_day(enrollment, rng)
        roll = rng.random()
        if roll < 0.05:
            continue  # still waiting for the city
        if roll < 0.07:  # returned by the city, corrected and sent up again by the county
            with _at(_during(reviewed_on, rng)):
                actions.do_review(enrollment, acting_user=city_admin, approve=False, reason="村庄规划尚未编制，请补充后再报")
            county_staff = User.objects.get(username=f"staff_{enrollment.village_id[:6]}")
            with _at(_during(reviewed_on + timedelta(days=rng.randint(2, 6)), rng)):
                actions.do_resubmit(enrollment, acting_user=county_staff, note="已补充村庄规划编制材料")
            continue
        with _at(_during(reviewed_on, rng)):
            actions.do_review(enrollment, acting_user=city_admin, approve=True)
        if roll < 0.15:
            continue  # waiting for the province
        confirmed_on = _confirm_day(c2022, reviewed_on, rng)
        with _at(_during(confirmed_on, rng)):
            actions.do_confirm(enrollment, acting_user=admin)
        if rng.random() < 0.3:
            _shortfalls(enrollment, rng, confirmed_on)
