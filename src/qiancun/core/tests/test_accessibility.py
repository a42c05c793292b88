"""Pages a screen reader and a government PC's browser can use (issue #13, GB/T 37668-2019 / WCAG 2.1 AA).

What axe-core checks in a real browser is in tests/browser/test_accessibility.py; these tests pin the
markup through the Django test client: one <h1> a page, errors a screen reader reads, no empty header
cells, charts with a text alternative, the webkit hint for 360/奇安信 browsers.
"""

import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from qiancun.core.testing import YANJI, YANJI_VILLAGE, client_for, make_user
from qiancun.inspections import actions as inspection_actions
from qiancun.inspections.tests.factories import HUNCHUN, confirmed_campaign, self_check

pytestmark = pytest.mark.django_db


def h1s(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)]


def test_every_page_asks_360_and_qianxin_browsers_for_their_webkit_engine():
    from django.template.loader import render_to_string

    for html in (client_for(make_user("staff", YANJI)).get("/").content.decode(), Client().get("/accounts/login/").content.decode(),
                 render_to_string("500.html")):
        assert '<meta name="renderer" content="webkit">' in html


@pytest.mark.parametrize(("role", "scope", "url", "title"), [
    ("admin", "22", "/", "您好，"),
    ("admin", "22", "/regions/", "吉林省"),
    ("admin", "22", "/accounts/users/", "用户管理"),
    ("admin", "22", "/accounts/users/new/", "新建用户"),
    ("auditor", "22", "/audit/", "审计日志"),
    ("staff", YANJI, "/rectification/", "问题整改"),
    # A village's participation pages: the page's own title, the village's name above it.
    ("staff", YANJI_VILLAGE, f"/participation/villages/{YANJI_VILLAGE}/households/", "农户"),
    ("staff", YANJI_VILLAGE, f"/participation/villages/{YANJI_VILLAGE}/bank/", "道德银行"),
    ("staff", YANJI_VILLAGE, f"/participation/villages/{YANJI_VILLAGE}/", "农民参与概况"),
])
def test_each_page_has_one_h1_naming_it(role, scope, url, title):
    response = client_for(make_user(role, scope)).get(url, follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    headings = h1s(html)
    assert len(headings) == 1, headings
    assert headings[0].startswith(title), headings


def test_a_form_error_is_chinese_and_read_with_its_field():
    client = client_for(make_user("admin", "22"))
    html = client.post(reverse("accounts:user_create"), {"username": "", "display_name": "", "role": "staff"},
                       HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "这个字段是必填项。" in html and "This field is required" not in html
    described = re.search(r'<input[^>]*name="username"[^>]*aria-describedby="([^"]+)"', html).group(1).split()
    assert described == ["id_username_helptext", "id_username_error"]
    for ref in described:
        assert f'id="{ref}"' in html, f"aria-describedby names {ref}, which no element has"
    error = re.search(r'<div[^>]*id="id_username_error"[^>]*>(.*?)</div>', html, re.S).group(1)
    assert "这个字段是必填项。" in error


def test_a_required_photo_is_required_in_the_markup_and_said_in_words():
    campaign, _ = confirmed_campaign(per_county=1)
    staff = make_user("staff", YANJI)
    round = inspection_actions.do_create_round(campaign, acting_user=staff, kind="self_check", name="延吉自查",
                                               starts_on=date(2022, 5, 20), ends_on=date(2022, 6, 10))
    record = inspection_actions.do_start_inspection(round, inspection_actions.eligible(round).first(), acting_user=staff)
    indicators = list(campaign.standard.indicators.all())
    step = next(n for n, i in enumerate(indicators) if i.evidence_required)
    html = client_for(staff).get(reverse("inspections:record", args=[record.pk]) + f"?step={step}").content.decode()
    photo = re.search(r'<input[^>]*type="file"[^>]*>', html).group(0)
    assert " required" in photo
    described = re.search(r'aria-describedby="([^"]+)"', photo).group(1)
    assert re.search(rf'id="{described}"[^>]*>[^<]*须拍照', html)
    assert "断网后可继续" not in html


def test_header_cells_are_never_empty_and_charts_point_to_their_table():
    campaign, _ = confirmed_campaign(per_county=1)
    self_check(campaign, HUNCHUN)
    client = client_for(make_user("admin", "22"))
    pages = {
        "overview": client.get(reverse("campaigns:detail", args=[campaign.year])).content.decode(),
        "dashboard": client.get(reverse("inspections:dashboard", args=[campaign.year])).content.decode(),
        "rounds": client.get(reverse("inspections:round_detail", args=[campaign.rounds.get().pk])).content.decode(),
    }
    for name, html in pages.items():
        assert "<th" in html, name
        assert not re.search(r"<th\b[^>]*>\s*</th>", html), name
    for name in ("overview", "dashboard"):
        chart = re.search(r'<div[^>]*class="qc-chart"[^>]*>', pages[name]).group(0)
        assert 'role="img"' in chart and 'aria-label="' in chart
        table = re.search(r'aria-describedby="([^"]+)"', chart).group(1)
        assert re.search(rf'<table[^>]*id="{table}"', pages[name]), name


def test_dates_on_pages_are_written_the_chinese_way():
    from qiancun.rectification.tests.factories import open_problem

    open_problem(deadline=date(2026, 12, 20), description="村内主干道两侧柴草乱堆")
    html = client_for(make_user("staff", YANJI)).get(reverse("rectification:index")).content.decode()
    assert "2026年12月20日" in html and "2026-12-20" not in html
