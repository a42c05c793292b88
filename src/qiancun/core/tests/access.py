"""Access table of the core pages and API (see core/tests/test_access.py)."""

from qiancun.core.testing import ADMINS, EVERYONE, NOT_ADMINS, Route


def routes() -> dict[str, Route]:
    return {
        "core:home": Route("home", "/", EVERYONE),
        "core:audit_list": Route("audit", "/audit/", ADMINS, NOT_ADMINS),
        "GET /api/v1/audit": Route("audit api", "/api/v1/audit", ADMINS, NOT_ADMINS, api=True),
    }
