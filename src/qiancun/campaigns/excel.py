"""Excel in and out: the official enrollment list, and the county nomination sheet."""

import io
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from qiancun.core import tabular
from qiancun.core.tabular import Column
from qiancun.core.xlsx_stream import append_row, text_cell

from .choices import Track
from .queries import region_names

EXPORT_HEADERS = ["序号", "市（州）", "县（市、区）", "乡镇（街道）", "村", "区划代码", "类型", "重点边境村", "脱贫村", "标签", "状态"]
NOMINATION_HEADERS = ["村区划代码", "类型", "标签", "说明"]
TRACK_BY_LABEL = {choice.label: choice.value for choice in Track}


def export_enrollments(campaign, enrollments) -> bytes:
    """The enrollment list in the layout offices print and file: title row, one row per village."""
    enrollments = list(enrollments.select_related("village").prefetch_related("tags").order_by("village_id"))
    names = region_names([e.village_id for e in enrollments])
    book = Workbook(write_only=True)
    sheet = book.create_sheet("创建村名单")
    title = text_cell(sheet, f"{campaign.year}年“千村示范”创建村名单")
    title.font = Font(bold=True, size=14)
    sheet.append([title])
    header = []
    for text in EXPORT_HEADERS:
        cell = text_cell(sheet, text)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
        header.append(cell)
    sheet.append(header)
    for number, e in enumerate(enrollments, start=1):
        code = e.village_id
        append_row(sheet, [  # text never a formula (tag names are typed by people)
            number, names.get(code[:4], ""), names.get(code[:6], ""), names.get(code[:9], ""), e.village.name, code,
            e.get_track_display(), "是" if e.village.is_key_border else "", "是" if e.village.is_poverty_alleviated else "",
            "、".join(t.name for t in e.tags.all()), e.get_status_display(),
        ])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def nomination_template() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "提名"
    append_row(sheet, NOMINATION_HEADERS)
    append_row(sheet, ["222401100200", "创建", "集聚提升类、乡村旅游重点村", "示例行，导入前请删除"])
    for column, width in zip("ABCD", (18, 10, 36, 30)):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@dataclass
class NominationRow:
    row: int
    village_code: str
    track: str
    tag_names: list[str]
    note: str


NOMINATION_COLUMNS = [
    Column("village_code", "村区划代码", ("区划代码", "村代码", "行政区划代码", "村级区划代码")),
    Column("track", "类型", ("创建类型",)),
    Column("tags", "标签", ("村庄标签",), required=False),
    Column("note", "说明", ("备注",), required=False),
]


def read_nominations(uploaded) -> list[NominationRow]:
    """Rows of a nomination sheet (.xlsx, .xls, .ods or CSV; the header row may sit under a title);
    a file that is not such a sheet, or over the import limits, is refused as a whole."""
    table = tabular.read_table(uploaded, name=str(getattr(uploaded, "name", "") or ""), columns=NOMINATION_COLUMNS)
    result = []
    for number, cells in table.rows:
        code, track_label, tags, note = (tabular.text(cells.get(c.field)) for c in NOMINATION_COLUMNS)
        track = TRACK_BY_LABEL.get(track_label, track_label)
        tag_names = [t.strip() for t in tags.replace(",", "、").replace("，", "、").split("、") if t.strip()]
        result.append(NominationRow(number, code, track, tag_names, note))
    return result
