"""API fuzzing: schemathesis generates requests for every operation of the OpenAPI schema and sends them
in-process to the Django WSGI application, with the token of a province administrator and of a county
staff member. Whatever it sends, the API must never answer 5xx and every answer must match the schema.
"""

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from qiancun.accounts.actions import do_create_api_token
from qiancun.api import api
from qiancun.core.testing import YANJI, make_user

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

# Bounded: 122 operations × 2 users × EXAMPLES requests keeps one database's run near a minute.
EXAMPLES = 5
USERS = {"province_admin": ("admin", "22"), "county_staff": ("staff", YANJI)}

# Two app bugs fuzzing found (see the strict xfail tests below, which fail once they are fixed):
# 1. A JSON body that is not valid UTF-8/JSON gets Ninja's own `{"detail": "Cannot parse request body"}`
#    instead of the platform's `{code, message, field}` (no handler for ninja.errors.ParseError in
#    core/api_base.py). Every operation with a JSON body; the fuzz check tolerates exactly that answer.
UNPARSABLE_BODY_ANSWER = {"detail": "Cannot parse request body"}
# 2. Three response schemas are named `ImportOut` (standards, campaigns, participation); OpenAPI keeps
#    one, so the nomination import documents the household import's shape, and its 400 (missing file)
#    answers ErrorOut where the schema promises ImportOut. Schema conformance is skipped there only.
SCHEMA_NAME_CLASH = {"POST /api/v1/campaigns/{year}/enrollments/import"}


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """The raw WSGI handler closes the connection after each request (request_finished), which would
    end the test's transaction on PostgreSQL; Django's test Client disconnects it the same way."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(params=list(USERS))
def bearer(request, db):
    role, scope = USERS[request.param]
    user = make_user(role, scope, username=f"fuzz_{request.param}")
    _, raw = do_create_api_token(acting_user=user, name="fuzz")
    return {"Authorization": f"Bearer {raw}"}


def schema_conformance_except_known_bugs(ctx, response, case):
    key = f"{case.operation.method.upper()} {case.operation.path}"
    if key in SCHEMA_NAME_CLASH:
        return None
    if response.status_code == 400:
        try:
            if response.json() == UNPARSABLE_BODY_ANSWER:
                return None
        except ValueError:
            pass
    return response_schema_conformance(ctx, response, case)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_never_fails_and_answers_match_the_schema(case, bearer):
    case.call_and_validate(
        headers=bearer,
        checks=[not_a_server_error, schema_conformance_except_known_bugs, content_type_conformance],
    )


@pytest.mark.django_db
@pytest.mark.xfail(strict=True, reason="bug 1 above: unparsable JSON body answers {'detail': ...}, not {code, message}")
def test_an_unparsable_json_body_answers_in_the_error_shape(client):
    user = make_user("admin", "22", username="fuzz_province_admin")
    _, raw = do_create_api_token(acting_user=user, name="fuzz")
    response = client.post("/api/v1/users", b"\xff\xfe{", content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


@pytest.mark.xfail(strict=True, reason="bug 2 above: three schemas named ImportOut; OpenAPI documents only one")
def test_every_response_schema_name_is_unique():
    documented = api.get_openapi_schema()["components"]["schemas"]["ImportOut"]["properties"]
    assert "created" in documented  # what the nomination import answers: ok, created, errors
