import pytest
from django.test import Client
from django.urls import reverse

from qiancun.core.models import AuditEntry
from qiancun.core.testing import CHANGCHUN, PASSWORD, YANJI, YANJI_VILLAGE, api_token, client_for, make_user

pytestmark = pytest.mark.django_db


def test_login_logout_and_failed_login_are_recorded_with_the_address():
    user = make_user("staff", YANJI)
    client = Client(REMOTE_ADDR="10.22.1.7", HTTP_USER_AGENT="Mozilla/5.0 qiancun-test")
    client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong-one"})
    client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    client.post(reverse("accounts:logout"))
    entries = list(AuditEntry.objects.filter(actor_username=user.username).order_by("id"))
    assert [e.action for e in entries][-3:] == ["login_failed", "login", "logout"]
    assert all(e.ip_address == "10.22.1.7" and "qiancun-test" in e.user_agent for e in entries[-3:])
    assert entries[-1].region_code == YANJI


def test_failed_login_for_an_unknown_account_is_recorded_too(client):
    client.post(reverse("accounts:login"), {"username": "nobody", "password": "x"})
    entry = AuditEntry.objects.latest("id")
    assert entry.action == "login_failed" and entry.actor_username == "nobody" and entry.actor is None


def test_city_auditors_see_their_own_scope_and_province_auditors_see_all():
    yanji_admin = make_user("admin", YANJI)
    changchun_auditor = make_user("auditor", CHANGCHUN)
    client_for(yanji_admin).post(
        reverse("regions:village_edit", args=[YANJI_VILLAGE]), {"village_type": "urban"}
    )
    city_view = client_for(changchun_auditor).get(reverse("core:audit_list"), {"object_id": YANJI_VILLAGE})
    assert city_view.context["page_obj"].paginator.count == 0
    province_view = client_for(make_user("auditor", "22")).get(reverse("core:audit_list"), {"object_id": YANJI_VILLAGE})
    assert province_view.context["page_obj"].paginator.count == 1
    assert "村庄类型: 村 → 社区" in province_view.content.decode().replace("</span>", "")


def test_audit_filters_by_user_action_and_date():
    make_user("staff", YANJI)
    client = client_for(make_user("auditor", "22"))
    page = client.get(reverse("core:audit_list"), {"user": "t_province_admin", "action": "create"})
    entries = list(page.context["page_obj"])
    assert entries and all(e.action == "create" and e.actor_username == "t_province_admin" for e in entries)
    assert client.get(reverse("core:audit_list"), {"since": "2000-01-01", "until": "2000-01-02"}).context["page_obj"].paginator.count == 0


def test_audit_api_is_scoped_the_same_way(client):
    secret = api_token(make_user("auditor", CHANGCHUN), "审计")
    body = client.get("/api/v1/audit", {"action": "create"}, headers={"Authorization": f"Bearer {secret}"}).json()
    assert body["count"] > 0
    assert all(item["region_code"].startswith(CHANGCHUN) for item in body["items"])


def test_audit_entries_cannot_be_changed_or_deleted():
    make_user("staff", YANJI)
    entry = AuditEntry.objects.latest("id")
    entry.object_repr = "篡改"
    with pytest.raises(RuntimeError):
        entry.save()
    with pytest.raises(RuntimeError):
        entry.delete()


def test_an_impossible_date_in_the_audit_filter_filters_nothing():
    response = client_for(make_user("auditor", "22")).get(reverse("core:audit_list"), {"since": "2022-02-30"})
    assert response.status_code == 200


def test_times_and_dates_in_an_audit_change_read_in_chinese_and_beijing_time():
    from qiancun.core.audit import record_audit

    record_audit("update", object_type="accounts.apitoken", object_id="990001", object_repr="对接令牌", region_code="22",
                 changes={"expires_at": [None, "2027-03-02T09:26:50.701098+00:00"], "due": ["2022-05-20", "2022-06-10"],
                 "note": ["2022-05-2x", "ok"]})
    html = client_for(make_user("auditor", "22")).get(reverse("core:audit_list"), {"object_id": "990001"}).content.decode()
    assert "∅ → 2027年3月2日 17:26:50" in html
    assert "2022年5月20日 → 2022年6月10日" in html
    assert "2022-05-2x → ok" in html  # text that only looks like a date stays as written
    assert "T09:26:50" not in html
