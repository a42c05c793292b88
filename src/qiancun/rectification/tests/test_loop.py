from datetime import date, datetime, timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qiancun.core.errors import DomainError
from qiancun.core.models import AuditEntry
from qiancun.core.testing import HUNCHUN, YANJI, client_for, make_user
from qiancun.rectification import actions
from qiancun.rectification.models import FixPhoto, Problem

from .factories import (
    at,
    closed,
    fixing,
    hunchun_enrollment,
    image_bytes,
    open_problem,
    photo,
    submitted,
    yanji_enrollment,
)

pytestmark = pytest.mark.django_db


def steps(problem):
    return list(problem.events.values_list("step", "from_status", "to_status"))


def test_a_problem_goes_round_the_loop_with_a_reopen_through_pages_and_api():
    problem = open_problem(responsible_unit="", responsible_person="")
    assert problem.status == "open" and problem.deadline == date.today() + timedelta(days=30)
    county = client_for(make_user("staff", YANJI))
    inspector = client_for(make_user("inspector", "22"))

    # Starting needs a responsible unit and person.
    county.post(reverse("rectification:start", args=[problem.pk]))
    problem.refresh_from_db()
    assert problem.status == "open"
    response = county.post(reverse("rectification:assign", args=[problem.pk]),
                           {"responsible_unit": "小营镇政府", "responsible_person": "王村长", "deadline": (date.today() + timedelta(days=60)).isoformat()})
    assert response.status_code == 302
    county.post(reverse("rectification:start", args=[problem.pk]))
    problem.refresh_from_db()
    assert (problem.status, problem.responsible_person, problem.deadline) == ("fixing", "王村长", date.today() + timedelta(days=60))

    county.post(reverse("rectification:submit", args=[problem.pk]), {"note": "已清理", "photos": [photo("a.png"), photo("b.jpg", "JPEG")]})
    problem.refresh_from_db()
    assert problem.status == "fix_submitted" and problem.fix_submitted_at is not None
    assert sorted(problem.photos.values_list("content_type", flat=True)) == ["image/jpeg", "image/jpeg"]  # every photo stored as a fresh JPEG

    # Reopening needs a reason (API), then goes back to fixing.
    refused = inspector.post(f"/api/v1/problems/{problem.pk}/verify", {"accept": False}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "reason"
    reopened = inspector.post(f"/api/v1/problems/{problem.pk}/verify", {"accept": False, "reason": "西侧仍有柴草垛"}, content_type="application/json")
    assert reopened.status_code == 200 and reopened.json()["status"] == "fixing" and reopened.json()["reopen_count"] == 1

    again = county.post(f"/api/v1/problems/{problem.pk}/submit", {"note": "西侧柴草已清运", "photos": photo("c.png")})
    assert again.status_code == 200, again.content
    assert again.json()["status"] == "fix_submitted" and len(again.json()["photos"]) == 3

    inspector.post(reverse("rectification:verify", args=[problem.pk]), {"decision": "accept"})
    problem.refresh_from_db()
    assert problem.status == "closed" and problem.closed_at is not None
    assert steps(problem) == [
        ("open", "", "open"), ("assign", "open", "open"), ("start", "open", "fixing"), ("submit", "fixing", "fix_submitted"),
        ("reopen", "fix_submitted", "fixing"), ("submit", "fixing", "fix_submitted"), ("accept", "fix_submitted", "closed"),
    ]
    assert problem.events.get(step="reopen").reason == "西侧仍有柴草垛"
    audit = AuditEntry.objects.filter(object_type="rectification.problem", object_id=str(problem.pk))
    assert audit.count() == 7 and all(a.region_code == problem.enrollment.village_id for a in audit)

    page = inspector.get(reverse("rectification:detail", args=[problem.pk])).content.decode()
    assert "退回重改" in page and "西侧仍有柴草垛" in page and "已核验销号" in page
    detail = inspector.get(f"/api/v1/problems/{problem.pk}").json()
    assert [e["step"] for e in detail["events"]][-1] == "accept" and detail["allowed_steps"] == []


def test_steps_out_of_order_are_refused_and_closed_problems_stay_closed():
    problem = open_problem()
    staff, inspector = make_user("staff", YANJI), make_user("inspector", "22")
    with pytest.raises(DomainError) as early:
        actions.do_submit_fix(problem, acting_user=staff, note="x", photos=[photo()])
    assert early.value.code == "illegal_transition" and "待整改" in early.value.message
    with pytest.raises(DomainError):
        actions.do_verify(problem, acting_user=inspector, accept=True)
    closed(problem)
    for attempt in (
        lambda: actions.do_start_fixing(problem, acting_user=staff),
        lambda: actions.do_assign(problem, acting_user=staff, responsible_unit="x", responsible_person="y", deadline=date(2099, 1, 1)),
        lambda: actions.do_verify(problem, acting_user=inspector, accept=False, reason="再看看"),
    ):
        with pytest.raises(DomainError):
            attempt()
    assert Problem.objects.get(pk=problem.pk).status == "closed"


def test_only_real_jpeg_or_png_under_10_mb_is_accepted_and_nothing_is_stored_otherwise():
    problem = fixing(open_problem())
    staff = make_user("staff", YANJI)
    fakes = [
        SimpleUploadedFile("fake.jpg", b"this is not an image", content_type="image/jpeg"),
        SimpleUploadedFile("anim.gif", image_bytes("GIF"), content_type="image/gif"),
        SimpleUploadedFile("big.png", b"\x89PNG" + b"0" * (10 * 1024 * 1024), content_type="image/png"),
        SimpleUploadedFile("cut.png", image_bytes("PNG", size=(400, 300))[:200], content_type="image/png"),
    ]
    for fake in fakes:
        with pytest.raises(DomainError) as refused:
            actions.do_submit_fix(problem, acting_user=staff, note="已整改", photos=[photo(), fake])
        assert refused.value.field == "photos" and fake.name in refused.value.message
    with pytest.raises(DomainError) as none:
        actions.do_submit_fix(problem, acting_user=staff, note="已整改", photos=[])
    assert none.value.field == "photos"
    problem.refresh_from_db()
    assert problem.status == "fixing" and not FixPhoto.objects.exists()

    fakes[1].seek(0)
    page = client_for(staff).post(reverse("rectification:submit", args=[problem.pk]), {"note": "已整改", "photos": fakes[1]}, follow=True)
    assert "只接受 JPEG、PNG 或 HEIC" in page.content.decode()
    api = client_for(staff).post(f"/api/v1/problems/{problem.pk}/submit", {"note": "已整改", "photos": SimpleUploadedFile("x.png", b"nope")})
    assert api.status_code == 400 and api.json()["code"] == "invalid_file"

    actions.do_submit_fix(problem, acting_user=staff, note="已整改", photos=[photo()])
    stored = FixPhoto.objects.get()
    assert default_storage.exists(stored.image.name) and stored.image.name.endswith(".jpg") and stored.width == 40  # a PNG, re-encoded
    served = client_for(make_user("leader", "22")).get(reverse("rectification:photo", args=[stored.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"


def test_the_submitter_cannot_verify_their_own_fix():
    problem = open_problem()
    county_admin = make_user("admin", YANJI)
    submitted(problem, county_admin)
    with pytest.raises(DomainError) as own:
        actions.do_verify(problem, acting_user=county_admin, accept=True)
    assert own.value.code == "forbidden"
    page = client_for(county_admin).get(reverse("rectification:detail", args=[problem.pk])).content.decode()
    assert "不能核验自己提交的整改" in page and "核验通过，销号" not in page


def test_opening_checks_village_scope_indicator_and_deadline():
    enrollment = yanji_enrollment()
    inspector = make_user("inspector", "22")
    indicator = enrollment.campaign.standard.indicators.first()
    problem = actions.do_open_problem(acting_user=inspector, enrollment=enrollment, description="厕所无人管护", indicator=indicator,
                                      deadline=date.today() + timedelta(days=10))
    assert problem.indicator == indicator and problem.events.get().step == "open"
    with pytest.raises(DomainError) as past:
        actions.do_open_problem(acting_user=inspector, enrollment=enrollment, description="x", deadline=date(2020, 1, 1))
    assert past.value.field == "deadline"
    with pytest.raises(DomainError) as blank:
        actions.do_open_problem(acting_user=inspector, enrollment=enrollment, description="  ")
    assert blank.value.field == "description"
    with pytest.raises(DomainError) as elsewhere:
        actions.do_open_problem(acting_user=make_user("staff", HUNCHUN), enrollment=enrollment, description="x")
    assert elsewhere.value.code == "not_found"
    with pytest.raises(DomainError) as reader:
        actions.do_open_problem(acting_user=make_user("leader", "22"), enrollment=enrollment, description="x")
    assert reader.value.code == "forbidden"

    client = client_for(make_user("staff", YANJI))
    response = client.post(reverse("rectification:open"), {
        "campaign": 2022, "village": enrollment.village_id, "indicator": indicator.pk, "description": "村部门前积水",
    })
    created = Problem.objects.latest("id")
    assert response["Location"] == reverse("rectification:detail", args=[created.pk]) and created.opened_by.username == "t_staff_222401"
    refused = client.post(reverse("rectification:open"), {"campaign": 2022, "village": "222404100201", "description": "x"})
    assert refused.status_code == 200 and "不是您管辖范围内" in refused.content.decode()


def test_wrong_role_gets_403_and_out_of_scope_gets_404():
    problem = open_problem()
    far = open_problem(hunchun_enrollment())
    leader = client_for(make_user("leader", "22"))
    assert leader.post(reverse("rectification:start", args=[problem.pk])).status_code == 403
    assert leader.post(f"/api/v1/problems/{problem.pk}/verify", {"accept": True}, content_type="application/json").status_code == 403
    inspector = client_for(make_user("inspector", "22"))
    assert inspector.post(f"/api/v1/problems/{problem.pk}/start").status_code == 403  # inspectors verify, counties fix
    county = client_for(make_user("staff", YANJI))
    assert county.get(reverse("rectification:detail", args=[far.pk])).status_code == 404
    assert county.post(f"/api/v1/problems/{far.pk}/start").json()["code"] == "not_found"
    listed = county.get("/api/v1/problems").json()["items"]
    assert [p["id"] for p in listed] == [problem.pk]


def test_overdue_problems_are_highlighted_listed_by_region_and_filtered():
    with at(datetime(2022, 7, 1, 9)):
        late = open_problem(deadline=date(2022, 7, 20), description="污水直排边沟")
        late_submitted = open_problem(deadline=date(2022, 7, 20), description="公厕无人管护")
        on_time = open_problem(deadline=date(2022, 8, 30), description="书屋无人值守")
        done_late = open_problem(deadline=date(2022, 7, 10), description="路灯损坏")
        far_late = open_problem(hunchun_enrollment(), deadline=date(2022, 7, 15), description="垃圾箱破损")
    with at(datetime(2022, 7, 5, 9)):
        submitted(late_submitted)
        closed(done_late)
    with at(datetime(2022, 8, 1, 9)):
        assert set(Problem.objects.overdue().values_list("pk", flat=True)) == {late.pk, late_submitted.pk, far_late.pk}
        province = client_for(make_user("inspector", "22"))
        listing = province.get(reverse("rectification:index") + "?overdue=1")
        assert {p.pk for p in listing.context["page_obj"]} == {late.pk, late_submitted.pk, far_late.pk}
        page = province.get(reverse("rectification:index")).content.decode()
        assert page.count('class="table-danger"') == 3 and "逾期 12 天" in page

        by_region = province.get(reverse("rectification:overdue") + "?region=2224")
        assert [row["region"].code for row in by_region.context["rows"]] == [YANJI, HUNCHUN]
        assert [row["overdue"] for row in by_region.context["rows"]] == [2, 1]
        text = by_region.content.decode()
        assert "延吉市" in text and "珲春市" in text and "书屋无人值守" not in text

        county = client_for(make_user("staff", YANJI))
        assert {p.pk for p in county.get(reverse("rectification:overdue")).context["page_obj"]} == {late.pk, late_submitted.pk}
        api = county.get("/api/v1/problems?overdue=true").json()
        assert {p["id"] for p in api["items"]} == {late.pk, late_submitted.pk} and all(p["is_overdue"] for p in api["items"])
        assert on_time.pk not in {p["id"] for p in api["items"]}


def test_mean_time_to_close_is_the_average_from_finding_to_closing_per_region():
    with at(datetime(2022, 7, 1, 8)):
        quick, slow, still_open = open_problem(), open_problem(), open_problem()
        far = open_problem(hunchun_enrollment(), responsible_unit="敬信镇", responsible_person="李")
    with at(datetime(2022, 7, 2, 8)):
        submitted(quick)
        submitted(slow)
        submitted(far, make_user("staff", HUNCHUN))
    with at(datetime(2022, 7, 4, 8)):  # 3 days
        closed(quick)
    with at(datetime(2022, 7, 6, 20)):  # 5.5 days
        closed(slow)
    with at(datetime(2022, 7, 11, 8)):  # 10 days
        closed(far)
    with at(datetime(2022, 7, 12, 8)):
        assert quick.days_to_close == 3.0
        overview = client_for(make_user("admin", "2224")).get(reverse("rectification:overview"))
        data = overview.context["data"]
        assert data["totals"]["mean_days_to_close"] == round((3 + 5.5 + 10) / 3, 1)
        rows = {row["region"].code: row for row in data["rows"]}
        assert (rows[YANJI]["open"], rows[YANJI]["closed"], rows[YANJI]["mean_days_to_close"]) == (1, 2, 4.2)  # (3 + 5.5) / 2 = 4.25
        assert rows[HUNCHUN]["mean_days_to_close"] == 10.0 and rows["222403"]["mean_days_to_close"] is None
        assert "4.2" in overview.content.decode()

        api = client_for(make_user("staff", YANJI)).get("/api/v1/rectification/overview").json()
        assert api["region_code"] == YANJI and api["totals"]["open"] == 1 and api["totals"]["mean_days_to_close"] == 4.2
        township = still_open.enrollment.village_id[:9]
        assert any(r["region_code"] == township and r["closed"] == 2 for r in api["rows"])
        other_year = client_for(make_user("staff", YANJI)).get("/api/v1/rectification/overview?campaign=2021").json()
        assert other_year["totals"]["total"] == 0
