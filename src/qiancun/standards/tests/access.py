"""Access table of the standards pages and API (see core/tests/test_access.py)."""

from qiancun.core.testing import EVERYONE, Route


def routes() -> dict[str, Route]:
    return {
        "standards:list": Route("standards", "/standards/", EVERYONE),
    }
