"""Access table of the participation pages and API (see core/tests/test_access.py)."""

from qiancun.core.testing import Route


def routes() -> dict[str, Route]:
    return {
        "participation:index": Route("participation", "/participation/", {("staff", "222401")}),
    }
