import pytest

from qiancun.accounts.actions import do_create_api_token, do_set_user_active
from qiancun.accounts.models import ApiToken, User
from qiancun.core.testing import CHANGCHUN, YANJI, api_token, client_for, make_user, province_admin

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_me_tells_role_scope_and_permissions(client):
    secret = api_token(make_user("admin", YANJI), "对接")
    body = client.get("/api/v1/me", headers=bearer(secret)).json()
    assert body["role_label"] == "县级管理员" and body["scope_code"] == YANJI and body["scope_name"] == "延吉市"
    assert "user.manage" in body["permissions"] and "region.import" not in body["permissions"]


def test_tokens_are_shown_once_stored_hashed_and_stop_working_when_revoked(client):
    user = make_user("staff", YANJI)
    web = client_for(user)
    created = web.post("/api/v1/tokens", {"name": "市级对接", "expires_in_days": 30}, content_type="application/json")
    assert created.status_code == 201
    secret = created.json()["secret"]
    assert secret.startswith("qc_")
    assert not ApiToken.objects.filter(key_hash=secret).exists()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    listed = client.get("/api/v1/tokens", headers=bearer(secret)).json()
    assert "secret" not in listed[0] and listed[0]["last_used_at"] is not None
    revoked = client.delete(f"/api/v1/tokens/{created.json()['token']['id']}", headers=bearer(secret))
    assert revoked.status_code == 200
    refused = client.get("/api/v1/me", headers=bearer(secret))
    assert refused.status_code == 401 and refused.json()["code"] == "unauthenticated"


def test_a_disabled_users_tokens_stop_working(client):
    user = make_user("staff", YANJI)
    _token, secret = do_create_api_token(acting_user=user, name="对接")
    do_set_user_active(user, False, acting_user=province_admin())
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_session_api_writes_need_the_csrf_token():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user("staff", YANJI))
    refused = client.post("/api/v1/tokens", {"name": "x"}, content_type="application/json")
    assert refused.status_code in (401, 403)
    assert not ApiToken.objects.exists()


def test_admin_creates_and_edits_users_through_the_api(client):
    secret = api_token(make_user("admin", CHANGCHUN), "用户同步")
    created = client.post(
        "/api/v1/users",
        {"username": "shuangyang", "display_name": "双阳区干部", "role": "staff", "scope_code": "220112"},
        content_type="application/json",
        headers=bearer(secret),
    )
    assert created.status_code == 201
    assert created.json()["user"]["must_change_password"] is True and len(created.json()["temporary_password"]) == 12
    user_id = created.json()["user"]["id"]
    patched = client.patch(
        f"/api/v1/users/{user_id}", {"role": "inspector"}, content_type="application/json", headers=bearer(secret)
    )
    assert patched.json()["role"] == "inspector"
    outside = client.patch(
        f"/api/v1/users/{user_id}", {"scope_code": YANJI}, content_type="application/json", headers=bearer(secret)
    )
    assert outside.status_code == 400 and outside.json()["field"] == "scope"
    assert client.post(f"/api/v1/users/{user_id}/deactivate", headers=bearer(secret)).json()["is_active"] is False
    reset = client.post(f"/api/v1/users/{user_id}/reset-password", headers=bearer(secret)).json()
    assert User.objects.get(pk=user_id).check_password(reset["temporary_password"])


def test_api_validation_errors_are_chinese_and_name_the_field(client):
    secret = api_token(make_user("admin", CHANGCHUN), "用户同步")
    response = client.post(
        "/api/v1/users", {"username": "x1x", "role": "staff"}, content_type="application/json", headers=bearer(secret)
    )
    body = response.json()
    assert response.status_code == 400 and body["code"] == "invalid"
    assert body["message"] == "字段 display_name：必填"
    assert {d["field"] for d in body["details"]} == {"display_name", "scope_code"}
    duplicate = client.post(
        "/api/v1/users",
        {"username": "t_admin_2201", "display_name": "重名", "role": "staff", "scope_code": "2201"},
        content_type="application/json",
        headers=bearer(secret),
    )
    assert duplicate.status_code == 409 and duplicate.json()["field"] == "username"


def test_users_outside_the_scope_are_404_through_the_api(client):
    secret = api_token(make_user("admin", CHANGCHUN), "x")
    other = make_user("staff", YANJI)
    response = client.get(f"/api/v1/users/{other.pk}", headers=bearer(secret))
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    listed = client.get("/api/v1/users", headers=bearer(secret)).json()
    assert all(u["scope_code"].startswith(CHANGCHUN) for u in listed["items"])


def test_an_expired_token_is_refused_and_the_lookup_agrees_with_usable(client):
    """The API's token lookup is one plain statement (core/api_base.py); it must answer as
    ApiToken.objects.usable() does for live, expired and revoked tokens."""
    from datetime import timedelta

    from django.utils import timezone

    user = make_user("staff", YANJI)
    live = do_create_api_token(acting_user=user, name="有效")[1]
    expired_token, expired = do_create_api_token(acting_user=user, name="已过期", expires_in_days=1)
    ApiToken.objects.filter(pk=expired_token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    revoked_token, revoked = do_create_api_token(acting_user=user, name="已吊销")
    ApiToken.objects.filter(pk=revoked_token.pk).update(revoked_at=timezone.now())

    answers = {name: client.get("/api/v1/me", headers=bearer(secret)).status_code
               for name, secret in (("live", live), ("expired", expired), ("revoked", revoked))}
    assert answers == {"live": 200, "expired": 401, "revoked": 401}
    assert set(ApiToken.objects.usable().filter(user=user).values_list("name", flat=True)) == {"有效"}
    assert client.get("/api/v1/me", headers=bearer(live)).json()["scope_name"] == "延吉市"  # the scope still resolves
