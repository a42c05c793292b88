"""Access table of the core pages and API (see core/tests/test_access.py)."""

from qiancun.core.testing import AUDITORS, EVERYONE, NOT_AUDITORS, Route


def routes() -> dict[str, Route]:
    return {
        "core:home": Route("home", "/", EVERYONE),
        # 三员分立: only the audit administrator reads the log; the system administrator does not.
        "core:audit_list": Route("audit", "/audit/", AUDITORS, NOT_AUDITORS),
        "GET /api/v1/audit": Route("audit api", "/api/v1/audit", AUDITORS, NOT_AUDITORS, api=True),
    }
