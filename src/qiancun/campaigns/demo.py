"""Demo campaigns on the real Jilin tree, built only through the actions (used by `seed_demo`).

2021: 1,000 villages named the year before (the consolidate/upgrade pool). 2022: the work plan's
targets (1000 / 119 / 295), quotas to all 9 cities and their counties, every place filled with
villages on all three tracks, realistic tags, and statuses from nominated to confirmed.
Deterministic: the same database always gets the same demo.
"""

import random

from qiancun.accounts.actions import do_create_user
from qiancun.accounts.models import User
from qiancun.regions.actions import do_update_village
from qiancun.regions.choices import BORDER_COUNTIES, RegionLevel
from qiancun.regions.models import Region
from qiancun.standards.models import Standard

from . import actions
from .choices import EnrollmentStatus, TagKind, Track
from .models import Campaign, Enrollment, Tag


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


def _allocate(campaign: Campaign, admin: User, password: str) -> None:
    """Province → cities → counties."""
    villages = Region.objects.filter(level=RegionLevel.VILLAGE, village_type="rural")

    def weights(units: list[str], prefix: str) -> dict[str, dict[str, int]]:
        width = len(units[0])
        result = {}
        for key, flag in (("total", None), ("key_border", "is_key_border"), ("poverty", "is_poverty_alleviated")):
            counts = dict.fromkeys(units, 0)
            for code in villages.filter(code__startswith=prefix, **({flag: True} if flag else {})).values_list("code", flat=True):
                if code[:width] in counts:
                    counts[code[:width]] += 1
            result[key] = counts
        return result

    cities = {c.code: c for c in Region.objects.filter(level=RegionLevel.CITY)}
    city_split = _split(campaign.target_total, campaign.target_key_border, campaign.target_poverty, weights(list(cities), "22"))
    for code, city in cities.items():
        actions.do_set_quota(campaign, city, acting_user=admin, **city_split[code])
        city_admin = _officer("admin", city, admin, password)
        counties = {c.code: c for c in Region.objects.filter(parent=city)}
        share = city_split[code]
        county_split = _split(share["total"], share["key_border"], share["poverty"], weights(list(counties), code))
        for county_code, county in counties.items():  # urban districts without villages get a quota of 0
            actions.do_set_quota(campaign, county, acting_user=city_admin, **county_split[county_code])


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


def _fill(campaign: Campaign, rng: random.Random, admin: User, password: str, prefer: set[str], avoid: set[str]) -> list[Enrollment]:
    """Each county nominates villages up to its quota: border and poverty places first."""
    from .models import Quota

    enrolled = []
    for quota in Quota.objects.filter(campaign=campaign, region__level=RegionLevel.COUNTY).select_related("region"):
        county = quota.region
        staff = _officer("staff", county, admin, password)
        pool = list(Region.objects.filter(code__startswith=county.code, level=RegionLevel.VILLAGE, village_type="rural").order_by("code"))
        rng.shuffle(pool)
        pool.sort(key=lambda v: (v.code not in prefer, v.code in avoid))
        picked = [v for v in pool if v.is_key_border][: quota.key_border]
        picked += [v for v in pool if v.is_poverty_alleviated and v not in picked][: quota.poverty]
        picked += [v for v in pool if v not in picked and not v.is_key_border and not v.is_poverty_alleviated]
        for village in picked[: quota.total]:
            earlier = Enrollment.objects.filter(village=village, status=EnrollmentStatus.ACCEPTED, campaign__year__lt=campaign.year).exists()
            track = (Track.UPGRADE if rng.random() < 0.25 else Track.CONSOLIDATE) if earlier else Track.CREATE
            enrolled.append(actions.do_nominate(campaign, village, acting_user=staff, track=track, tag_ids=_tags(rng)))
    return enrolled


GAPS = [
    ("垃圾清运不及时，村内有积存垃圾", "增设保洁员，垃圾日产日清", "村委会主任"),
    ("村庄规划尚未报批", "委托规划单位完成实用性村庄规划并报县政府审批", "乡镇规划员"),
    ("农家书屋藏书不足、开放时间不固定", "县图书馆配送图书，明确专人管理", "村文书"),
    ("道路两侧柴草乱堆", "组织集中清理，设置柴草集中堆放点", "网格长"),
    ("“十户一组”未覆盖全部农户", "按居住片区补建小组，选定组长", "村党支部书记"),
    ("生活污水直排边沟", "建设村级污水收集设施", "乡镇环保员"),
]


def _shortfalls(enrollment: Enrollment, rng: random.Random) -> None:
    from datetime import date, timedelta

    staff = User.objects.get(username=f"staff_{enrollment.village_id[:6]}")
    indicators = list(enrollment.campaign.standard.indicators.all())
    for gap, plan, owner in rng.sample(GAPS, rng.randint(1, 3)):
        item = actions.do_add_shortfall(
            enrollment, acting_user=staff, gap=gap, action_plan=plan, responsible_person=owner,
            due_date=date(2022, 6, 1) + timedelta(days=rng.randint(0, 120)), indicator_id=rng.choice(indicators).pk,
        )
        status = rng.choice(["open", "in_progress", "closed", "closed"])
        if status != "open":
            actions.do_update_shortfall(item, acting_user=staff, status=status)


def seed_campaigns(admin: User, password: str) -> None:
    if Campaign.objects.exists():
        return
    rng = random.Random(52)  # 吉政办函〔2022〕52号
    standard = Standard.objects.filter(year=2022).order_by("-version").first()
    _flag_villages(rng, admin)

    c2021 = actions.do_create_campaign(
        acting_user=admin, year=2021, name="2021年“千村示范”创建", standard_id=standard.pk,
        target_total=1000, target_key_border=100, target_poverty=250, document="2021年度创建工作方案",
    )
    _allocate(c2021, admin, password)
    for enrollment in _fill(c2021, rng, admin, password, prefer=set(), avoid=set()):
        city_admin = User.objects.get(username=f"admin_{enrollment.village_id[:4]}")
        actions.do_review(enrollment, acting_user=city_admin, approve=True)
        actions.do_confirm(enrollment, acting_user=admin)
        if rng.random() < 0.3:
            _shortfalls(enrollment, rng)
        actions.do_record_prior_acceptance(
            enrollment, acting_user=admin, accepted=rng.random() > 0.04, reason="2021年度验收结果（历史数据录入）"
        )
    actions.do_update_campaign(c2021, acting_user=admin, nomination_open=False)

    c2022 = actions.do_create_campaign(
        acting_user=admin, year=2022, name="2022年“千村示范”创建", standard_id=standard.pk,
        target_total=1000, target_key_border=119, target_poverty=295, document="吉政办函〔2022〕52号",
    )
    _allocate(c2022, admin, password)
    accepted_2021 = set(Enrollment.objects.filter(campaign=c2021, status=EnrollmentStatus.ACCEPTED).values_list("village_id", flat=True))
    # About one in six 2022 places goes to a 2021 village (巩固一批、提升一批).
    prefer = set(rng.sample(sorted(accepted_2021), 170))
    for enrollment in _fill(c2022, rng, admin, password, prefer=prefer, avoid=accepted_2021 - prefer):
        city_admin = User.objects.get(username=f"admin_{enrollment.village_id[:4]}")
        roll = rng.random()
        if roll < 0.05:
            continue  # still waiting for the city
        if roll < 0.07:  # returned by the city, corrected and sent up again by the county
            actions.do_review(enrollment, acting_user=city_admin, approve=False, reason="村庄规划尚未编制，请补充后再报")
            county_staff = User.objects.get(username=f"staff_{enrollment.village_id[:6]}")
            actions.do_resubmit(enrollment, acting_user=county_staff, note="已补充村庄规划编制材料")
            continue
        actions.do_review(enrollment, acting_user=city_admin, approve=True)
        if roll < 0.15:
            continue  # waiting for the province
        actions.do_confirm(enrollment, acting_user=admin)
        if rng.random() < 0.3:
            _shortfalls(enrollment, rng)
