import re

import pytest
from django.urls import reverse

from qiancun.core.testing import YANJI, YANJI_VILLAGE, client_for, make_user

pytestmark = pytest.mark.django_db


def stats(html: str) -> dict[str, int]:
    return {label: int(n) for label, n in re.findall(r'<div class="text-secondary small">(.+?)</div><div class="qc-stat-value">(\d+)<', html)}


def test_province_staff_land_on_jilin_with_every_level_counted():
    html = client_for(make_user("staff", "22")).get(reverse("core:home")).content.decode()
    assert "吉林省" in html
    assert stats(html) == {"市（州）": 9, "县（市、区）": 69, "乡镇（街道）": 1075, "村（社区）": 11860}


def test_county_staff_land_on_their_county():
    html = client_for(make_user("staff", YANJI)).get(reverse("core:home")).content.decode()
    assert "延吉市" in html and "县级工作人员" in html
    assert stats(html) == {"乡镇（街道）": 14, "村（社区）": 148}


def test_village_staff_see_their_village_and_no_admin_menu():
    html = client_for(make_user("staff", YANJI_VILLAGE)).get(reverse("core:home")).content.decode()
    assert "小营村委会" in html and "村级工作人员" in html
    assert "用户管理" not in html and "审计日志" not in html


def test_api_docs_are_served_from_local_static_files(client):
    assert client.get("/api/docs")["Location"] == "/api/v1/docs"
    html = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert not re.search(r'(src|href)="https?://', html)
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "千村示范创建管理平台 API"
    assert client.get("/static/ninja/swagger-ui-bundle.js").status_code == 200


def test_out_of_scope_and_forbidden_pages_speak_chinese_inside_the_layout():
    client = client_for(make_user("staff", YANJI))
    missing = client.get(reverse("regions:detail", args=["222404100201"]))
    assert missing.status_code == 404 and "不在您的管辖范围内" in missing.content.decode()
    assert "行政区划" in missing.content.decode()  # the navigation is still there
    forbidden = client.get(reverse("core:audit_list"))
    assert forbidden.status_code == 403 and "没有权限" in forbidden.content.decode()


def test_errors_from_actions_mark_their_field_invalid():
    client = client_for(make_user("admin", YANJI))
    response = client.post(
        reverse("accounts:user_create"), {"username": "hc1", "display_name": "越权", "role": "staff", "scope": "222404"}
    )
    assert "is-invalid" in str(response.context["form"]["scope"])
    assert "is-invalid" not in str(response.context["form"]["username"])
