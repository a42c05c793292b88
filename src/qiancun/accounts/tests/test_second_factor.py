"""TOTP second factor: required for administrators, optional for others, recovery codes, resets; all audited."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from qiancun.core.models import AuditEntry
from qiancun.core.testing import (
    CHANGCHUN,
    PASSWORD,
    YANJI,
    client_for,
    give_second_factor,
    make_user,
    totp_code,
)

pytestmark = pytest.mark.django_db


def password_login(user) -> Client:
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def actions_of(user) -> list[str]:
    return list(AuditEntry.objects.filter(object_type="accounts.user", object_id=str(user.pk)).order_by("id").values_list("action", flat=True))


def set_up_authenticator(client) -> tuple[TOTPDevice, list[str]]:
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<svg" in html and 'data-testid="otp-qr"' in html  # the QR code, inline SVG from segno
    device = TOTPDevice.objects.get(user=page.wsgi_request.user, confirmed=False)
    secret = re.search(r'data-testid="otp-secret"[^>]*>([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    import base64

    assert base64.b32decode(secret) == device.bin_key
    done = client.post(reverse("accounts:otp_setup"), {"code": totp_code(device)})
    assert done.status_code == 200 and done["Cache-Control"] == "no-store"
    codes = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", done.content.decode())
    device.refresh_from_db()
    return device, codes


def test_admin_after_password_must_set_up_the_second_factor_before_anything_else():
    admin = make_user("admin", YANJI)
    client = password_login(admin)
    home = client.get(reverse("core:home"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts:otp_setup")
    deep = client.get(f"/regions/{YANJI}/")
    assert deep["Location"] == reverse("accounts:otp_setup")
    assert client.get(reverse("accounts:user_list"))["Location"].startswith(reverse("accounts:otp_setup"))
    # The session alone does not open the API either.
    assert client.get("/api/v1/me").status_code == 401

    device, codes = set_up_authenticator(client)
    assert device.confirmed
    assert len(codes) == 10 and len(set(codes)) == 10
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert actions_of(admin)[-2:] == ["login", "otp_enable"]


def test_a_wrong_setup_code_is_refused_with_the_field_named():
    client = password_login(make_user("admin", YANJI))
    client.get(reverse("accounts:otp_setup"))
    response = client.post(reverse("accounts:otp_setup"), {"code": "000000"})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    assert not TOTPDevice.objects.filter(user__username="t_admin_222401", confirmed=True).exists()


def test_admin_with_a_device_is_asked_for_the_code_after_the_password():
    admin = make_user("admin", YANJI)
    device = give_second_factor(admin)
    client = password_login(admin)
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:otp_verify")
    assert client.get(reverse("accounts:password_change"))["Location"].startswith(reverse("accounts:otp_verify"))
    assert client.get("/api/v1/me").status_code == 401

    wrong = client.post(reverse("accounts:otp_verify"), {"code": "123456"})
    assert "验证码不正确" in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1  # django-otp refuses every try for 1 s, then 2 s, 4 s …
    device.throttle_reset()  # (instead of waiting a second)
    ok = client.post(reverse("accounts:otp_verify"), {"code": totp_code(device)})
    assert ok.status_code == 302 and ok["Location"] == "/"
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    assert actions_of(admin)[-3:] == ["login", "otp_failed", "otp_verify"]


def test_verify_sends_back_to_the_page_asked_for_but_never_off_site():
    admin = make_user("admin", YANJI)
    device = give_second_factor(admin)
    client = password_login(admin)
    ok = client.post(reverse("accounts:otp_verify") + "?next=x", {"code": totp_code(device), "next": f"/regions/{YANJI}/"})
    assert ok["Location"] == f"/regions/{YANJI}/"
    client = password_login(admin)
    device.refresh_from_db()
    device.last_t = -1  # the same 30-second code again, for the test only
    device.save()
    evil = client.post(reverse("accounts:otp_verify"), {"code": totp_code(device), "next": "https://evil.example/"})
    assert evil["Location"] == "/"


def test_recovery_codes_work_once_each():
    admin = make_user("admin", YANJI)
    client = password_login(admin)
    _device, codes = set_up_authenticator(client)
    client.post(reverse("accounts:logout"))

    client = password_login(admin)
    response = client.post(reverse("accounts:otp_verify"), {"code": codes[0].upper()})  # case and dash do not matter
    assert response.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert StaticToken.objects.filter(device__user=admin).count() == 9
    client.post(reverse("accounts:logout"))

    client = password_login(admin)
    again = client.post(reverse("accounts:otp_verify"), {"code": codes[0]})
    assert again.status_code == 200 and "验证码不正确或已使用" in again.content.decode()
    assert client.get(reverse("core:home")).status_code == 302
    assert "otp_recovery_used" in actions_of(admin) and actions_of(admin)[-1] == "otp_failed"


def test_regenerating_recovery_codes_voids_the_old_ones():
    admin = make_user("admin", YANJI)
    client = password_login(admin)
    _device, old = set_up_authenticator(client)
    page = client.post(reverse("accounts:otp_recovery_codes"))
    new = re.findall(r"<li>([a-z2-7]{4}-[a-z2-7]{4})</li>", page.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    stored = set(StaticToken.objects.filter(device__user=admin).values_list("token", flat=True))
    assert stored == {c.replace("-", "") for c in new}
    assert actions_of(admin)[-1] == "otp_recovery_reset"


def test_second_factor_is_optional_for_staff_and_then_enforced_once_turned_on():
    staff = make_user("staff", YANJI)
    client = password_login(staff)
    assert client.get(reverse("core:home")).status_code == 200  # no device: nothing asked
    assert "未启用" in client.get(reverse("accounts:otp_overview")).content.decode()
    device, codes = set_up_authenticator(client)
    assert len(codes) == 10
    client.post(reverse("accounts:logout"))

    client = password_login(staff)
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:otp_verify")
    client.post(reverse("accounts:otp_verify"), {"code": codes[1]})
    assert client.get(reverse("core:home")).status_code == 200

    # Turned off by the user: the next login needs only the password.
    client.post(reverse("accounts:otp_disable"))
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert not StaticToken.objects.filter(device__user=staff).exists()
    assert actions_of(staff)[-1] == "otp_disable"
    client.post(reverse("accounts:logout"))
    assert password_login(staff).get(reverse("core:home")).status_code == 200


def test_an_admin_who_turns_it_off_must_set_it_up_again():
    admin = make_user("admin", YANJI)
    client = client_for(admin)
    assert client.get(reverse("core:home")).status_code == 200
    response = client.post(reverse("accounts:otp_disable"))
    assert response["Location"] == reverse("accounts:otp_setup")
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:otp_setup")


def test_the_security_administrator_resets_a_lost_phone_only_inside_their_scope():
    staff = make_user("staff", "222401100")
    give_second_factor(staff)
    changchun_security = client_for(make_user("security_admin", CHANGCHUN))
    assert changchun_security.post(reverse("accounts:user_otp_reset", args=[staff.pk])).status_code == 404
    # 三员分立: the system administrator, who resets passwords, cannot also reset the second factor.
    assert client_for(make_user("admin", YANJI)).post(reverse("accounts:user_otp_reset", args=[staff.pk])).status_code == 403
    assert TOTPDevice.objects.filter(user=staff).exists()

    yanji_security = make_user("security_admin", YANJI)
    page = client_for(yanji_security).get(reverse("accounts:security"), {"q": staff.username})
    assert "重置双因素认证" in page.content.decode()
    response = client_for(yanji_security).post(reverse("accounts:user_otp_reset", args=[staff.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=staff).exists()
    entry = AuditEntry.objects.filter(action="otp_disable").latest("id")
    assert (entry.actor_id, entry.object_id) == (yanji_security.pk, str(staff.pk))


def test_api_tokens_stay_token_only_and_session_api_needs_the_second_factor():
    from qiancun.accounts.actions import do_create_api_token

    admin = make_user("admin", YANJI)
    give_second_factor(admin)
    _token, raw = do_create_api_token(acting_user=admin, name="同步")
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    unverified = client_for(admin, verified=False)
    assert unverified.get("/api/v1/me").status_code == 401
    assert client_for(admin).get("/api/v1/me").status_code == 200
