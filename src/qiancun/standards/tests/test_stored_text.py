"""Text in a standard's Excel and handbook (issue #11): a control character stored before input was
checked no longer makes the Excel, the API export and the handbook answer 500 for ever (it is left
out), and an indicator whose text begins like a formula stays text in the workbook."""

import io

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from qiancun.core.testing import client_for, make_user

from .factories import editable_copy

pytestmark = pytest.mark.django_db


def admin():
    return client_for(make_user("admin", "22"))


def test_a_control_character_already_stored_is_left_out_of_the_excel_and_the_handbook():
    standard = editable_copy()
    first = standard.indicators.order_by("order", "id").first()
    standard.indicators.filter(pk=first.pk).update(description="村内\x1b[31m道路\x07硬化\x85")  # stored before input was checked
    client = admin()
    for url in (reverse("standards:export", args=[standard.pk]), f"/api/v1/standards/{standard.pk}/export"):
        response = client.get(url)
        assert response.status_code == 200, url
        sheet = load_workbook(io.BytesIO(response.content))["指标"]
        assert sheet.cell(row=2, column=5).value == "村内[31m道路硬化"
    for url in (reverse("standards:handbook_docx", args=[standard.pk]), f"/api/v1/standards/{standard.pk}/handbook"):
        response = client.get(url)
        assert response.status_code == 200, url
        cells = [cell.text for table in Document(io.BytesIO(response.content)).tables for row in table.rows for cell in row.cells]
        assert "村内[31m道路硬化" in cells
    assert client.get(reverse("standards:handbook", args=[standard.pk])).status_code == 200


def test_indicator_text_that_looks_like_a_formula_stays_text_in_the_excel():
    standard = editable_copy()
    first = standard.indicators.order_by("order", "id").first()
    client = admin()
    edited = client.post(reverse("standards:indicator_edit", args=[standard.pk, first.pk]), {
        "code": first.code, "kind": first.kind, "category": first.category, "title": "=HYPERLINK(\"http://evil.example\",\"详情\")",
        "description": "+1-2 @合计", "judged_by": "inspector", "weight": 0,
    })
    assert edited.status_code == 302
    sheet = load_workbook(io.BytesIO(client.get(reverse("standards:export", args=[standard.pk])).content))["指标"]
    title, description = sheet.cell(row=2, column=4), sheet.cell(row=2, column=5)
    assert (title.value, description.value) == ("=HYPERLINK(\"http://evil.example\",\"详情\")", "+1-2 @合计")
    assert title.data_type == "s" and description.data_type == "s" and title.quotePrefix and description.quotePrefix
