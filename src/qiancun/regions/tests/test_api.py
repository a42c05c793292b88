from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qiancun.accounts.actions import do_create_api_token
from qiancun.core.testing import HUNCHUN_VILLAGE, YANJI, YANJI_VILLAGE, make_user
from qiancun.regions.models import Region

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    _token, secret = do_create_api_token(acting_user=user, name="测试")
    return {"Authorization": f"Bearer {secret}"}


def test_list_filters_by_level_parent_and_pinyin_within_the_scope(client):
    headers = bearer(make_user("staff", YANJI))
    townships = client.get("/api/v1/regions", {"level": "township"}, headers=headers).json()
    assert townships["count"] == 14
    assert all(item["code"].startswith(YANJI) for item in townships["items"])
    children = client.get("/api/v1/regions", {"parent": "222401100"}, headers=headers).json()
    assert YANJI_VILLAGE in [item["code"] for item in children["items"]]
    assert client.get("/api/v1/regions", {"q": "jyx"}, headers=headers).json()["count"] == 0  # 靖宇县 is elsewhere
    province = bearer(make_user("staff", "22"))
    found = client.get("/api/v1/regions", {"q": "jyx", "level": "county"}, headers=province).json()
    assert [item["name"] for item in found["items"]] == ["靖宇县"]


def test_detail_has_children_and_counts_and_out_of_scope_is_404(client):
    headers = bearer(make_user("staff", YANJI))
    body = client.get(f"/api/v1/regions/{YANJI}", headers=headers).json()
    assert body["name"] == "延吉市" and body["parent_code"] == "2224"
    assert len(body["children"]) == 14 and body["counts_beneath"] == {"township": 14, "village": 148}
    missing = client.get(f"/api/v1/regions/{HUNCHUN_VILLAGE}", headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_patch_a_village_and_validation_errors_name_the_field(client):
    headers = bearer(make_user("staff", YANJI))
    ok = client.patch(
        f"/api/v1/regions/{YANJI_VILLAGE}",
        {"is_poverty_alleviated": True, "longitude": 129.5, "latitude": 42.9},
        content_type="application/json",
        headers=headers,
    )
    assert ok.status_code == 200 and ok.json()["is_poverty_alleviated"] is True
    bad = client.patch(
        f"/api/v1/regions/{YANJI_VILLAGE}", {"latitude": 99}, content_type="application/json", headers=headers
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "latitude" and "纬度" in bad.json()["message"]
    wrong_type = client.patch(
        f"/api/v1/regions/{YANJI_VILLAGE}", {"is_key_border": "maybe"}, content_type="application/json", headers=headers
    )
    assert wrong_type.status_code == 400
    assert wrong_type.json()["field"] == "is_key_border" and "true" in wrong_type.json()["message"]
    assert Region.objects.get(code=YANJI_VILLAGE).latitude == Decimal("42.9")


def test_patching_a_township_is_refused(client):
    headers = bearer(make_user("staff", YANJI))
    response = client.patch("/api/v1/regions/222401100", {"is_key_border": True}, content_type="application/json", headers=headers)
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_api_import_runs_as_a_job_and_reports_progress(client, django_capture_on_commit_callbacks):
    headers = bearer(make_user("admin", "22"))
    upload = SimpleUploadedFile("one.csv", "code,name,level,parent_code\n222401100294,接口新村,village,222401100\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post("/api/v1/regions/imports", {"file": upload}, headers=headers)
    assert started.status_code == 202
    job = client.get(f"/api/v1/regions/imports/{started.json()['id']}", headers=headers).json()
    assert job["status"] == "succeeded" and job["report"]["added"] == 1
    county = bearer(make_user("admin", YANJI))
    assert client.post("/api/v1/regions/imports", {"file": upload}, headers=county).status_code == 403
