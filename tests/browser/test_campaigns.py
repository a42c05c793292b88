"""A county nominates a village in the browser, the city approves it from the list, the chart draws."""

import pytest
from playwright.sync_api import expect

from qiancun.campaigns.models import Enrollment
from qiancun.campaigns.tests.factories import YANBIAN, YANJI, campaign_2022, with_quotas, yanji_villages
from qiancun.core.testing import give_second_factor, make_user


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


@pytest.mark.browser
def test_province_edits_targets_and_dates_and_the_allocation_page_fits_a_phone(page, login):
    with_quotas(campaign_2022())
    give_second_factor(make_user("admin", "22", username="jilin_admin"))
    login(page, "jilin_admin")
    page.goto(site(page) + "/campaigns/2022/")
    page.get_by_role("link", name="修改目标与日期").click()
    expect(page.locator("#id_target_total")).to_have_value("1000")
    page.fill("#id_target_total", "1100")
    page.fill("#id_starts_on", "2022-05-17")
    page.fill("#id_ends_on", "2022-12-31")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_test_id("campaign-dates")).to_contain_text("2022年5月17日 至 2022年12月31日")
    expect(page.get_by_test_id("overview-places")).to_contain_text("1100 个以上")
    expect(page.get_by_test_id("overview-places")).to_contain_text("距目标还差：示范村 1000 个、重点边境村 119 个、脱贫村 295 个")
    page.goto(site(page) + "/campaigns/2022/quotas/")
    expect(page.get_by_test_id("quota-short")).to_contain_text("距目标还差")

    page.set_viewport_size({"width": 360, "height": 740})  # the same signed-in tab on a phone's width
    page.goto(site(page) + "/campaigns/2022/quotas/")
    expect(page.get_by_test_id("quota-summary")).to_contain_text("名额是可提名村数的上限")
    # Nothing but the table scrolls sideways on a 360 px phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(site(page) + "/campaigns/2022/edit/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
