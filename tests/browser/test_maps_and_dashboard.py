"""The village map draws the county's points over its boundaries from local files; the acceptance
dashboard draws its chart and drills down from the province to a city."""

import re

import pytest
from playwright.sync_api import expect

from qiancun.campaigns import actions as campaign_actions
from qiancun.campaigns.tests.factories import YANBIAN, YANJI, campaign_2022, with_quotas, yanji_villages
from qiancun.core.testing import make_user
from qiancun.regions import actions as region_actions


@pytest.mark.browser
def test_the_county_map_draws_its_located_villages_and_lists_the_others(page, login):
    campaign = with_quotas(campaign_2022())
    first, second, third = yanji_villages(3)
    admin = make_user("admin", "22")
    region_actions.do_update_village(first, acting_user=admin, longitude="129.49", latitude="42.93")
    region_actions.do_update_village(second, acting_user=admin, longitude="129.55", latitude="42.88")
    for village in (first, third):  # one located, one not
        campaign_actions.do_nominate(campaign, village, acting_user=make_user("staff", YANJI))
    make_user("staff", YANJI, username="yanji_mapper")
    login(page, "yanji_mapper")
    page.goto("/regions/map/?campaign=2022")
    expect(page.locator("[data-village-map] canvas")).to_have_count(1)  # ECharts and the boundaries came from local files
    expect(page.locator("[data-village-map]")).to_have_attribute("data-drawn", "2")
    expect(page.get_by_test_id("unlocated-count")).to_have_text("146")
    page.get_by_role("link", name="仅本年度创建村").click()
    expect(page.get_by_test_id("unlocated-count")).to_have_text("1")
    expect(page.get_by_test_id("unlocated-table")).to_contain_text(third.name)
    expect(page.get_by_test_id("unlocated-table")).to_contain_text("县级已提名")


@pytest.mark.browser
def test_the_dashboard_draws_and_drills_down_from_the_province_to_a_city(page, login):
    from qiancun.inspections.tests.factories import confirmed_campaign

    confirmed_campaign(per_county=1)
    make_user("leader", "22", username="province_leader")
    login(page, "province_leader")
    page.get_by_role("link", name="验收进度总览").click()  # from the home page
    expect(page.locator("[data-chart='acceptance-dashboard'] canvas")).to_have_count(1)
    page.get_by_test_id("dashboard-table").get_by_role("link", name="延边朝鲜族自治州").click()
    expect(page).to_have_url(re.compile(rf"/inspections/dashboard/2022/\?region={YANBIAN}$"))
    expect(page.get_by_test_id("dashboard-table")).to_contain_text("延吉市")
    expect(page.get_by_test_id("total-self_check")).to_contain_text("0/2")
