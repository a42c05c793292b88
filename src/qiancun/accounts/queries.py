"""Read helpers for the account security page and API (who is locked out, who has the second factor)."""

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from .lockout import lockouts
from .models import User


def security_users(user, *, q: str = "", locked_only: bool = False):
    """Accounts in `user`'s scope with their second factor and live tokens; `locked_only` keeps the
    ones locked out now (from one address or as a whole)."""
    now = timezone.now()
    users = (
        User.objects.for_user(user).select_related("scope")
        .annotate(
            has_otp=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)),
            live_tokens=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True)
                              & (Q(api_tokens__expires_at__isnull=True) | Q(api_tokens__expires_at__gt=now))),
        )
        .order_by("scope_id", "username")
    )
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
    if locked_only:
        from axes.models import AccessAttempt

        recent = AccessAttempt.objects.filter(username__in=users.values("username")).values_list("username", flat=True)
        locked = [name for name, state in lockouts(set(recent)).items() if state["locked"]]
        users = users.filter(username__in=locked)
    return users


def with_lockouts(users) -> list:
    """The page of users, each with `.lockout` (None when no recent failures)."""
    users = list(users)
    states = lockouts(u.username for u in users)
    for u in users:
        u.lockout = states.get(u.username)
    return users
