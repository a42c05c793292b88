"""Login lockout that nobody can turn against an account from afar.

django-axes counts failures per account *and address* (`AXES_LOCKOUT_PARAMETERS`): five wrong
passwords from one address lock that address out of that account for 30 minutes, while the owner,
signing in from their own desk, is not touched. A slower limit counts the account's failures from
every address together (`QIANCUN_LOGIN_ACCOUNT_FAILURE_LIMIT` in the same 30 minutes): a password
guessed from many addresses still locks the whole account. Failures sent while an address is already
locked are not counted (`AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False`), so one address adds at
most five to the account's total. The security administrator lifts either
lock at once (`actions.do_unlock_account`).
"""

from datetime import timedelta

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Sum
from django.utils import timezone


def account_failures(username: str, since) -> int:
    """Failed logins of `username` from every address since `since`."""
    total = AccessAttempt.objects.filter(username=username, attempt_time__gte=since).aggregate(n=Sum("failures_since_start"))
    return total["n"] or 0


class AccountAndAddressLockoutHandler(AxesDatabaseHandler):
    """axes' database handler, plus the account-wide limit on top of the per-address one."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)  # this account from this address
        username = get_client_username(request, credentials)
        if username and account_failures(username, get_cool_off_threshold(request)) >= settings.QIANCUN_LOGIN_ACCOUNT_FAILURE_LIMIT:
            return max(failures, get_failure_limit(request, credentials))
        return failures


def lockouts(usernames) -> dict[str, dict]:
    """For the security page: each of `usernames` with recent failures → {failures, addresses, locked, until}."""
    since = timezone.now() - (get_cool_off() or timedelta(minutes=30))
    rows = (
        AccessAttempt.objects.filter(username__in=list(usernames), attempt_time__gte=since)
        .values("username", "ip_address")
        .annotate(n=Sum("failures_since_start"), last=Max("attempt_time"))
    )
    found: dict[str, dict] = {}
    for row in rows:
        entry = found.setdefault(row["username"], {"failures": 0, "addresses": 0, "locked": False, "last": row["last"]})
        entry["failures"] += row["n"]
        entry["addresses"] += 1
        entry["last"] = max(entry["last"], row["last"])
        if row["n"] >= settings.AXES_FAILURE_LIMIT:
            entry["locked"] = True
    for entry in found.values():
        if entry["failures"] >= settings.QIANCUN_LOGIN_ACCOUNT_FAILURE_LIMIT:
            entry["locked"] = True
        entry["until"] = entry["last"] + (get_cool_off() or timedelta(minutes=30))
    return found
