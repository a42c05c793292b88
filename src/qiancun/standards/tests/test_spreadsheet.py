"""Excel export and import: the export is the import template; imports are all or nothing."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qiancun.core.testing import client_for, make_user
from qiancun.standards.actions import do_freeze_standard

from .factories import edit_sheet, editable_copy, indicator_rows, upload

pytestmark = pytest.mark.django_db

HEADERS = ["编号", "类型", "类别", "指标", "检查内容", "须拍照取证", "一票否决", "判定方式", "计算规则", "分值"]


def admin_client():
    return client_for(make_user("admin", "22"))


def export(client, standard) -> bytes:
    response = client.get(reverse("standards:export", args=[standard.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    assert ".xlsx" in response["Content-Disposition"]
    return response.content


def test_export_has_chinese_headers_and_labels_and_anyone_may_download_it():
    standard = editable_copy()
    content = export(client_for(make_user("inspector", "22")), standard)
    sheet = load_workbook(io.BytesIO(content))["指标"]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADERS
    assert rows[1][:3] == ("有1", "有", "规划") and rows[10][:3] == ("无1", "无", "人居环境")
    assert rows[15][6] == "是"  # 无6 无重大安全隐患 is a veto item
    assert len(rows) == 16


def test_round_trip_export_then_import_unchanged_gives_identical_indicators():
    standard = editable_copy()
    standard.indicators.filter(code="有3").update(weight=12)
    before = indicator_rows(standard)
    client = admin_client()
    content = export(client, standard)
    response = client.post(reverse("standards:import", args=[standard.pk]), {"file": upload(content)})
    assert response.status_code == 302
    assert indicator_rows(standard) == before


def test_api_round_trip_and_import_of_an_edited_sheet():
    standard = editable_copy()
    client = admin_client()
    content = client.get(f"/api/v1/standards/{standard.pk}/export").content
    changed = edit_sheet(
        content,
        {(2, 4): "有实用性村庄规划（正式文本）", (3, 8): "平台数据自动计算", (3, 9): "village_location_recorded", (4, 10): 15},
        append=[["", "无", "安全", "无危房住人", "查看住房安全鉴定", "是", "是", "", "", 5]],
    )
    response = client.post(f"/api/v1/standards/{standard.pk}/import", {"file": upload(changed)})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["added"], body["removed"]) == (16, 15)
    by_code = {i.code: i for i in standard.indicators.all()}
    assert by_code["有1"].title == "有实用性村庄规划（正式文本）"
    assert (by_code["有2"].judged_by, by_code["有2"].computation) == ("computed", "village_location_recorded")
    assert by_code["有3"].weight == 15
    assert (by_code["无7"].title, by_code["无7"].category, by_code["无7"].is_veto, by_code["无7"].order) == ("无危房住人", "safety", True, 16)


def test_a_bad_row_is_named_by_row_and_column_and_nothing_changes():
    standard = editable_copy()
    before = indicator_rows(standard)
    client = admin_client()
    content = export(client, standard)
    bad = edit_sheet(
        content,
        {
            (3, 2): "有无",  # unknown kind
            (5, 4): None,  # missing title
            (7, 8): "平台数据自动计算", (7, 9): "plan_approved",  # computed without a registered computation
            (9, 1): "有1",  # duplicate code
            (10, 10): "多",  # not a number
        },
    )
    page = client.post(reverse("standards:import", args=[standard.pk]), {"file": upload(bad)})
    assert page.status_code == 200
    errors = page.context["errors"]
    found = {(e["row"], e["column"]) for e in errors}
    assert {(3, "类型"), (5, "指标"), (7, "计算规则"), (9, "编号"), (10, "分值")} <= found
    messages = {(e["row"], e["column"]): e["message"] for e in errors}
    assert "有无" in messages[(3, "类型")] and "请填写指标名称" == messages[(5, "指标")]
    assert "plan_approved" in messages[(7, "计算规则")] and "未注册" in messages[(7, "计算规则")]
    assert "第 2 行重复" in messages[(9, "编号")]
    html = page.content.decode()
    assert "第 3 行" in html and "未导入任何指标" in html
    assert indicator_rows(standard) == before

    api = client.post(f"/api/v1/standards/{standard.pk}/import", {"file": upload(bad)})
    assert api.status_code == 400
    assert api.json()["code"] == "invalid_file" and api.json()["field"] == "file"
    assert {(d["row"], d["column"]) for d in api.json()["details"]} == found
    assert indicator_rows(standard) == before


def test_a_file_that_is_not_a_workbook_or_lacks_columns_is_refused():
    standard = editable_copy()
    client = admin_client()
    csv = client.post(f"/api/v1/standards/{standard.pk}/import", {"file": upload(b"code,title\n", name="x.csv")})
    assert csv.status_code == 400 and "xlsx" in csv.json()["message"]
    garbage = client.post(f"/api/v1/standards/{standard.pk}/import", {"file": upload(b"not a zip")})
    assert garbage.status_code == 400 and "无法读取" in garbage.json()["message"]
    headless = edit_sheet(export(client, standard), {(1, 3): "分类"})
    missing = client.post(f"/api/v1/standards/{standard.pk}/import", {"file": upload(headless)})
    assert missing.status_code == 400 and "类别" in missing.json()["message"]
    assert standard.indicators.count() == 15


def test_a_frozen_standard_cannot_be_imported_into():
    standard = editable_copy()
    do_freeze_standard(standard, acting_user=None)
    client = admin_client()
    response = client.post(f"/api/v1/standards/{standard.pk}/import", {"file": upload(export(client, standard))})
    assert response.status_code == 409 and "创建新版本" in response.json()["message"]
    assert client.get(reverse("standards:import", args=[standard.pk])).status_code == 302
