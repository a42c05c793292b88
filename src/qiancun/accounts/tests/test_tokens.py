"""API tokens as a 等保 level-3 assessor expects them: no token mints another, every token expires,
and an administrator's tokens live behind the second factor."""

from datetime import timedelta

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from qiancun.accounts.actions import do_create_api_token, do_update_user
from qiancun.accounts.models import ApiToken
from qiancun.core.errors import DomainError
from qiancun.core.testing import YANJI, api_token, client_for, give_second_factor, make_user, province_admin

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def test_a_token_cannot_mint_another_token():
    secret = api_token(make_user("staff", YANJI), "县级对接")
    refused = Client().post("/api/v1/tokens", {"name": "再来一个"}, content_type="application/json", headers=bearer(secret))
    assert refused.status_code == 403
    assert refused.json() == {"code": "forbidden", "message": "不能用 API 令牌创建新令牌：请登录网页，在“API 令牌”页面创建"}
    assert ApiToken.objects.count() == 1


def test_tokens_live_ninety_days_by_default_and_never_more_than_a_year():
    user = make_user("staff", YANJI)
    web = client_for(user)
    web.post(reverse("accounts:token_list"), {"name": "默认有效期", "expires_in_days": ""})
    token = ApiToken.objects.get(user=user, name="默认有效期")
    assert abs(token.expires_at - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    too_long = web.post("/api/v1/tokens", {"name": "长期", "expires_in_days": 366}, content_type="application/json")
    assert too_long.status_code == 400
    assert too_long.json()["field"] == "expires_in_days" and too_long.json()["message"] == "有效期须为 1–365 天"
    page = web.post(reverse("accounts:token_list"), {"name": "长期", "expires_in_days": "3650"})
    assert page.context["form"].errors["expires_in_days"] == ["有效期须为 1–365 天"]
    year = web.post("/api/v1/tokens", {"name": "一年", "expires_in_days": 365}, content_type="application/json")
    assert year.status_code == 201
    assert not ApiToken.objects.filter(expires_at__isnull=True).exists()


@override_settings(QIANCUN_API_TOKEN_DEFAULT_DAYS=30, QIANCUN_API_TOKEN_MAX_DAYS=60)
def test_token_lifetimes_come_from_the_settings():
    token, _ = do_create_api_token(acting_user=make_user("staff", YANJI), name="短期")
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)
    with pytest.raises(DomainError) as caught:
        do_create_api_token(acting_user=make_user("staff", YANJI), name="过长", expires_in_days=61)
    assert caught.value.message == "有效期须为 1–60 天"


def test_an_administrator_creates_tokens_only_after_setting_up_the_second_factor():
    admin = make_user("admin", YANJI)
    with pytest.raises(DomainError) as caught:
        do_create_api_token(acting_user=admin, name="同步")
    assert caught.value.code == "conflict" and caught.value.message == "须先启用双因素认证，才能创建 API 令牌"
    assert not ApiToken.objects.filter(user=admin).exists()
    give_second_factor(admin)
    token, _ = do_create_api_token(acting_user=admin, name="同步")
    assert token.user == admin


def test_an_administrators_tokens_stop_when_the_second_factor_is_reset():
    admin = make_user("admin", YANJI)
    secret = api_token(admin, "同步")
    assert Client().get("/api/v1/me", headers=bearer(secret)).status_code == 200
    reset = client_for(make_user("security_admin", "22")).post(f"/api/v1/users/{admin.pk}/reset-2fa")
    assert reset.status_code == 200
    assert Client().get("/api/v1/me", headers=bearer(secret)).status_code == 401
    give_second_factor(admin)  # a new phone does not bring the old tokens back
    assert Client().get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert ApiToken.objects.get(user=admin).revoked_at is not None


def test_a_staff_token_stops_when_its_owner_becomes_an_administrator_without_the_second_factor():
    user = make_user("staff", "222401100")
    secret = api_token(user, "乡镇对接")
    do_update_user(user, acting_user=province_admin(), role="admin", scope_code=YANJI)
    assert Client().get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert not ApiToken.objects.usable().filter(user=user).exists()  # the lookup and usable() agree
    give_second_factor(user)
    assert Client().get("/api/v1/me", headers=bearer(secret)).status_code == 200
    assert ApiToken.objects.usable().filter(user=user).count() == 1


def test_the_security_administrator_revokes_every_token_of_a_user_in_scope():
    staff = make_user("staff", "222401100")
    first, second = api_token(staff, "一"), api_token(staff, "二")
    assert client_for(make_user("admin", YANJI)).post(f"/api/v1/users/{staff.pk}/revoke-tokens").status_code == 403
    answer = client_for(make_user("security_admin", YANJI)).post(f"/api/v1/users/{staff.pk}/revoke-tokens")
    assert answer.status_code == 200 and answer.json()["revoked"] == 2
    assert [Client().get("/api/v1/me", headers=bearer(s)).status_code for s in (first, second)] == [401, 401]
