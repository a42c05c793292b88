"""Demo positions: every village lands inside its county's outline, the same point each time, and a
position someone entered is kept."""

from decimal import Decimal

import pytest

from qiancun.core.testing import YANJI_VILLAGE
from qiancun.regions import demo
from qiancun.regions.models import Region

pytestmark = pytest.mark.django_db


def test_demo_positions_fall_inside_the_county_and_keep_what_was_entered():
    Region.objects.filter(code=YANJI_VILLAGE).update(longitude=Decimal("129.5"), latitude=Decimal("42.9"))

    placed = demo.seed_positions()

    villages = Region.objects.villages()
    assert placed == villages.count() - 1
    assert not villages.filter(longitude__isnull=True).exists()  # development zones go inside a county of their city
    entered = villages.get(code=YANJI_VILLAGE)
    assert (entered.longitude, entered.latitude) == (Decimal("129.5"), Decimal("42.9"))
    outlines = demo._outlines()
    for village in villages.filter(code__startswith="222401").exclude(code=YANJI_VILLAGE)[:50]:
        assert demo._inside(float(village.longitude), float(village.latitude), outlines["222401"])

    again = list(villages.values_list("code", "longitude", "latitude"))
    Region.objects.filter(level="village").exclude(code=YANJI_VILLAGE).update(longitude=None, latitude=None)
    demo.seed_positions()
    assert list(villages.values_list("code", "longitude", "latitude")) == again  # the same points every time
