"""Problems for tests, set up through the actions: confirmed villages in 延吉 and 珲春, photos, a clock."""

import io
from contextlib import contextmanager
from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from qiancun.campaigns import actions as campaign_actions
from qiancun.campaigns.models import Enrollment
from qiancun.campaigns.tests.factories import YANBIAN, campaign_2022, with_quotas, yanji_villages
from qiancun.core.testing import HUNCHUN, HUNCHUN_VILLAGE, YANJI, make_user
from qiancun.regions.models import Region

from .. import actions

SHANGHAI = ZoneInfo("Asia/Shanghai")


@contextmanager
def at(moment: datetime):
    """Run actions as if it were `moment` (Asia/Shanghai): deadlines, overdue and time to close depend on the clock."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def confirmed(village: Region, county: str = YANJI) -> Enrollment:
    campaign = campaign_2022()
    existing = Enrollment.objects.filter(campaign=campaign, village=village).first()
    if existing:  # nominated by another domain's set-up: take it the rest of the way
        if existing.status == "nominated":
            campaign_actions.do_review(existing, acting_user=make_user("staff", YANBIAN), approve=True)
        if existing.status == "under_review":
            campaign_actions.do_confirm(existing, acting_user=make_user("admin", "22"))
        return existing
    if not campaign.quotas.filter(region_id=county).exists():
        if county == YANJI:
            with_quotas(campaign)
        else:
            if not campaign.quotas.filter(region_id=YANBIAN).exists():
                with_quotas(campaign)
            campaign_actions.do_set_quota(campaign, Region.objects.get(code=county), acting_user=make_user("admin", YANBIAN), total=5)
    enrollment = campaign_actions.do_nominate(campaign, village, acting_user=make_user("staff", county))
    campaign_actions.do_review(enrollment, acting_user=make_user("staff", YANBIAN), approve=True)
    return campaign_actions.do_confirm(enrollment, acting_user=make_user("admin", "22"))


def yanji_enrollment(n: int = 0) -> Enrollment:
    return confirmed(yanji_villages(n + 1)[n])


def hunchun_enrollment() -> Enrollment:
    return confirmed(Region.objects.get(code=HUNCHUN_VILLAGE), county=HUNCHUN)


def open_problem(enrollment: Enrollment | None = None, **kwargs):
    enrollment = enrollment or yanji_enrollment()
    data = {"description": "村内主干道两侧柴草乱堆", "responsible_unit": "小营镇政府", "responsible_person": "王村长"}
    data.update(kwargs)
    return actions.do_open_problem(acting_user=make_user("inspector", "22"), enrollment=enrollment, **data)


def image_bytes(kind: str = "PNG", size=(40, 30), color=(30, 120, 60)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, kind)
    return buffer.getvalue()


def photo(name: str = "after.png", kind: str = "PNG") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, image_bytes(kind), content_type="image/png" if kind == "PNG" else "image/jpeg")


def fixing(problem, user=None):
    return actions.do_start_fixing(problem, acting_user=user or make_user("staff", YANJI))


def submitted(problem, user=None):
    user = user or make_user("staff", YANJI)
    if problem.status == "open":
        fixing(problem, user)
    return actions.do_submit_fix(problem, acting_user=user, note="已清理柴草，设置集中堆放点", photos=[photo()])


def closed(problem):
    if problem.status != "fix_submitted":
        submitted(problem)
    return actions.do_verify(problem, acting_user=make_user("inspector", "22"), accept=True)
