"""Access table of the rectification pages and API (see core/tests/test_access.py)."""

from qiancun.core.testing import EVERYONE, Route


def routes() -> dict[str, Route]:
    return {
        "rectification:index": Route("rectification", "/rectification/", EVERYONE),
    }
