"""Control characters and lone surrogates never get in (issue #11): whatever the page or API route, a value
holding one is refused with 400 and a Chinese message naming the field, and nothing is written. Tabs and
line breaks are ordinary text. Integer query parameters beyond 64 bits are refused the same way on both
databases, instead of SQLite's 500.
"""

import pytest

from qiancun.core.models import AuditEntry
from qiancun.core.testing import YANJI, YANJI_VILLAGE, client_for, make_user

pytestmark = pytest.mark.django_db

GOODS = "/api/v1/participation/goods"


def shop_staff():
    return client_for(make_user("staff", YANJI_VILLAGE))


def test_a_lone_surrogate_in_json_is_refused_naming_the_field_and_nothing_is_written():
    client = shop_staff()
    before = AuditEntry.objects.count()
    body = '{"village_code": "VILLAGE", "name": "\\ud800", "price_points": 5}'.replace("VILLAGE", YANJI_VILLAGE)
    response = client.post(GOODS, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid", "field": "name",
        "message": "字段 name：含有控制字符或无效字符（如 ESC、NUL 或不成对的代理字符），请删除后重新提交",
    }
    assert client.get(GOODS, {"village": YANJI_VILLAGE}).json() == []
    assert AuditEntry.objects.count() == before


def test_an_escape_character_in_json_is_refused_and_the_nested_field_is_named():
    body = '{"household_id": 1, "lines": [{"goods_id": 1, "quantity": 1}], "idempotency_key": "a\\u001b[31m"}'
    response = shop_staff().post("/api/v1/participation/redemptions", body, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "idempotency_key"
    body = '{"village_code": "VILLAGE", "name": "洗衣粉", "unit": ["袋", "x\\u0085"], "price_points": 5}'.replace("VILLAGE", YANJI_VILLAGE)
    response = shop_staff().post(GOODS, body, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "unit.1"  # C1 (NEL) too


def test_a_form_value_with_an_escape_character_gets_a_chinese_400_page_naming_the_field():
    client = shop_staff()
    response = client.post(f"/participation/villages/{YANJI_VILLAGE}/shop/", {"form": "goods", "name": "洗衣\x1b[31m粉", "price_points": "5", "unit": "袋"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "“name”一项含有控制字符或无效字符" in page and "<!doctype html>" in page
    assert client.get(GOODS, {"village": YANJI_VILLAGE}).json() == []


def test_a_query_value_with_a_control_character_is_refused():
    response = shop_staff().get("/api/v1/regions", {"q": "延吉\x00"})
    assert response.status_code == 400 and response.json()["field"] == "q"
    page = shop_staff().get("/regions/search/", {"q": "\x7f"})
    assert page.status_code == 400 and "“q”一项" in page.content.decode()


def test_tabs_and_line_breaks_are_ordinary_text():
    client = shop_staff()
    body = {"village_code": YANJI_VILLAGE, "name": "洗衣粉\t大袋", "price_points": 5, "unit": "袋"}
    assert client.post(GOODS, body, content_type="application/json").status_code == 201
    body = '{"village_code": "VILLAGE", "name": "\\ud83d\\ude00 笑脸\\r\\n毛巾", "price_points": 3}'.replace("VILLAGE", YANJI_VILLAGE)  # a surrogate pair is one character
    created = client.post(GOODS, body, content_type="application/json")
    assert created.status_code == 201 and created.json()["name"] == "😀 笑脸\r\n毛巾"


@pytest.mark.parametrize("url", ["/api/v1/regions", "/api/v1/audit", f"/api/v1/participation/households?village={YANJI_VILLAGE}"])
def test_a_page_number_beyond_64_bits_is_a_400_not_a_500(url):
    client = client_for(make_user("admin", "22"))
    response = client.get(url, {"page": "9" * 30})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "field": "page", "message": "字段 page：数值超出允许的范围"}
    assert client.get(url, {"page": str(2**63 - 1)}).status_code != 500


UNSAFE_MESSAGE = "含有控制字符或无效字符（如 ESC、NUL 或不成对的代理字符），请删除后重新提交"


@pytest.mark.parametrize("content_type", ["application/json", "text/plain"])
def test_a_lone_surrogate_sent_as_raw_bytes_is_refused_like_the_escaped_one(content_type):
    # ED A0 80 is U+D800 written as UTF-8, which is not valid UTF-8; Python's json.loads takes it (surrogatepass)
    # and the database then could not store it: it was a 500. Ninja reads the body as JSON whatever its type.
    admin = make_user("admin", "22")
    staff = make_user("staff", YANJI)
    client = client_for(admin)
    before = AuditEntry.objects.count()
    response = client.patch(f"/api/v1/users/{staff.pk}", b'{"display_name": "\xed\xa0\x80"}', content_type=content_type)
    assert response.status_code == 400
    assert response.json() == {"code": "invalid", "field": "请求", "message": f"字段 请求：{UNSAFE_MESSAGE}"}
    response = client.post("/api/v1/tokens", b'{"name": "a\xed\xa0\x80"}', content_type=content_type)
    assert response.status_code == 400 and response.json()["message"] == f"字段 请求：{UNSAFE_MESSAGE}"
    staff.refresh_from_db()
    assert "\ud800" not in staff.display_name
    assert AuditEntry.objects.count() == before


def test_a_json_escape_sent_as_text_plain_is_refused_too():
    admin = make_user("admin", "22")
    staff = make_user("staff", YANJI)
    response = client_for(admin).patch(f"/api/v1/users/{staff.pk}", '{"display_name": "a\\u001bb"}', content_type="text/plain")
    assert response.status_code == 400 and response.json()["field"] == "display_name"


def test_a_form_body_that_is_not_utf8_gets_the_chinese_400_page():
    client = shop_staff()
    body = "form=goods&price_points=5&unit=%E8%A2%8B&name=%ED%A0%80"
    response = client.post(f"/participation/villages/{YANJI_VILLAGE}/shop/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "“请求”一项含有控制字符或无效字符" in response.content.decode()
    assert client.get(GOODS, {"village": YANJI_VILLAGE}).json() == []
