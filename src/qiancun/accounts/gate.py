"""What a signed-in user must do before anything else opens: verify the second factor, change an
expired or temporary password, set up the second factor (required for administrators).

Read by `AccountGateMiddleware` for pages and by the API's session authentication; API tokens are
created only after the full login, so they are not asked again.
"""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

VERIFY = "accounts:otp_verify"
PASSWORD = "accounts:password_change"
SETUP = "accounts:otp_setup"


def requires_second_factor(user) -> bool:
    return user.is_superuser or user.role in settings.QIANCUN_OTP_REQUIRED_ROLES


def has_second_factor(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def password_max_age(user) -> int | None:
    return settings.QIANCUN_PASSWORD_MAX_AGE_DAYS.get(user.role)


def password_expired(user) -> bool:
    """Older than the role's maximum age (accounts from before the date was kept count from joining)."""
    days = password_max_age(user)
    if not days:
        return False
    changed = user.password_changed_at or user.date_joined
    return changed < timezone.now() - timedelta(days=days)


def is_verified(user) -> bool:
    check = getattr(user, "is_verified", None)  # set by django_otp's OTPMiddleware
    return bool(check and check())


def pending_step(user) -> str | None:
    """The URL name of the step this signed-in user must take first, or None when all is done.

    The second factor is verified before a password change, so a stolen password alone cannot
    change it; an administrator without a device first makes the temporary password their own.
    """
    if not user.is_authenticated:
        return None
    verified = is_verified(user)
    if not verified and has_second_factor(user):
        return VERIFY
    if user.must_change_password or password_expired(user):
        return PASSWORD
    if not verified and requires_second_factor(user):
        return SETUP
    return None
