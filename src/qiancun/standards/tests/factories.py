"""Test data for standards, made through the actions."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from qiancun.core.testing import province_admin
from qiancun.standards.actions import do_create_standard
from qiancun.standards.models import Standard

FIELDS = ["code", "kind", "category", "title", "description", "evidence_required", "is_veto", "judged_by", "computation", "weight", "order"]


def default_standard() -> Standard:
    return Standard.objects.get(year=2022, version=1)


def editable_copy(year: int = 2030, **kwargs) -> Standard:
    """A not-frozen standard with the default's 9 + 6 indicators."""
    return do_create_standard(
        acting_user=province_admin(), year=year, name=kwargs.pop("name", f"{year}年测试标准"), copy_from=default_standard(), **kwargs
    )


def indicator_rows(standard: Standard) -> list[list]:
    return [[getattr(i, f) for f in FIELDS] for i in standard.indicators.order_by("order", "id")]


def upload(content: bytes, name: str = "指标.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def edit_sheet(content: bytes, changes: dict[tuple[int, int], object], append: list[list] | None = None) -> bytes:
    """The exported workbook with some cells (row, column; 1-based as Excel counts) changed."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["指标"]
    for (row, column), value in changes.items():
        sheet.cell(row=row, column=column).value = value  # value=None in cell() would leave the cell alone
    for values in append or []:
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
