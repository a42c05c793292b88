"""Access table of the inspections pages and API (see core/tests/test_access.py)."""

from qiancun.core.testing import Route


def routes() -> dict[str, Route]:
    return {
        "inspections:index": Route("inspections", "/inspections/", {("staff", "222401")}),
    }
