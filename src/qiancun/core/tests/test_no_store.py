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


def test_inspection_and_venue_photos_are_not_stored_either():
    # They were `private, max-age=3600`: a shared office browser kept them for an hour after logout.
    from datetime import date

    from qiancun.inspections.tests.factories import confirmed_campaign, jpeg, self_check
    from qiancun.participation import actions
    from qiancun.participation.tests.factories import village_staff

    campaign, _ = confirmed_campaign(per_county=1)
    record = self_check(campaign, YANJI, sign_off=False).records.first()
    photo = record.photos.first()
    inspector = client_for(make_user("staff", YANJI))
    for size in ("full", "thumb"):
        response = inspector.get(f"/inspections/photos/{photo.pk}/{size}/")
        assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    staff = village_staff()
    venue = actions.do_create_venue(staff.scope, acting_user=staff, kind="library", name="农家书屋")
    activity = actions.do_record_activity(venue, acting_user=staff, held_on=date(2022, 7, 1), kind="reading", title="读书会",
                                          participants=20, photo=jpeg())
    response = client_for(staff).get(f"/participation/activities/{activity.pk}/photo/")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
