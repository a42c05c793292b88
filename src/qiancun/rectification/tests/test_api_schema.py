"""The problems' answers match the published OpenAPI document (issue #11: the enrollments' `EventOut`
and the campaign overview's `CountsOut`/`OverviewOut` once took the place of theirs)."""

import pytest

from qiancun.core.testing import YANJI, client_for, make_user
from qiancun.core.tests.openapi import answer_errors

from .factories import fixing, open_problem

pytestmark = pytest.mark.django_db


def test_problem_detail_and_overview_answers_match_the_published_schema():
    problem = fixing(open_problem())
    county = client_for(make_user("staff", YANJI))
    detail = county.get(f"/api/v1/problems/{problem.pk}")
    assert detail.status_code == 200 and [e["step"] for e in detail.json()["events"]] == ["open", "start"]
    assert answer_errors(detail, "get", "/api/v1/problems/{problem_id}") == []
    overview = county.get("/api/v1/rectification/overview")
    assert overview.status_code == 200 and overview.json()["totals"]["open"] == 1
    assert answer_errors(overview, "get", "/api/v1/rectification/overview") == []
