"""An accepted-ready 2022 campaign in 延边: confirmed villages in 延吉 and 珲春, built through the actions."""

import io
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from qiancun.campaigns import actions as campaign_actions
from qiancun.campaigns.tests.factories import campaign_2022
from qiancun.core.testing import make_user
from qiancun.inspections import actions
from qiancun.regions.models import Region

YANBIAN, YANJI, HUNCHUN = "2224", "222401", "222404"


def jpeg(name="photo.jpg", size=(64, 48), color=(90, 140, 60)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def confirmed_campaign(per_county: int = 4):
    campaign = campaign_2022()
    province = make_user("admin", "22")
    city_admin = make_user("admin", YANBIAN)
    campaign_actions.do_set_quota(campaign, Region.objects.get(code=YANBIAN), acting_user=province, total=100)
    enrollments = []
    for county in (YANJI, HUNCHUN):
        campaign_actions.do_set_quota(campaign, Region.objects.get(code=county), acting_user=city_admin, total=per_county)
        staff = make_user("staff", county)
        villages = Region.objects.filter(code__startswith=county, level="village", village_type="rural").order_by("code")[:per_county]
        for village in villages:
            enrollment = campaign_actions.do_nominate(campaign, village, acting_user=staff)
            campaign_actions.do_review(enrollment, acting_user=make_user("staff", YANBIAN), approve=True)
            campaign_actions.do_confirm(enrollment, acting_user=make_user("staff", "22"))
            enrollments.append(enrollment)
    return campaign, enrollments


def all_met(campaign, failing: set[str] = frozenset()) -> dict[int, str]:
    return {i.pk: ("not_met" if i.code in failing else "met") for i in campaign.standard.indicators.all()}


def evidence(campaign):
    return [([i.pk for i in campaign.standard.indicators.filter(evidence_required=True)], jpeg())]


def inspect(round, enrollment, user, failing=frozenset(), **kwargs):
    return actions.do_record_inspection(
        round, enrollment, acting_user=user, verdicts=all_met(round.campaign, failing), photos=evidence(round.campaign), **kwargs
    )


def self_check(campaign, county: str, failing_codes: dict[str, set] | None = None, sign_off=True):
    staff = make_user("staff", county)
    round = actions.do_create_round(campaign, acting_user=staff, kind="self_check", name=f"{county}自查",
                                    starts_on=date(2022, 5, 20), ends_on=date(2022, 6, 10))
    for enrollment in actions.eligible(round):
        inspect(round, enrollment, staff, (failing_codes or {}).get(enrollment.village_id, frozenset()))
    if sign_off:
        actions.do_submit_round(round, acting_user=staff)
        actions.do_sign_off(round, acting_user=make_user("staff", YANBIAN), accept=True)
    return round


SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextmanager
def at(moment: datetime):
    """Act as if it were `moment` (Asia/Shanghai): a draw's commitment and seed depend on the date."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def publish(round, user, *, source="fc3d", days_ago=3):
    """Publish a round's list `days_ago` days ago, committing to the 福彩3D draw of yesterday (so its
    result may be entered today), under an issue number that cannot come before yesterday (its day of the year)."""
    today = timezone.localdate()
    source_date = today - timedelta(days=1)
    with at(datetime.combine(today - timedelta(days=days_ago), datetime.min.time()).replace(hour=10, tzinfo=SHANGHAI)):
        return actions.do_publish_draw(round, acting_user=user, source=source, source_issue=f"{source_date:%Y%j}",
                                       source_date=source_date)


def drawn(round, user, numbers="4 8 3"):
    """Publish and draw with the committed source's result."""
    draw = publish(round, user)
    return actions.do_perform_draw(draw, acting_user=user, numbers=numbers, source=draw.source, source_issue=draw.source_issue)
