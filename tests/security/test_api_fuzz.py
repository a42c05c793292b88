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

from qiancun.api import api
from qiancun.core.testing import YANJI, api_token, make_user

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
schema.app = get_wsgi_application()

# Bounded: 122 operations × 2 users × EXAMPLES requests keeps one database's run near a minute.
EXAMPLES = 5
USERS = {"province_admin": ("admin", "22"), "county_staff": ("staff", YANJI)}



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
    raw = api_token(user, "fuzz")
    return {"Authorization": f"Bearer {raw}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_api_never_fails_and_answers_match_the_schema(case, bearer):
    case.call_and_validate(
        headers=bearer,
        checks=[not_a_server_error, response_schema_conformance, content_type_conformance],
    )


@pytest.mark.django_db
def test_an_unparsable_json_body_answers_in_the_error_shape(client):
    user = make_user("admin", "22", username="fuzz_province_admin")
    raw = api_token(user, "fuzz")
    response = client.post("/api/v1/users", b"\xff\xfe{", content_type="application/json", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"


def test_every_import_documents_its_own_answer():
    """Three imports once shared one schema name, and OpenAPI kept only one of them."""
    schema = api.get_openapi_schema()
    operation = schema["paths"]["/api/v1/campaigns/{year}/enrollments/import"]["post"]
    ref = operation["responses"][200]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"ok", "created", "errors"} <= set(schema["components"]["schemas"][ref]["properties"])


@pytest.mark.django_db
def test_an_id_beyond_the_databases_integer_range_is_simply_not_found(client):
    user = make_user("admin", "22", username="fuzz_range_admin")
    raw = api_token(user, "fuzz")
    response = client.get("/api/v1/standards/285231117678736264134656", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code in (400, 404) and response.json()["code"] in ("not_found", "invalid")
    from qiancun.core.testing import client_for

    page = client_for(user).get("/inspections/records/285231117678736264134656/")
    assert page.status_code in (400, 404)
