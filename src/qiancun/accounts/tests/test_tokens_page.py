import pytest
from django.urls import reverse

from qiancun.accounts.actions import do_create_api_token
from qiancun.accounts.models import ApiToken
from qiancun.core.testing import YANJI, client_for, make_user

pytestmark = pytest.mark.django_db


def test_a_user_creates_a_token_sees_it_once_and_revokes_it(client):
    user = make_user("staff", YANJI)
    web = client_for(user)
    created = web.post(reverse("accounts:token_list"), {"name": "县级对接", "expires_in_days": ""})
    secret = created.context["new_secret"]
    assert secret in created.content.decode()
    assert secret not in web.get(reverse("accounts:token_list")).content.decode()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    token = ApiToken.objects.get(user=user)
    web.post(reverse("accounts:token_revoke", args=[token.pk]))
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_nobody_revokes_someone_elses_token():
    owner = make_user("staff", YANJI)
    token, _ = do_create_api_token(acting_user=owner, name="私有")
    for intruder in (make_user("admin", "22"), make_user("staff", "222401100")):
        assert client_for(intruder).post(reverse("accounts:token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_revoke_goes_to_login_and_get_is_not_allowed():
    token, _ = do_create_api_token(acting_user=make_user("staff", YANJI), name="x")
    from django.test import Client

    assert Client().post(reverse("accounts:token_revoke", args=[token.pk]))["Location"].startswith("/accounts/login/")
    assert client_for(token.user).get(reverse("accounts:token_revoke", args=[token.pk])).status_code == 405
