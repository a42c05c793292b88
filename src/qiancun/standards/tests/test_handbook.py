"""Publishing: the printable handbook page and the Word document."""

import io

import pytest
from django.urls import reverse
from docx import Document

from qiancun.core.testing import YANJI, client_for, make_user

from .factories import default_standard, editable_copy

pytestmark = pytest.mark.django_db


def document_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_docx_opens_and_lists_every_indicator_with_what_is_checked():
    standard = default_standard()
    response = client_for(make_user("staff", YANJI)).get(reverse("standards:handbook_docx", args=[standard.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    text = document_text(response.content)
    for indicator in standard.indicators.all():
        assert indicator.title in text and indicator.description in text
    for heading in ("创建标准手册", "通过规则", "九有（必备项，须全部具备）", "六无（不得出现的问题）", "验收程序", "验收记录表", "【草案】"):
        assert heading in text, heading
    assert "须现场拍照取证" in text


def test_docx_through_the_api_shows_weights_under_the_score_rule():
    standard = editable_copy(pass_rule="score", pass_score=1)
    standard.indicators.filter(code="有1").update(weight=30)
    response = client_for(make_user("leader", "22")).get(f"/api/v1/standards/{standard.pk}/handbook")
    document = Document(io.BytesIO(response.content))
    header = [cell.text for cell in document.tables[0].rows[0].cells]
    assert header[-1] == "分值" and document.tables[0].rows[1].cells[-1].text == "30"
    assert "总分不低于 1 分" in document_text(response.content)


def test_handbook_page_is_print_friendly_and_lists_every_indicator():
    standard = default_standard()
    page = client_for(make_user("inspector", "22")).get(reverse("standards:handbook", args=[standard.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    for indicator in standard.indicators.all():
        assert indicator.title in content
    assert "standards/standards.css" in content and "data-print" in content and "qc-no-print" in content
    assert "创建标准手册" in content and "【草案】" in content


def test_the_print_stylesheet_hides_the_navigation():
    response = client_for(make_user("inspector", "22")).get("/static/standards/standards.css")
    css = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert "@media print" in css and ".qc-sidebar" in css
