import pytest

from qiancun.campaigns import actions
from qiancun.campaigns.models import Tag
from qiancun.core.testing import api_token, make_user

from .factories import HUNCHUN, YANBIAN, YANJI, campaign_2022, with_quotas, yanji_villages

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user)}"}


def test_the_whole_nomination_flow_through_the_api(client):
    with_quotas(campaign_2022())
    county, city, province = bearer(make_user("staff", YANJI)), bearer(make_user("staff", YANBIAN)), bearer(make_user("staff", "22"))
    village = yanji_villages(1)[0]
    tag = Tag.objects.get(name="集聚提升类")
    created = client.post("/api/v1/campaigns/2022/enrollments", {"village_code": village.code, "tag_ids": [tag.pk]},
                          content_type="application/json", headers=county)
    assert created.status_code == 201 and created.json()["status"] == "nominated" and created.json()["tags"] == ["集聚提升类"]
    pk = created.json()["id"]
    again = client.post("/api/v1/campaigns/2022/enrollments", {"village_code": village.code}, content_type="application/json", headers=county)
    assert again.status_code == 409 and again.json()["field"] == "village"
    early = client.post(f"/api/v1/enrollments/{pk}/confirm", {}, content_type="application/json", headers=province)
    assert early.status_code == 400 and early.json()["code"] == "illegal_transition"
    client.post(f"/api/v1/enrollments/{pk}/review", {"approve": True}, content_type="application/json", headers=city)
    confirmed = client.post(f"/api/v1/enrollments/{pk}/confirm", {}, content_type="application/json", headers=province)
    assert confirmed.json()["status"] == "creating"
    detail = client.get(f"/api/v1/enrollments/{pk}", headers=county).json()
    assert [e["to_status"] for e in detail["events"]] == ["nominated", "under_review", "creating"]
    assert client.get(f"/api/v1/enrollments/{pk}", headers=bearer(make_user("staff", HUNCHUN))).status_code == 404


def test_overview_and_quotas_through_the_api(client):
    campaign = with_quotas(campaign_2022())
    actions.do_nominate(campaign, yanji_villages(1)[0], acting_user=make_user("staff", YANJI))
    body = client.get("/api/v1/campaigns/2022/overview", headers=bearer(make_user("leader", "22"))).json()
    assert body["target"] == {"total": 1000, "key_border": 119, "poverty": 295}
    assert body["allocated"] == {"total": 100, "key_border": 0, "poverty": 0}
    assert {r["region_code"]: r["nominated"] for r in body["rows"]}[YANBIAN] == 1
    city = bearer(make_user("admin", YANBIAN))
    too_many = client.put(f"/api/v1/campaigns/2022/quotas/{HUNCHUN}", {"total": 95}, content_type="application/json", headers=city)
    assert too_many.status_code == 400 and too_many.json()["field"] == "total"
    ok = client.put(f"/api/v1/campaigns/2022/quotas/{HUNCHUN}", {"total": 20}, content_type="application/json", headers=city)
    assert ok.json() == {"region_code": HUNCHUN, "total": 20, "key_border": 0, "poverty": 0}


def test_enrollment_list_filters_and_excel_export(client):
    campaign = with_quotas(campaign_2022())
    staff = make_user("staff", YANJI)
    for village in yanji_villages(3):
        actions.do_nominate(campaign, village, acting_user=staff, track="create")
    headers = bearer(staff)
    listed = client.get("/api/v1/campaigns/2022/enrollments", {"status": "nominated", "track": "create"}, headers=headers).json()
    assert listed["count"] == 3
    assert client.get("/api/v1/campaigns/2022/enrollments", {"status": "creating"}, headers=headers).json()["count"] == 0
    export = client.get("/api/v1/campaigns/2022/enrollments/export", headers=headers)
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxmlformats")


def test_shortfalls_through_the_api(client):
    campaign = with_quotas(campaign_2022())
    enrollment = actions.do_nominate(campaign, yanji_villages(1)[0], acting_user=make_user("staff", YANJI))
    headers = bearer(make_user("staff", YANJI))
    created = client.post(f"/api/v1/enrollments/{enrollment.pk}/shortfalls", {
        "gap": "无公厕", "action_plan": "新建公厕一座", "responsible_person": "王书记", "due_date": "2022-10-01",
    }, content_type="application/json", headers=headers)
    assert created.status_code == 201
    closed = client.patch(f"/api/v1/shortfalls/{created.json()['id']}", {"status": "closed"}, content_type="application/json", headers=headers)
    assert closed.json()["closed_at"] is not None
    assert client.get(f"/api/v1/enrollments/{enrollment.pk}", headers=headers).json()["progress_percent"] == 100
    leader = client.patch(f"/api/v1/shortfalls/{created.json()['id']}", {"status": "open"}, content_type="application/json",
                          headers=bearer(make_user("leader", "22")))
    assert leader.status_code == 403
