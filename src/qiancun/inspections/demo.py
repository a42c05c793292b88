"""Demo acceptance for 2022 and a supervision visit to 2021 villages, through the actions.

Every county self-checks all its confirmed villages and the city signs it off; every city re-checks
the half drawn for it; the province spot-checks 10% drawn per city (each list published with a commitment
to the 福彩3D draw about ten days later, under an issue number that cannot come before the day after
publication, and seeded with that draw's result); an unannounced visit to 2021
villages finds clear rebound in two and one title is revoked. Failures open problems to fix.
"""

import io
import random
from contextlib import contextmanager
from datetime import date, datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from qiancun.accounts.models import User
from qiancun.campaigns.choices import EnrollmentStatus
from qiancun.campaigns.models import Campaign, Enrollment
from qiancun.regions.models import Region

from . import actions
from .choices import RoundKind
from .models import InspectionRound

SHANGHAI = ZoneInfo("Asia/Shanghai")
FAILURE_NOTES = {
    "无1": "主街两侧柴草、杂物乱堆", "无2": "村口沟渠有垃圾倾倒", "无3": "生活污水直排边沟",
    "有3": "保洁员未到岗，垃圾清运不及时", "有5": "管护制度未上墙，经费未落实",
}


def _photo_bytes(rng: random.Random) -> bytes:
    image = Image.new("RGB", (320, 240), (120 + rng.randint(0, 60), 160, 110))
    draw = ImageDraw.Draw(image)
    draw.rectangle((20, 150, 300, 220), fill=(200, 190, 170))
    draw.rectangle((60, 80, 160, 150), fill=(180, 60, 50))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return buffer.getvalue()


def _inspect(round, enrollment, user, rng, photo: bytes, fail_rate: float, **extra):
    standard = round.campaign.standard
    indicators = list(standard.indicators.all())
    failing = set(rng.sample(sorted(FAILURE_NOTES), rng.randint(1, 2))) if rng.random() < fail_rate else set()
    verdicts = {i.pk: ("not_met" if i.code in failing else "met") for i in indicators if i.judged_by != "computed"}
    notes = {i.pk: FAILURE_NOTES[i.code] for i in indicators if i.code in failing}
    evidence = [i.pk for i in indicators if i.evidence_required]
    upload = SimpleUploadedFile(f"{enrollment.village_id}.jpg", photo, content_type="image/jpeg")
    village = enrollment.village
    return actions.do_record_inspection(
        round, enrollment, acting_user=user, verdicts=verdicts, notes=notes, photos=[(evidence, upload)],
        summary="；".join(FAILURE_NOTES[c] for c in sorted(failing)) or "各项达到“九有六无”标准",
        latitude=village.latitude, longitude=village.longitude, **extra,
    )


@contextmanager
def _at(moment: datetime):
    with mock.patch("django.utils.timezone.now", return_value=moment.replace(tzinfo=SHANGHAI)):
        yield


def _draw(round, user, *, published: datetime, source_issue: str, source_date: date, numbers: str):
    """As the rule asks: the list and the commitment to a later 福彩3D draw are published first; the seed is
    that draw's result, entered on its evening."""
    with _at(published):
        draw = actions.do_publish_draw(round, acting_user=user, source="fc3d", source_issue=source_issue, source_date=source_date)
    with _at(datetime.combine(source_date, datetime.min.time()).replace(hour=21, minute=30)):
        return actions.do_perform_draw(draw, acting_user=user, numbers=numbers, source="fc3d", source_issue=source_issue)


def seed_inspections(admin: User, password: str) -> None:
    campaign = Campaign.objects.filter(year=2022).first()
    if campaign is None or InspectionRound.objects.filter(campaign=campaign).exists():
        return
    rng = random.Random(2022)
    photo = _photo_bytes(rng)
    counties = sorted({code[:6] for code in Enrollment.objects.filter(campaign=campaign, status=EnrollmentStatus.CREATING).values_list("village_id", flat=True)})
    for county in counties:
        staff = User.objects.get(username=f"staff_{county}")
        round = actions.do_create_round(campaign, acting_user=staff, kind=RoundKind.SELF_CHECK, name=f"{Region.objects.get(code=county).name}2022年县级自查",
                                        starts_on=date(2022, 5, 20), ends_on=date(2022, 6, 10))
        for enrollment in actions.eligible(round).select_related("village"):
            _inspect(round, enrollment, staff, rng, photo, fail_rate=0.03)
        actions.do_submit_round(round, acting_user=staff)
        actions.do_sign_off(round, acting_user=User.objects.get(username=f"admin_{county[:4]}"), accept=True)

    for city in Region.objects.filter(level="city").order_by("code"):
        city_admin = User.objects.get(username=f"admin_{city.code}")
        round = actions.do_create_round(campaign, acting_user=city_admin, kind=RoundKind.RE_CHECK, name=f"{city.name}2022年市级复验",
                                        starts_on=date(2022, 6, 22), ends_on=date(2022, 6, 30), task_force=f"{city.name}乡村振兴局工作专班")
        # Issue 2022165 comes no earlier than 14 June (day 165); after the Spring Festival pause it is drawn on 21 June.
        _draw(round, city_admin, published=datetime(2022, 6, 11, 10, 0), source_issue="2022165", source_date=date(2022, 6, 21), numbers="5 2 7")
        for enrollment in actions.targets(round).select_related("village"):
            _inspect(round, enrollment, city_admin, rng, photo, fail_rate=0.03)
        actions.do_close_round(round, acting_user=city_admin)

    inspector = User.objects.get(username="inspector")
    spot = actions.do_create_round(campaign, acting_user=admin, kind=RoundKind.SPOT_CHECK, name="2022年省级抽查验收",
                                   starts_on=date(2022, 7, 12), ends_on=date(2022, 7, 21), inspector_ids=[inspector.pk])
    # Issue 2022185 comes no earlier than 4 July (day 185), after the list went out on 1 July; it is drawn on 11 July.
    _draw(spot, admin, published=datetime(2022, 7, 1, 10, 0), source_issue="2022185", source_date=date(2022, 7, 11), numbers="5 8 3")
    for enrollment in actions.targets(spot).select_related("village"):
        _inspect(spot, enrollment, inspector, rng, photo, fail_rate=0.10)
    actions.do_close_round(spot, acting_user=admin)
    actions.do_finish_acceptance(campaign, acting_user=admin)

    c2021 = Campaign.objects.filter(year=2021).first()
    if c2021 is None:
        return
    visit = actions.do_create_round(c2021, acting_user=admin, kind=RoundKind.UNANNOUNCED, name="2022年对2021年度示范村督导暗访",
                                    starts_on=date(2022, 9, 1), ends_on=date(2022, 9, 30), inspector_ids=[inspector.pk])
    visited = rng.sample(list(actions.targets(visit).select_related("village")), 20)
    for number, enrollment in enumerate(visited):
        rebound = number < 2
        record = _inspect(visit, enrollment, inspector, rng, photo, fail_rate=1.0 if rebound else 0.0, major_problem=rebound)
        if rebound:
            revocation = actions.do_propose_revocation(record, acting_user=inspector, reason="暗访发现垃圾乱倒、污水直排，人居环境明显反弹")
            if number == 0:
                actions.do_decide_revocation(revocation, acting_user=admin, approve=True, note="经省级研究，给予摘牌处理并在全省通报")
    actions.do_close_round(visit, acting_user=admin)
