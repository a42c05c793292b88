"""Every schema name in the published OpenAPI document stands for one schema (issue #11): OpenAPI keeps
one component per name, so two classes of the same name made some answers differ from the document."""

from collections import defaultdict
from datetime import date

import pytest
from pydantic import BaseModel

from qiancun.api import api
from qiancun.core.testing import YANJI, client_for, make_user
from qiancun.inspections import actions as inspection_actions
from qiancun.rectification.tests.factories import yanji_enrollment

from .openapi import answer_errors, operations, own_definitions


def _nested_models(annotation, found: set):
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                _nested_models(field.annotation, found)
        return
    for argument in getattr(annotation, "__args__", ()):
        _nested_models(argument, found)


def test_no_two_schema_classes_share_a_name():
    classes = defaultdict(set)
    count = 0
    for op in operations(api):
        count += 1
        found = set()
        for model in [*op.models, *(m for s, m in op.response_models.items() if s is not Ellipsis and m)]:
            for field in model.model_fields.values():  # the operation's own wrapper is not a component
                _nested_models(field.annotation, found)
        for model in found:
            classes[model.__name__].add(f"{model.__module__}.{model.__qualname__}")
    assert count > 100
    assert {name: sorted(where) for name, where in classes.items() if len(where) > 1} == {}


def test_each_operation_finds_its_own_schemas_in_the_document():
    components = api.get_openapi_schema()["components"]["schemas"]
    differing = sorted({
        f"{name} ({op.view_func.__module__}.{op.view_func.__name__})"
        for op in operations(api) for name, schema in own_definitions(op) if components.get(name) != schema
    })
    assert differing == []


@pytest.mark.django_db
def test_inspection_round_and_campaign_answers_match_the_published_schema():
    """The answers whose schemas another domain's class of the same name replaced in the document."""
    enrollment = yanji_enrollment()
    county = make_user("staff", YANJI)
    round = inspection_actions.do_create_round(enrollment.campaign, acting_user=county, kind="self_check", name="延吉市自查",
                                               starts_on=date(2022, 5, 20), ends_on=date(2022, 6, 10))
    client = client_for(county)
    answers = {
        "/api/v1/rounds": client.get("/api/v1/rounds"),
        "/api/v1/rounds/{round_id}": client.get(f"/api/v1/rounds/{round.pk}"),
        "/api/v1/campaigns/{year}/overview": client.get("/api/v1/campaigns/2022/overview"),
        "/api/v1/enrollments/{enrollment_id}": client.get(f"/api/v1/enrollments/{enrollment.pk}"),
    }
    assert {path: answer.status_code for path, answer in answers.items()} == dict.fromkeys(answers, 200)
    assert answers["/api/v1/rounds"].json()[0]["id"] == round.pk
    assert answers["/api/v1/enrollments/{enrollment_id}"].json()["events"] != []
    assert {path: answer_errors(answer, "get", path) for path, answer in answers.items()} == dict.fromkeys(answers, [])
