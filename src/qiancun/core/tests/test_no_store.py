"""Pages and API answers that may carry personal data are never kept by the browser or a proxy
(`Cache-Control: no-store`, issue #11); the static files and the health check may be cached."""

import pytest

from qiancun.core.testing import YANJI, YANJI_VILLAGE, client_for, make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [
    f"/participation/villages/{YANJI_VILLAGE}/households/",
    f"/participation/regions/{YANJI}/households/export/",
    "/audit/",
    "/",
    f"/api/v1/participation/households?village={YANJI_VILLAGE}",
    "/api/v1/audit",
    "/api/v1/nothing-here",
])
def test_pages_and_api_answers_for_a_signed_in_user_are_not_stored(url):
    response = client_for(make_user("staff", YANJI)).get(url)
    assert response.status_code in (200, 403, 404)  # refusals, too, say nothing worth keeping
    assert response["Cache-Control"] == "no-store"


def test_the_api_says_no_store_to_anonymous_callers_too_and_the_login_page_is_not_stored(client):
    assert client.get("/api/v1/audit")["Cache-Control"] == "no-store"
    assert "no-store" in client.get("/accounts/login/")["Cache-Control"]


def test_static_files_and_the_health_check_may_be_cached(client):
    assert "no-store" not in client.get("/api/v1/health").get("Cache-Control", "")
    static = client.get("/static/qiancun/app.js")
    assert static.status_code == 200 and "no-store" not in static.get("Cache-Control", "")
