"""A county nominates a village in the browser, the city approves it from the list, the chart draws."""

import pytest
from playwright.sync_api import expect

from qiancun.campaigns.models import Enrollment
from qiancun.campaigns.tests.factories import YANBIAN, YANJI, campaign_2022, with_quotas, yanji_villages
from qiancun.core.testing import make_user


def site(page) -> str:
    return page.url.split("/accounts")[0].split("/campaigns")[0].rstrip("/")


@pytest.mark.browser
def test_county_nominates_with_the_village_picker_and_the_city_approves_from_the_list(page, login):
    with_quotas(campaign_2022())
    village = yanji_villages(1)[0]
    make_user("staff", YANJI, username="yanji_county")
    make_user("staff", YANBIAN, username="yanbian_city")
    login(page, "yanji_county")
    page.goto(site(page) + "/campaigns/2022/nominate/")
    page.fill("#id_village", village.name[:2])
    expect(page.locator(f"#qc-village-options option[value='{village.code}']")).to_have_count(1)  # htmx filled the picker
    page.fill("#id_village", village.code)
    page.locator("main form").first.get_by_role("button", name="提名").click()
    expect(page.get_by_text(f"已提名{village.name}")).to_be_visible()
    assert Enrollment.objects.get(village=village).status == "nominated"

    page.context.clear_cookies()
    login(page, "yanbian_city")
    page.goto(site(page) + "/campaigns/2022/enrollments/")
    page.get_by_label(f"选择{village.name}").check()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="审核通过所选").click()
    expect(page.get_by_text("已处理 1 个村")).to_be_visible()
    assert Enrollment.objects.get(village=village).status == "under_review"
    page.goto(site(page) + "/campaigns/2022/")
    expect(page.locator("[data-chart='campaign-overview'] canvas")).to_have_count(1)  # ECharts drew from local files
