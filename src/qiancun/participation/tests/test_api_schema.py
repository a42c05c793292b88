"""The rating rounds' answers match the published OpenAPI document (issue #11: the inspection rounds'
`RoundOut` once took the place of theirs, so the document described other fields)."""


import pytest

from qiancun.core.testing import YANJI_VILLAGE, client_for
from qiancun.core.tests.openapi import answer_errors
from qiancun.participation import actions
from qiancun.participation.models import RatingRound

from .factories import county_criteria, household, village_staff

pytestmark = pytest.mark.django_db


def test_rating_round_answers_match_the_published_schema():
    county_criteria()
    staff = village_staff()
    hh = household()
    client = client_for(staff)
    created = client.post("/api/v1/participation/rounds", {"village_code": YANJI_VILLAGE, "name": "二季度", "starts_on": "2022-04-01",
                                                           "ends_on": "2022-06-30", "pass_score": 60}, content_type="application/json")
    assert created.status_code == 201, created.content
    assert answer_errors(created, "post", "/api/v1/participation/rounds") == []
    rnd = created.json()["id"]
    actions.do_rate(RatingRound.objects.get(pk=rnd), hh, acting_user=staff,
                    scores={str(c.pk): c.max_score for c in actions.criteria_for(YANJI_VILLAGE)})
    listed = client.get(f"/api/v1/participation/rounds?village={YANJI_VILLAGE}")
    assert listed.status_code == 200 and len(listed.json()) == 1
    assert answer_errors(listed, "get", "/api/v1/participation/rounds") == []
    detail = client.get(f"/api/v1/participation/rounds/{rnd}")
    assert detail.status_code == 200 and len(detail.json()["ratings"]) == 1
    assert answer_errors(detail, "get", "/api/v1/participation/rounds/{round_id}") == []
    published = client.post(f"/api/v1/participation/rounds/{rnd}/publish")
    assert published.status_code == 200
    assert answer_errors(published, "post", "/api/v1/participation/rounds/{round_id}/publish") == []
