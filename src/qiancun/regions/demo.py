"""Demo and benchmark data only: synthetic village positions.

The division sources carry no village coordinates, so the demo (and the benchmark's province data)
place each village at a point inside its county's outline (`data/geo/jilin_counties.geojson`),
deterministic per code. Villages of development zones, which have no outline of their own, are placed
inside the first county of their city. Villages that already have a position keep it. Never for
production data: real positions are entered on the village page or through the API.
"""

import json
import random
from pathlib import Path

from django.db import transaction

from .cache import tree_changed
from .models import Region

COUNTIES = Path(__file__).resolve().parents[3] / "data" / "geo" / "jilin_counties.geojson"


def _outlines() -> dict[str, list[tuple[float, float]]]:
    """The largest outer ring of each county, by code."""
    rings = {}
    for feature in json.loads(COUNTIES.read_text(encoding="utf-8"))["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        rings[feature["properties"]["code"]] = max(([tuple(p) for p in polygon[0]] for polygon in polygons), key=len)
    return rings


def _inside(x: float, y: float, ring: list[tuple[float, float]]) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < (x2 - x1) * (y - y1) / (y2 - y1) + x1:
            inside = not inside
    return inside


@transaction.atomic
def seed_positions() -> int:
    """Place every village without a position inside its county's outline; returns how many."""
    rings = _outlines()
    first_of_city = {}
    for code in sorted(rings):
        first_of_city.setdefault(code[:4], rings[code])
    placed = []
    for code in Region.objects.villages().filter(longitude__isnull=True).values_list("code", flat=True).order_by("code"):
        ring = rings.get(code[:6]) or first_of_city.get(code[:4])
        if ring is None:
            continue
        xs, ys = [p[0] for p in ring], [p[1] for p in ring]
        rng = random.Random(code)
        for _ in range(50):
            x, y = rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys))
            if _inside(x, y, ring):
                break
        placed.append(Region(code=code, longitude=round(x, 6), latitude=round(y, 6)))
    Region.objects.bulk_update(placed, ["longitude", "latitude"], batch_size=2000)
    if placed:
        tree_changed()
    return len(placed)
