from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qiancun.core.testing import HUNCHUN_VILLAGE, YANJI, YANJI_VILLAGE, api_token, make_user
from qiancun.regions.models import Region

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user)}"}


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


def test_a_cached_list_page_shows_a_change_to_the_tree_at_once(client):
    admin = make_user("admin", YANJI)
    headers = bearer(admin)
    query = {"parent": "222401100"}
    before = client.get("/api/v1/regions", query, headers=headers).json()
    village = next(item for item in before["items"] if item["code"] == YANJI_VILLAGE)
    assert village["longitude"] is None and client.get("/api/v1/regions", query, headers=headers).json() == before  # served again

    response = client.patch(f"/api/v1/regions/{YANJI_VILLAGE}", {"longitude": "129.5", "latitude": "42.9"},
                            content_type="application/json", headers=headers)
    assert response.status_code == 200

    after = client.get("/api/v1/regions", query, headers=headers).json()
    assert next(item for item in after["items"] if item["code"] == YANJI_VILLAGE)["longitude"] == 129.5
    # Another scope's page is its own: a county user of 珲春 sees none of 延吉's villages, cached or not.
    other = bearer(make_user("staff", "222404"))
    assert client.get("/api/v1/regions", query, headers=other).json() == {"items": [], "count": 0}


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


def test_only_a_failed_import_reruns_once_and_only_while_its_file_is_kept(client, django_capture_on_commit_callbacks):
    from qiancun.core.testing import province_admin

    from .factories import failed_import

    headers = bearer(province_admin())
    job = failed_import()
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not picked the rerun up yet
        queued = client.post(f"/api/v1/regions/imports/{job.pk}/rerun", headers=headers)
    assert queued.status_code == 202 and queued.json()["status"] == "queued" and queued.json()["rerun_of_id"] == job.pk
    twice = client.post(f"/api/v1/regions/imports/{job.pk}/rerun", headers=headers)
    assert twice.status_code == 409 and f"已在重新运行（区划导入 #{queued.json()['id']}）" in twice.json()["message"]
    not_failed = client.post(f"/api/v1/regions/imports/{queued.json()['id']}/rerun", headers=headers)
    assert not_failed.status_code == 409 and "只有失败的导入可以重新运行（本次导入排队中）" in not_failed.json()["message"]

    gone = failed_import()
    gone.file.delete(save=False)
    response = client.post(f"/api/v1/regions/imports/{gone.pk}/rerun", headers=headers)
    assert response.status_code == 400 and response.json()["message"] == "原上传文件已不存在，请重新上传"
    assert client.post(f"/api/v1/regions/imports/{job.pk}/rerun", headers=bearer(make_user("admin", YANJI))).status_code == 403
