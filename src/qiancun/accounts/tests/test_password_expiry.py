"""Administrators' passwords expire (QIANCUN_PASSWORD_MAX_AGE_DAYS, 90 days by default); others' do not."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from qiancun.core.testing import PASSWORD, YANJI, client_for, make_user

pytestmark = pytest.mark.django_db


def age_password(user, days: int) -> None:
    user.password_changed_at = timezone.now() - timedelta(days=days)
    user.save(update_fields=["password_changed_at"])


def test_admin_password_older_than_90_days_forces_the_change_page():
    admin = make_user("admin", YANJI)
    age_password(admin, 91)
    client = client_for(admin)
    response = client.get(reverse("core:home"))
    assert response["Location"] == reverse("accounts:password_change")
    page = client.get(reverse("accounts:password_change"))
    assert "密码已超过 90 天未修改" in page.content.decode()
    assert client.get("/api/v1/me").status_code == 401  # the session does not open the API either

    done = client.post(reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password": "Neues@2025pw", "new_password_again": "Neues@2025pw",
    })
    assert done.status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


def test_admin_password_younger_than_the_limit_and_staff_passwords_never_expire():
    admin = make_user("admin", YANJI)
    age_password(admin, 89)
    assert client_for(admin).get(reverse("core:home")).status_code == 200
    staff = make_user("staff", YANJI)
    age_password(staff, 1000)
    assert client_for(staff).get(reverse("core:home")).status_code == 200


@override_settings(QIANCUN_PASSWORD_MAX_AGE_DAYS={"admin": 30, "staff": 60})
def test_the_maximum_age_is_configurable_per_role():
    admin, staff = make_user("admin", YANJI), make_user("staff", YANJI)
    age_password(admin, 31)
    age_password(staff, 61)
    assert client_for(admin).get(reverse("core:home"))["Location"] == reverse("accounts:password_change")
    assert client_for(staff).get(reverse("core:home"))["Location"] == reverse("accounts:password_change")
