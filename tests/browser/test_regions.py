"""Browsing the division tree: log in, drill down to a village, pinyin search, scope enforcement."""

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
from playwright.sync_api import expect

from qiancun.core.testing import HUNCHUN, HUNCHUN_VILLAGE, JILIN, YANJI, YANJI_VILLAGE, make_user
from qiancun.regions.choices import RegionLevel

JILIN_CSV = Path(__file__).resolve().parents[2] / "data" / "regions" / "jilin.csv"


def counts_in_csv(code: str) -> dict[str, str]:
    """What the page should say lies under `code`, counted straight from the source file, by level label."""
    with JILIN_CSV.open(encoding="utf-8", newline="") as f:
        found = Counter(row["level"] for row in csv.DictReader(f) if row["code"].startswith(code) and row["code"] != code)
    return {RegionLevel(level).label: str(n) for level, n in found.items()}


def stats_on(page, container) -> dict[str, str]:
    """The stat tiles ({label: number}) as the user reads them."""
    tiles = container.locator(".qc-stat")
    return {
        tiles.nth(i).locator(".small").inner_text().strip(): tiles.nth(i).locator(".qc-stat-value").inner_text().strip()
        for i in range(tiles.count())
    }


@pytest.mark.browser
def test_login_and_browse_to_a_village(page, login):
    expected = counts_in_csv(YANJI)
    assert expected == {"乡镇（街道）": "14", "村（社区）": "148"}, f"jilin.csv changed under 延吉市: {expected}"
    make_user("staff", YANJI, username="yanji_staff")

    login(page, "yanji_staff")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_test_id("scope-name")).to_have_text("延吉市")
    sidebar = page.locator("#qc-sidebar")
    expect(sidebar.get_by_role("link", name="行政区划")).to_be_visible()
    expect(sidebar.get_by_role("link", name="用户管理")).to_have_count(0)  # staff, not an administrator
    counts = page.get_by_test_id("counts")
    expect(counts).to_be_visible()
    assert stats_on(page, counts) == expected

    page.get_by_role("link", name="查看区划").click()
    expect(page).to_have_url(re.compile(rf"/regions/{YANJI}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("延吉市")

    page.get_by_role("link", name="小营镇", exact=True).click()
    expect(page).to_have_url(re.compile(r"/regions/222401100/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("小营镇")

    page.get_by_role("link", name="小营村委会", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/regions/{YANJI_VILLAGE}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("小营村委会")
    expect(page.get_by_test_id("village-code")).to_have_text(YANJI_VILLAGE)

    breadcrumbs = page.get_by_role("navigation", name="位置")
    expect(breadcrumbs.locator(".breadcrumb-item")).to_have_text(["吉林省", "延边朝鲜族自治州", "延吉市", "小营镇", "小营村委会"])
    # Above the user's county the trail is shown but not clickable; inside it, it is.
    expect(breadcrumbs.get_by_role("link")).to_have_text(["延吉市", "小营镇"])
    expect(breadcrumbs.locator("[aria-current=page]")).to_have_text("小营村委会")

    breadcrumbs.get_by_role("link", name="小营镇").click()
    expect(page).to_have_url(re.compile(r"/regions/222401100/$"))


@pytest.mark.browser
def test_pinyin_search_finds_jingyu_county(page, login):
    make_user("staff", JILIN, username="province_staff")
    login(page, "province_staff")

    page.goto("/regions/")
    expect(page).to_have_url(re.compile(rf"/regions/{JILIN}/$"))
    region_page = page.url
    results = page.get_by_test_id("search-results")
    expect(results).to_have_count(0)

    page.locator("input[name=q]").press_sequentially("jyx", delay=60)

    expect(results).to_be_visible()
    expect(results).to_contain_text("靖宇县")
    # Live search: the results came in place, the user is still on the region page.
    assert page.url == region_page

    results.get_by_role("link").filter(has_text="靖宇县").click()
    expect(page).to_have_url(re.compile(r"/regions/220622/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("靖宇县")


@pytest.mark.browser
def test_county_user_cannot_open_another_countys_village(page, login):
    make_user("staff", YANJI, username="yanji_staff")
    login(page, "yanji_staff")

    response = page.goto(f"/regions/{HUNCHUN_VILLAGE}/")
    assert response is not None and response.status == 404, f"珲春 village answered {response and response.status}"
    expect(page.get_by_test_id("village-code")).to_have_count(0)
    expect(page.locator("body")).not_to_contain_text(HUNCHUN_VILLAGE)

    response = page.goto(f"/regions/{HUNCHUN}/")
    assert response is not None and response.status == 404, f"珲春市 answered {response and response.status}"

    response = page.goto(f"/regions/{YANJI_VILLAGE}/")
    assert response is not None and response.status == 200
    expect(page.get_by_test_id("village-code")).to_have_text(YANJI_VILLAGE)
    expect(page.get_by_role("heading", level=1)).to_have_text("小营村委会")
