"""Access table of the campaigns pages and API (see core/tests/test_access.py)."""

from qiancun.core.testing import EVERYONE, Route


def routes() -> dict[str, Route]:
    return {
        "campaigns:list": Route("campaigns", "/campaigns/", EVERYONE),
    }
