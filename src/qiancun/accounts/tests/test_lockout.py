"""Login lockout per account and address, a slower limit per account, and the security administrator's unlock."""

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from qiancun.core.models import AuditEntry
from qiancun.core.testing import PASSWORD, YANJI, client_for, make_user, province_admin

pytestmark = pytest.mark.django_db


def attempt(user, address: str, password: str = "wrong-Pass1"):
    return Client(REMOTE_ADDR=address).post(reverse("accounts:login"), {"username": user.username, "password": password})


def test_five_wrong_passwords_from_one_address_do_not_lock_the_province_administrator_out_of_his_desk():
    admin = province_admin()
    for _ in range(5):
        attempt(admin, "10.9.9.9")
    assert attempt(admin, "10.9.9.9", PASSWORD).status_code == 429  # that address stays locked
    owner = attempt(admin, "10.22.0.1", PASSWORD)
    assert owner.status_code == 302 and owner.wsgi_request.user == admin


@override_settings(QIANCUN_LOGIN_ACCOUNT_FAILURE_LIMIT=12)
def test_failures_from_many_addresses_lock_the_whole_account_at_the_slower_limit():
    user = make_user("staff", YANJI)
    for n in range(11):
        attempt(user, f"10.8.0.{n}")  # 11 addresses, never 5 from one
    assert attempt(user, "10.22.0.1", PASSWORD).status_code == 302
    attempt(user, "10.8.0.99")  # the 12th failure (the good login reset only its own address)
    locked = attempt(user, "10.22.0.1", PASSWORD)
    assert locked.status_code == 429 and "锁定 30 分钟" in locked.content.decode()
    assert "locked_out" in AuditEntry.objects.filter(actor_username=user.username).values_list("action", flat=True)


def test_the_security_administrator_unlocks_an_account_on_the_page_and_the_audit_records_it():
    user = make_user("staff", "222401100")
    for _ in range(5):
        attempt(user, "10.1.1.1")
    assert attempt(user, "10.1.1.1", PASSWORD).status_code == 429
    security = make_user("security_admin", YANJI)
    web = client_for(security)
    page = web.get(reverse("accounts:security"), {"locked": "1"})
    assert [u.username for u in page.context["page_obj"]] == [user.username]
    assert 'data-testid="locked"' in page.content.decode()
    done = web.post(reverse("accounts:user_unlock", args=[user.pk]))
    assert done.status_code == 302
    assert attempt(user, "10.1.1.1", PASSWORD).status_code == 302
    entry = AuditEntry.objects.filter(object_id=str(user.pk), action="update").latest("id")
    assert entry.actor == security and entry.changes == {"locked": [True, False]}
    assert entry.labelled_changes() == [("登录锁定", [True, False])]


def test_unlock_through_the_api_is_the_security_administrators_and_stays_in_scope():
    user = make_user("staff", "222401100")
    for _ in range(5):
        attempt(user, "10.1.1.2")
    assert client_for(make_user("admin", YANJI)).post(f"/api/v1/users/{user.pk}/unlock").status_code == 403
    assert client_for(make_user("security_admin", "2201")).post(f"/api/v1/users/{user.pk}/unlock").status_code == 404
    security = client_for(make_user("security_admin", YANJI))
    listed = security.get("/api/v1/account-security", {"locked": True}).json()
    assert [(u["username"], u["locked"], u["recent_failures"]) for u in listed["items"]] == [(user.username, True, 5)]
    answer = security.post(f"/api/v1/users/{user.pk}/unlock")
    assert answer.status_code == 200 and answer.json()["cleared_failures"] == 1
    assert security.get("/api/v1/account-security", {"locked": True}).json()["count"] == 0
    assert attempt(user, "10.1.1.2", PASSWORD).status_code == 302


def test_one_address_alone_cannot_lock_the_account_for_everyone():
    # Attempts refused because that address is already locked out do not count towards the account's limit (20).
    admin = province_admin()
    answers = [attempt(admin, "10.9.9.50").status_code for _ in range(25)]
    assert answers == [200] * 4 + [429] * 21
    owner = attempt(admin, "10.22.0.1", PASSWORD)
    assert owner.status_code == 302 and owner.wsgi_request.user == admin
