"""Hostile input through pages and the API: markup is escaped, SQL fragments are plain text, huge
strings, wrong encodings, spoofed images and path traversal are refused with a Chinese message —
never a 500, never half-written."""

from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from qiancun.accounts.models import User
from qiancun.campaigns import actions as campaign_actions
from qiancun.campaigns.models import Enrollment
from qiancun.campaigns.tests.factories import campaign_2022, with_quotas
from qiancun.core.errors import DomainError
from qiancun.core.models import AuditEntry
from qiancun.core.testing import YANJI, YANJI_VILLAGE, api_token, client_for, make_user
from qiancun.inspections.tests.factories import jpeg
from qiancun.participation import actions as participation_actions
from qiancun.participation.models import Household, HouseholdImport, VenueActivity
from qiancun.participation.tests.factories import household, village_staff
from qiancun.rectification.models import FixPhoto
from qiancun.rectification.tests.factories import confirmed, fixing, open_problem
from qiancun.regions.models import Region, RegionImport

pytestmark = pytest.mark.django_db

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
SQL = "' OR 1=1 --"
TEN_MB = "村" * (10 * 1024 * 1024 // 3 + 1)  # 10 MB of UTF-8
GBK_CSV = "code,name,level,parent_code\n222401100297,新村,village,222401100\n".encode("gbk")
GBK_XLSX = "村区划代码,村名\n222401100200,小营村委会\n".encode("gbk")  # named .xlsx, not a zip at all


def api_client(user) -> tuple[Client, dict]:
    raw = api_token(user, "hostile")
    return Client(), {"Authorization": f"Bearer {raw}"}


def assert_escaped(html: str) -> None:
    assert ESCAPED in html, "the name should be on the page, escaped"
    assert XSS not in html, "raw <script> reached the page"


def counts() -> dict:
    return {m.__name__: m.objects.count() for m in (User, Household, Region, Enrollment, FixPhoto, VenueActivity, AuditEntry)}


# ------------------------------------------------------------------ markup is escaped


def test_script_in_a_user_display_name_is_rendered_escaped():
    client, auth = api_client(make_user("admin", "22"))
    created = client.post("/api/v1/users", {"username": "xss_user", "display_name": XSS, "role": "staff", "scope_code": YANJI},
                          content_type="application/json", headers=auth)
    assert created.status_code == 201, created.content
    user = User.objects.get(username="xss_user")
    admin = client_for(make_user("admin", "22"))
    assert_escaped(admin.get(f"/accounts/users/{user.pk}/").content.decode())
    assert_escaped(admin.get("/accounts/users/?q=xss_user").content.decode())


def test_script_in_a_shortfall_gap_is_rendered_escaped():
    enrollment = confirmed(Region.objects.get(code=YANJI_VILLAGE))
    staff = make_user("staff", YANJI)
    campaign_actions.do_add_shortfall(enrollment, acting_user=staff, gap=XSS, action_plan=XSS, responsible_person="王五",
                                      due_date=date(2022, 9, 30))
    assert_escaped(client_for(staff).get(f"/campaigns/enrollments/{enrollment.pk}/").content.decode())


def test_script_in_a_household_head_name_is_rendered_escaped():
    hh = household(head=XSS)
    staff = client_for(village_staff())
    assert_escaped(staff.get(f"/participation/households/{hh.pk}/").content.decode())
    assert_escaped(staff.get(f"/participation/villages/{YANJI_VILLAGE}/households/").content.decode())


# ------------------------------------------------------------------ SQL fragments are text


def test_sql_fragments_in_search_boxes_are_searched_for_as_text():
    staff = make_user("staff", YANJI)
    page = client_for(staff)
    found = page.get("/regions/search/", {"q": SQL})
    assert found.status_code == 200
    client, auth = api_client(staff)
    regions = client.get("/api/v1/regions", {"q": SQL}, headers=auth)
    assert regions.status_code == 200 and regions.json()["count"] == 0
    campaign_2022()
    assert page.get("/campaigns/2022/enrollments/", {"q": SQL}).status_code == 200
    enrollments = client.get("/api/v1/campaigns/2022/enrollments", {"q": SQL}, headers=auth)
    assert enrollments.status_code == 200 and enrollments.json()["count"] == 0
    auditor = make_user("auditor", "22")
    audit_page = client_for(auditor).get("/audit/", {"user": SQL, "object_type": SQL, "object_id": SQL, "action": SQL, "since": SQL})
    assert audit_page.status_code == 200
    client, auth = api_client(auditor)
    audit = client.get("/api/v1/audit", {"user": SQL, "object_type": SQL}, headers=auth)
    assert audit.status_code in (200, 400) and (audit.status_code == 400 or audit.json()["count"] == 0)


# ------------------------------------------------------------------ huge strings


def _post_big_household(head_name: str):
    client, auth = api_client(village_staff())
    before = counts()
    response = client.post("/api/v1/participation/households",
                           {"village_code": YANJI_VILLAGE, "number": "H-big", "head_name": head_name, "members": []},
                           content_type="application/json", headers=auth)
    assert counts() == before
    return response


def _assert_chinese_api_error(response) -> None:
    assert response.status_code == 400, response.status_code
    assert response["Content-Type"].startswith("application/json"), (response["Content-Type"], response.content[:200])
    body = response.json()
    assert body["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"]), body


def test_a_ten_megabyte_name_is_refused_with_a_chinese_message_through_the_api():
    _assert_chinese_api_error(_post_big_household("A" * 10 * 1024 * 1024))


def test_a_request_body_over_the_upload_limit_is_refused_in_the_api_error_shape():
    _assert_chinese_api_error(_post_big_household(TEN_MB))


def test_a_ten_megabyte_name_is_refused_on_the_household_form():
    page = client_for(village_staff())
    before = counts()
    response = page.post(f"/participation/villages/{YANJI_VILLAGE}/households/new/",
                                                {"number": "H-big", "head_name": TEN_MB, "address": "", "id_number": "", "phone": ""})
    assert response.status_code in (200, 400)
    text = response.content.decode()
    assert "过长" in text or "最多" in text or "超过" in text, text[:300]
    assert counts() == before


# ------------------------------------------------------------------ wrong encodings


def test_a_gbk_region_file_is_refused_naming_utf8(django_capture_on_commit_callbacks):
    client, auth = api_client(make_user("admin", "22"))
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/regions/imports", {"file": SimpleUploadedFile("regions.csv", GBK_CSV)}, headers=auth)
    assert response.status_code == 202
    job = RegionImport.objects.get(pk=response.json()["id"])
    assert job.status == "failed" and "UTF-8" in str(job.report)
    assert {k: v for k, v in counts().items() if k != "AuditEntry"} == {k: v for k, v in before.items() if k != "AuditEntry"}


def test_a_gbk_text_named_xlsx_is_refused_by_the_nomination_import():
    campaign = with_quotas(campaign_2022())
    client, auth = api_client(make_user("staff", YANJI))
    before = counts()
    response = client.post(f"/api/v1/campaigns/{campaign.year}/enrollments/import",
                           {"file": SimpleUploadedFile("提名.xlsx", GBK_XLSX)}, headers=auth)
    assert response.status_code == 400, response.content
    text = response.content.decode("unicode_escape") if "\\u" in response.content.decode() else response.content.decode()
    assert "Excel" in text or "xlsx" in text, text
    assert counts() == before


def test_a_gbk_text_named_xlsx_is_refused_by_the_household_import(django_capture_on_commit_callbacks):
    client, auth = api_client(village_staff())
    before = counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/participation/households/import",
                               {"file": SimpleUploadedFile("农户.xlsx", GBK_XLSX), "village_code": YANJI_VILLAGE}, headers=auth)
    assert response.status_code in (201, 400), response.content
    if response.status_code == 201:
        job = HouseholdImport.objects.get(pk=response.json()["id"])
        assert job.status == "failed" and ("Excel" in str(job.report) or "xlsx" in str(job.report)), job.report
    assert counts()["Household"] == before["Household"]


# ------------------------------------------------------------------ spoofed images and path traversal

SPOOFED = [
    ("photo.jpg", b"MZ\x90\x00 a Windows program"),
    ("photo.png", b"<?php system($_GET['c']); ?>"),
    ("photo.jpg", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"),
    ("photo.jpg", b"\xff\xd8\xff\xe0 truncated jpeg header only"),
]


def _stored_inside_media(name: str) -> None:
    media = Path(settings.MEDIA_ROOT).resolve()
    assert ".." not in name and not name.startswith("/")
    assert (media / name).resolve().is_relative_to(media)
    assert "passwd" not in name


@pytest.mark.parametrize("name,content", SPOOFED)
def test_spoofed_inspection_photos_are_refused_and_traversal_names_stay_in_media(name, content):
    from qiancun.inspections import actions
    from qiancun.inspections.tests.factories import confirmed_campaign

    campaign, _ = confirmed_campaign(per_county=1)
    staff = make_user("staff", YANJI)
    round = actions.do_create_round(campaign, acting_user=staff, kind="self_check", name="自查", starts_on=date(2022, 5, 20), ends_on=date(2022, 6, 10))
    record = actions.do_start_inspection(round, actions.eligible(round).first(), acting_user=staff)
    client, auth = api_client(staff)
    refused = client.post(f"/api/v1/records/{record.pk}/photos",
                          {"photo": SimpleUploadedFile(name, content, content_type="image/jpeg")}, headers=auth)
    assert refused.status_code == 400 and "JPEG" in refused.json()["message"]
    assert record.photos.count() == 0
    accepted = client.post(f"/api/v1/records/{record.pk}/photos", {"photo": jpeg("../../etc/passwd.jpg")}, headers=auth)
    assert accepted.status_code == 201, accepted.content
    _stored_inside_media(record.photos.get().image.name)


@pytest.mark.parametrize("name,content", SPOOFED)
def test_spoofed_after_photos_are_refused_and_nothing_is_half_written(name, content):
    problem = open_problem()
    fixing(problem)
    staff = make_user("staff", YANJI)
    client, auth = api_client(staff)
    before = FixPhoto.objects.count()
    # one good photo and one spoofed: all are checked before any is stored
    response = client.post(f"/api/v1/problems/{problem.pk}/submit",
                           {"note": "已整改", "photos": [jpeg("good.jpg"), SimpleUploadedFile(name, content, content_type="image/jpeg")]},
                           headers=auth)
    assert response.status_code in (400, 404), response.content
    if response.status_code == 400:
        assert "JPEG" in response.json()["message"] or "照片" in response.json()["message"]
    assert FixPhoto.objects.count() == before
    problem.refresh_from_db()
    assert problem.status == "fixing"


def test_after_photos_with_traversal_names_stay_in_media():
    problem = open_problem()
    fixing(problem)
    from qiancun.rectification import actions

    actions.do_submit_fix(problem, acting_user=make_user("staff", YANJI), note="已整改", photos=[jpeg("../../etc/passwd.jpg")])
    for photo in FixPhoto.objects.filter(problem=problem):
        _stored_inside_media(photo.image.name)


@pytest.mark.parametrize("name,content", SPOOFED)
def test_spoofed_venue_activity_photos_are_refused(name, content):
    staff = village_staff()
    venue = participation_actions.do_create_venue(staff.scope, acting_user=staff, kind="library", name="农家书屋")
    before = VenueActivity.objects.count()
    with pytest.raises(DomainError) as refused:
        participation_actions.do_record_activity(venue, acting_user=staff, held_on=date(2022, 7, 1), kind="reading",
                                                 title="读书会", participants=20, photo=SimpleUploadedFile(name, content))
    assert refused.value.field == "photo" and "JPEG" in refused.value.message
    assert VenueActivity.objects.count() == before
    activity = participation_actions.do_record_activity(venue, acting_user=staff, held_on=date(2022, 7, 1), kind="reading",
                                                        title="读书会", participants=20, photo=jpeg("../../etc/passwd.jpg"))
    _stored_inside_media(activity.photo.name)
