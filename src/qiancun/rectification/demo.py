"""Demo problems on the 2022 campaign, built only through the actions (called after `seed_campaigns`).

Inspectors find problems in confirmed 2022 villages over the last three months; counties assign, fix
and hand in fixes with after-photos; cities verify, closing most and sending some back with a reason.
Every state appears, several problems are overdue, and mean time to close has real spread. The clock
is moved back for each step (the actions read `timezone.now()`), so dates look like real work.
Deterministic for a given day: the same database always gets the same demo.
"""

import io
import random
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from unittest import mock

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image, ImageDraw

from qiancun.accounts.models import User
from qiancun.campaigns.lifecycle import CONFIRMED_STATUSES
from qiancun.campaigns.models import Enrollment
from qiancun.regions.models import Region

from . import actions
from .models import Problem

# (problem found, responsible unit, what the fix was)
FINDINGS = [
    ("村内主干道两侧柴草乱堆乱放", "{township}政府", "组织集中清理，设置柴草集中堆放点"),
    ("垃圾收集点满溢，清运不及时", "{township}环卫所", "增加清运频次至每日一次，增设垃圾箱 4 个"),
    ("公共厕所无人管护，卫生状况差", "村民委员会", "明确专职保洁员，建立每日保洁台账"),
    ("生活污水直排边沟", "{township}生态环境办", "铺设污水收集管道，接入村级处理设施"),
    ("农家书屋未按时开放，图书陈旧", "村民委员会", "落实专人管理，县图书馆配送新书 300 册"),
    ("“十户一组”未覆盖新迁入农户", "村党支部", "补建小组并选定组长，更新网格图"),
    ("村庄规划公示牌内容缺失", "{township}规划办", "更新规划公示牌并补齐图纸"),
    ("文化广场路灯损坏 6 盏", "村民委员会", "更换损坏路灯，纳入日常巡检"),
    ("道路破损，雨后积水", "{county}交通运输局", "修补破损路面，疏通边沟"),
    ("“道德银行”积分台账未及时更新", "村民委员会", "补录积分并每月公示"),
]
PEOPLE = ["村党支部书记", "村委会主任", "包村干部", "网格长", "乡镇分管副镇长", "村文书"]
REOPEN_REASONS = ["照片未反映整改后全貌，请补充", "现场复核仍有部分未整改到位", "整改措施未形成长效机制，请补充管护制度"]
PHOTO_COLORS = [(76, 140, 74), (92, 128, 170), (170, 150, 96), (120, 120, 120)]


@contextmanager
def _at(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _photo(rng: random.Random, n: int) -> SimpleUploadedFile:
    image = Image.new("RGB", (320, 240), rng.choice(PHOTO_COLORS))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 150, 320, 240), fill=(150, 140, 120))
    for i in range(4):
        x = 20 + i * 75
        draw.rectangle((x, 90, x + 50, 150), fill=(200, 200, 190), outline=(90, 70, 60))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return SimpleUploadedFile(f"整改后{n}.jpg", buffer.getvalue(), content_type="image/jpeg")


def _enrollments(rng: random.Random) -> list[Enrollment]:
    # Confirmed villages, whatever acceptance has made of them since (self-checked, re-checked, accepted …).
    creating = Enrollment.objects.filter(campaign__year=2022, status__in=CONFIRMED_STATUSES).order_by("village_id")
    # The demo's county accounts (延吉 yanji_staff, 珲春 staff_222404) always have some to show.
    pinned = [e for code in ("222401", "222404") for e in creating.filter(village__code__startswith=code)[:6]]
    others = [e for e in creating.select_related("village") if e not in pinned]
    return pinned + rng.sample(others, min(110, len(others)))


def seed_rectification(admin: User, password: str) -> None:
    """Open problems in some 2022 villages and move them through every state, some overdue."""
    # Problems the inspections demo opened from not-met verdicts carry their record; ours do not.
    if Problem.objects.filter(record__isnull=True).exists() or not Enrollment.objects.filter(campaign__year=2022).exists():
        return
    rng = random.Random(52)
    finder = User.objects.filter(username="inspector", is_active=True).first() or admin
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    photos = 0
    counties = dict(Region.objects.filter(level="county").values_list("code", "name"))
    for enrollment in _enrollments(rng):
        village = enrollment.village
        staff = User.objects.filter(username=f"staff_{village.code[:6]}").first()
        checker = User.objects.filter(username=f"admin_{village.code[:4]}").first() or admin
        if staff is None:
            continue
        names = {"township": village.parent.name if village.parent_id else "乡镇", "county": counties.get(village.code[:6], "县")}
        for finding, unit, fix in rng.sample(FINDINGS, rng.choice([1, 1, 2])):
            found = datetime.combine(today - timedelta(days=rng.randint(3, 95)), time(rng.randint(8, 16), rng.randint(0, 59)), tz)
            days = rng.choice([15, 20, 30, 30, 45])

            def clock(offset_days: float, found: datetime = found) -> datetime:
                return min(found + timedelta(days=offset_days), timezone.localtime() - timedelta(minutes=5))

            with _at(found):
                problem = actions.do_open_problem(
                    acting_user=finder, enrollment=enrollment, description=finding,
                    deadline=found.date() + timedelta(days=days),
                )
            fate = rng.random()
            if fate < 0.08:
                continue  # found, nobody named yet
            with _at(clock(1)):
                actions.do_assign(problem, acting_user=staff, responsible_unit=unit.format(**names),
                                  responsible_person=rng.choice(PEOPLE), deadline=problem.deadline)
            if fate < 0.14:
                continue
            with _at(clock(2)):
                actions.do_start_fixing(problem, acting_user=staff)
            spent = rng.uniform(4, days * 1.15)
            if fate < 0.32 or found + timedelta(days=spent) > timezone.localtime():
                continue  # still being fixed (the late ones are overdue)
            photos += 1
            with _at(clock(spent)):
                actions.do_submit_fix(problem, acting_user=staff, note=fix, photos=[_photo(rng, photos)])
            if fate < 0.42:
                continue  # waiting for the city's check
            checked = spent + rng.uniform(0.5, 4)
            if fate < 0.56:
                with _at(clock(checked)):
                    actions.do_verify(problem, acting_user=checker, accept=False, reason=rng.choice(REOPEN_REASONS))
                if fate < 0.47:
                    continue  # reopened, being fixed again
                photos += 1
                with _at(clock(checked + rng.uniform(2, 8))):
                    actions.do_submit_fix(problem, acting_user=staff, note=fix + "；已按核验意见补充整改", photos=[_photo(rng, photos)])
                checked += rng.uniform(9, 14)
            with _at(clock(checked)):
                actions.do_verify(problem, acting_user=checker, accept=True, reason="现场核验整改到位")
