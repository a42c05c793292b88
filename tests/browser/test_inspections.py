"""An inspector on a phone goes through a village one indicator at a time; anyone can open the draw page and see it verified."""

import io
from datetime import date

import pytest
from PIL import Image
from playwright.sync_api import expect

from qiancun.core.testing import make_user
from qiancun.inspections import actions
from qiancun.inspections.models import InspectionRecord
from qiancun.inspections.tests.factories import HUNCHUN, YANBIAN, YANJI, confirmed_campaign, drawn, self_check


def photo_file(tmp_path) -> str:
    path = tmp_path / "现场.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (120, 90), (80, 150, 90)).save(buffer, "JPEG")
    path.write_bytes(buffer.getvalue())
    return str(path)


@pytest.mark.browser
def test_a_county_inspector_checks_a_village_on_a_phone_and_a_lost_connection_loses_nothing(phone_page, login, tmp_path):
    campaign, _ = confirmed_campaign(per_county=1)
    staff = make_user("staff", YANJI, username="yanji_inspector")
    round = actions.do_create_round(campaign, acting_user=staff, kind="self_check", name="延吉市县级自查",
                                    starts_on=date(2022, 5, 20), ends_on=date(2022, 6, 10))
    login(phone_page, "yanji_inspector")
    phone_page.goto(phone_page.url.split("/accounts")[0].rstrip("/") + f"/inspections/rounds/{round.pk}/")
    phone_page.get_by_role("button", name="开始检查").click()
    indicators = list(campaign.standard.indicators.all())
    for _step, indicator in enumerate(indicators[:3]):
        expect(phone_page.get_by_test_id("indicator-step")).to_contain_text(indicator.title)
        phone_page.get_by_text("达到", exact=True).click()
        if indicator.evidence_required:
            phone_page.set_input_files("input[type=file]", photo_file(tmp_path))
        phone_page.get_by_role("button", name="保存，下一项").click()
    # The phone goes offline and the inspector reopens the form later: three answers are on the server.
    record = InspectionRecord.objects.get(round=round)
    assert record.verdicts.count() == 3
    assert record.photos.count() == sum(1 for i in indicators[:3] if i.evidence_required)
    phone_page.goto(phone_page.url.split("?")[0] + "?step=3")
    expect(phone_page.get_by_text("已判定 3 项")).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.browser
def test_anyone_can_see_a_draw_verified_without_logging_in(phone_page):
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    self_check(campaign, HUNCHUN)
    city = make_user("staff", YANBIAN)
    round = actions.do_create_round(campaign, acting_user=city, kind="re_check", name="延边州复验", starts_on=date(2022, 6, 11), ends_on=date(2022, 6, 20))
    draw = drawn(round, city)
    phone_page.goto(f"/inspections/draws/{draw.pk}/")  # nobody signed in
    expect(phone_page.get_by_test_id("verification")).to_contain_text("验证一致")
    expect(phone_page.get_by_test_id("eligible-hash")).to_have_text(draw.eligible_sha256)
    expect(phone_page.get_by_test_id("committed-source")).to_have_text(draw.committed_source)
    expect(phone_page.get_by_test_id("draw-result").locator("tbody tr")).to_have_count(len(draw.result))
    expect(phone_page.get_by_test_id("draw-result")).to_contain_text("延边朝鲜族自治州")
    expect(phone_page.get_by_test_id("procedure")).to_contain_text("核对办法")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
