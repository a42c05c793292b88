"""Households: personal data encrypted and masked, validated, unmasked only with audit; Excel in and out."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from qiancun.accounts.actions import do_create_api_token
from qiancun.core.errors import DomainError
from qiancun.core.models import AuditEntry
from qiancun.core.testing import YANJI, YANJI_VILLAGE, client_for, make_user
from qiancun.participation import actions, personal_data
from qiancun.participation.models import Household, HouseholdImport, Member

from .factories import household, id_number, village_staff

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {do_create_api_token(acting_user=user, name='t')[1]}"}


def test_id_number_check_digit_birth_date_and_phone_are_validated():
    good = id_number(7)
    assert personal_data.id_number_problem(good) is None
    assert "校验位" in personal_data.id_number_problem(good[:17] + ("0" if good[17] != "0" else "1"))
    assert "出生日期" in personal_data.id_number_problem(personal_data.with_check_digit("22240119801301001"))
    assert personal_data.phone_problem("13800138000") is None and personal_data.phone_problem("1380013800")
    with pytest.raises(DomainError) as exc:
        household(members=[{"name": "张三", "relation": "head", "id_number": good[:17] + "9" if good[17] != "9" else good[:17] + "8"}])
    assert exc.value.field == "id_number"


def test_id_and_phone_are_encrypted_at_rest_masked_on_screen_and_unique_per_platform(client):
    number = id_number(11)
    hh = household(members=[{"name": "张三", "relation": "head", "id_number": number, "phone": "13800138000"}])
    member = hh.members.get()
    assert number not in member.id_cipher and member.id_cipher.startswith("v1:")
    assert member.id_masked == number[:4] + "*" * 10 + number[-4:] and member.phone_masked == "138****8000"
    assert member.reveal() == {"id_number": number, "phone": "13800138000"}
    page = client_for(village_staff()).get(f"/participation/households/{hh.pk}/").content.decode()
    assert member.id_masked in page and number not in page and "13800138000" not in page
    with pytest.raises(DomainError) as exc:  # the same person in another household, anywhere on the platform
        household("222401100201", members=[{"name": "张三", "relation": "head", "id_number": number}])
    assert exc.value.code == "conflict"
    assert actions.find_member_by_id_number(number.lower(), acting_user=village_staff()) == member


def test_unmasking_needs_its_own_permission_and_is_audited(client):
    hh = household()
    member = hh.members.get()
    assert client_for(make_user("staff", YANJI)).post(f"/participation/members/{member.pk}/unmask/").status_code == 403
    response = client_for(make_user("admin", YANJI)).post(f"/participation/members/{member.pk}/unmask/")
    assert member.reveal()["id_number"] in response.content.decode()
    assert AuditEntry.objects.filter(action="unmask", object_id=str(member.pk)).count() == 1


def _workbook(rows) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    sheet.append(["户号", "姓名", "与户主关系", "身份证号", "手机号", "住址", "十户一组"])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return SimpleUploadedFile("households.xlsx", out.getvalue())


def _rows():
    return [
        ["101", "赵一", "户主", id_number(101), "13900000001", "一组1号", "第一组"],
        ["101", "钱二", "配偶", id_number(102), "", "", ""],
        ["102", "孙三", "户主", id_number(103), "", "一组2号", "第一组"],
        ["103", "李四", "户主", "220101199001011230", "", "", ""],  # bad check digit
        ["104", "周五", "朋友", "", "12345", "", ""],  # bad relation and phone
    ]


def test_import_all_or_nothing_reports_every_bad_row_and_writes_nothing(client, django_capture_on_commit_callbacks):
    staff = client_for(village_staff())
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(f"/participation/villages/{YANJI_VILLAGE}/households/import/", {"file": _workbook(_rows()), "mode": "all_or_nothing"})
    job = HouseholdImport.objects.get()
    assert response["Location"].endswith(f"/participation/imports/{job.pk}/")
    assert job.status == "failed" and not Household.objects.exists()
    assert {(e["row"], e["column"]) for e in job.report["errors"]} == {(5, "身份证号"), (6, "与户主关系")}
    page = staff.get(f"/participation/imports/{job.pk}/").content.decode()
    assert "未导入任何农户" in page and "校验位" in page
    report = load_workbook(BytesIO(staff.get(f"/participation/imports/{job.pk}/errors.xlsx").content)).active
    assert [c.value for c in report[1]] == ["行号", "列", "原因"] and report.max_row == 3


def test_import_good_rows_then_reimport_changes_nothing(client, django_capture_on_commit_callbacks):
    village = actions.Region.objects.get(code=YANJI_VILLAGE)
    staff = village_staff()
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_start_household_import(village, _workbook(_rows()), acting_user=staff, mode="good_rows")
    assert set(Household.objects.values_list("number", flat=True)) == {"101", "102"}
    assert Member.objects.count() == 3 and Household.objects.filter(group__name="第一组").count() == 2
    with django_capture_on_commit_callbacks(execute=True):
        job = actions.do_start_household_import(village, _workbook(_rows()), acting_user=staff, mode="good_rows")
    job.refresh_from_db()
    assert job.report["added"] == 0 and job.report["unchanged"] == 2 and Member.objects.count() == 3


def test_export_is_masked(client):
    number = id_number(55)
    household(members=[{"name": "张三", "relation": "head", "id_number": number, "phone": "13800138000"}])
    content = b"".join(client_for(make_user("leader", "22")).get(f"/participation/villages/{YANJI_VILLAGE}/households/export/").streaming_content)
    cells = [c for row in load_workbook(BytesIO(content)).active.iter_rows(values_only=True) for c in row]
    assert personal_data.mask_id(number) in cells and number not in cells and "13800138000" not in cells


def test_household_through_the_api(client):
    headers = bearer(village_staff())
    body = {"village_code": YANJI_VILLAGE, "number": "9", "head_name": "吴六",
            "members": [{"name": "吴六", "relation": "head", "id_number": id_number(66), "phone": "13700000000"}]}
    created = client.post("/api/v1/participation/households", body, content_type="application/json", headers=headers)
    assert created.status_code == 201 and created.json()["members"][0]["phone"] == "137****0000"
    again = client.post("/api/v1/participation/households", body, content_type="application/json", headers=headers)
    assert again.status_code == 409 and again.json()["field"] == "number"
    listed = client.get("/api/v1/participation/households", {"q": id_number(66)[-4:]}, headers=headers).json()
    assert listed["count"] == 1
