"""The demo's draws follow the rule they demonstrate: committed to a later lottery draw, seeded with it, verified."""

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qiancun.campaigns.demo import seed_campaigns
from qiancun.core.testing import make_user, province_admin
from qiancun.inspections import draws
from qiancun.inspections.demo import seed_inspections
from qiancun.inspections.models import Draw

# The demo runs on SQLite (`make demo`), where this checks it; seeding it again on PostgreSQL took CI 8 minutes.
pytestmark = [
    pytest.mark.django_db, pytest.mark.long,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="the demo is seeded on SQLite (make demo)"),
]


def test_every_demo_draw_was_committed_before_its_seed_and_verifies():
    admin = province_admin()
    make_user("inspector", "22", username="inspector")  # seed_demo's province inspector
    seed_campaigns(admin, "Demo@2022qc")
    seed_inspections(admin, "Demo@2022qc")
    demo_draws = list(Draw.objects.prefetch_related("links").order_by("id"))
    assert len(demo_draws) == 10  # nine cities' re-checks and the province's spot-check
    for draw in demo_draws:
        assert draw.algorithm == draws.ALGORITHM and draw.status == "drawn"
        assert timezone.localdate(draw.published_at) < draw.source_date <= timezone.localdate(draw.drawn_at)
        assert draw.seed.startswith(f"fc3d:{draw.source_issue}:")
        check = draws.verify(draw)
        assert check.ok, (draw.pk, check.problems())
    page = Client().get(reverse("inspections:draw_detail", args=[demo_draws[-1].pk]))
    assert page.status_code == 200 and "验证一致" in page.content.decode()
