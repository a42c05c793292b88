"""A standard's indicators as an Excel sheet, and back.

The export is also the import template: sheet “指标”, one indicator per row, Chinese headers, values
as the UI shows them (类型 “有”/“无”, 类别 “人居环境”, 是/否). A second sheet “填写说明” lists the allowed
values. The import accepts labels or the API's codes (have, environment, true…), so a sheet written by
a script works too. Row order is the indicators' order.
"""

import io
from dataclasses import dataclass, field

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from qiancun.core import tabular
from qiancun.core.errors import DomainError, ErrorCode
from qiancun.core.xlsx_stream import set_cell

from . import computations
from .choices import IndicatorCategory, IndicatorKind, JudgedBy, PassRule
from .models import Standard

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET = "指标"
MAX_ROWS = 1000

# field, header (the model's verbose name), column width, required in the sheet
COLUMNS = [
    ("code", "编号", 8, False),
    ("kind", "类型", 8, True),
    ("category", "类别", 12, True),
    ("title", "指标", 30, True),
    ("description", "检查内容", 70, True),
    ("evidence_required", "须拍照取证", 12, False),
    ("is_veto", "一票否决", 10, False),
    ("judged_by", "判定方式", 18, False),
    ("computation", "计算规则", 26, False),
    ("weight", "分值", 8, False),
]
HEADERS = {f: header for f, header, _w, _r in COLUMNS}

KIND_CELL = {IndicatorKind.HAVE: "有", IndicatorKind.MUST_NOT: "无"}
TRUE_WORDS = {"是", "√", "✓", "y", "yes", "true", "1", "需要", "须"}
FALSE_WORDS = {"否", "×", "n", "no", "false", "0", "不需要", "无须", ""}


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _by_label_or_value(choices, extra: dict[str, str] | None = None) -> dict[str, str]:
    mapping = {str(label): value for value, label in choices.choices}
    mapping.update({value: value for value in choices.values})
    mapping.update(extra or {})
    return {k.lower(): v for k, v in mapping.items()}


KIND_WORDS = _by_label_or_value(IndicatorKind, {"有": "have", "无": "must_not", "必备": "have", "不得出现": "must_not"})
CATEGORY_WORDS = _by_label_or_value(IndicatorCategory)
JUDGED_WORDS = _by_label_or_value(JudgedBy, {"检查员": "inspector", "自动计算": "computed", "平台计算": "computed"})


# --- export ------------------------------------------------------------------------------------------


def export_filename(standard: Standard) -> str:
    return f"创建标准_{standard.year}_第{standard.version}版_指标.xlsx"


def export_indicators(standard: Standard) -> bytes:
    """The .xlsx of a standard's indicators; edit it and import it to replace them."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    header_fill = PatternFill("solid", fgColor="DCE6F4")
    for col, (_f, header, width, required) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=col, value=header)
        cell.font = Font(bold=True, color="9C0006" if required else "000000")
        cell.fill = header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        sheet.column_dimensions[get_column_letter(col)].width = width
    sheet.freeze_panes = "A2"
    wrap = Alignment(wrap_text=True, vertical="top")
    indicators = list(standard.indicators.order_by("order", "id"))
    for row, indicator in enumerate(indicators, start=2):
        values = [
            indicator.code,
            KIND_CELL[indicator.kind],
            indicator.get_category_display(),
            indicator.title,
            indicator.description,
            "是" if indicator.evidence_required else "否",
            "是" if indicator.is_veto else "否",
            indicator.get_judged_by_display(),
            indicator.computation,
            indicator.weight,
        ]
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col)
            set_cell(cell, value)  # text never a formula, stored control characters left out
            cell.alignment = wrap

    last = max(MAX_ROWS, len(indicators) + 1)

    def dropdown(column_field: str, options: list[str]) -> None:
        letter = get_column_letter([f for f, *_ in COLUMNS].index(column_field) + 1)
        validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"', allow_blank=True)
        validation.error = "请从下拉列表中选择"
        validation.errorTitle = HEADERS[column_field]
        sheet.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{last}")

    dropdown("kind", list(KIND_CELL.values()))
    dropdown("category", [str(label) for label in IndicatorCategory.labels])
    dropdown("evidence_required", ["是", "否"])
    dropdown("is_veto", ["是", "否"])
    dropdown("judged_by", [str(label) for label in JudgedBy.labels])
    keys = [key for key, _label in computations.choices()]
    if keys:
        dropdown("computation", keys)

    _instructions(workbook.create_sheet("填写说明"), standard)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(sheet, standard: Standard) -> None:
    rule = PassRule(standard.pass_rule).label
    if standard.pass_rule == PassRule.SCORE:
        rule += f"（分数线 {standard.pass_score}）"
    lines = [
        ("标准", f"{standard.name}（{standard.year}年第 {standard.version} 版）"),
        ("导出时间", timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        ("通过规则", rule),
        ("", ""),
        ("怎样使用", "在“指标”表中修改、增删行后，在平台该标准页面选择“Excel 导入”上传本文件。导入会用表中各行替换该标准的全部指标；"
         "任何一行有错误时不导入任何内容，并逐行列出错误。已冻结的标准不能导入，请先创建新版本。"),
        ("行的顺序", "即指标的顺序。第 1 行为表头，请勿修改表头文字。"),
        ("红色表头", "必填列。"),
        ("编号", "如 有1、无3；留空时按类型自动编号。同一标准内不能重复。"),
        ("类型", "有（必备，须具备）或 无（不得出现的问题）。"),
        ("类别", "、".join(str(label) for label in IndicatorCategory.labels)),
        ("须拍照取证 / 一票否决", "是 或 否（留空为否）。一票否决仅在“总分达到分数线”规则下起作用。"),
        ("判定方式", "、".join(str(label) for label in JudgedBy.labels) + "（留空为检查员判定）。"),
        ("计算规则", "判定方式为“平台数据自动计算”时必填，可选："
         + ("；".join(f"{key}（{label}）" for key, label in computations.choices()) or "暂无")),
        ("分值", "0 及以上的整数，仅在“总分达到分数线”规则下使用。"),
        ("判定方向", "对“无”类指标，“达到”表示未发现该问题，“未达到”表示发现了该问题。"),
    ]
    for row, (label, text) in enumerate(lines, start=1):
        set_cell(sheet.cell(row=row, column=1), label)
        set_cell(sheet.cell(row=row, column=2), text)
        sheet.cell(row=row, column=1).font = Font(bold=True)
        sheet.cell(row=row, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 100


# --- import ------------------------------------------------------------------------------------------


@dataclass
class SheetRow:
    number: int  # the row number Excel shows
    data: dict
    problems: list[tuple[str, str]] = field(default_factory=list)


def _boolean(text: str, column: str, row: SheetRow, name: str):
    lowered = text.lower()
    if lowered in TRUE_WORDS:
        return True
    if lowered in FALSE_WORDS:
        return False
    row.problems.append((column, f"{name}“{text}”无效，须为“是”或“否”"))
    return text


def _parse_row(number: int, cells: dict[str, object]) -> SheetRow:
    row = SheetRow(number=number, data={})
    text = {f: _cell_text(cells.get(f)) for f in HEADERS}
    row.data["code"] = text["code"]
    row.data["title"] = text["title"]
    row.data["description"] = text["description"]

    kind = KIND_WORDS.get(text["kind"].lower())
    if kind is None:
        row.problems.append(("kind", f"类型“{text['kind']}”无效，须为“有”或“无”" if text["kind"] else "请填写类型（有 或 无）"))
    row.data["kind"] = kind or text["kind"]

    category = CATEGORY_WORDS.get(text["category"].lower())
    if category is None:
        labels = "、".join(str(label) for label in IndicatorCategory.labels)
        row.problems.append(("category", f"类别“{text['category']}”无效，可选：{labels}" if text["category"] else f"请填写类别，可选：{labels}"))
    row.data["category"] = category or text["category"]

    row.data["evidence_required"] = _boolean(text["evidence_required"], "evidence_required", row, "须拍照取证")
    row.data["is_veto"] = _boolean(text["is_veto"], "is_veto", row, "一票否决")

    judged_by = JUDGED_WORDS.get(text["judged_by"].lower()) if text["judged_by"] else JudgedBy.INSPECTOR.value
    if judged_by is None:
        row.problems.append(("judged_by", f"判定方式“{text['judged_by']}”无效，可选：检查员判定、平台数据自动计算"))
    row.data["judged_by"] = judged_by or text["judged_by"]

    by_label = {label: key for key, label in computations.choices()}
    row.data["computation"] = by_label.get(text["computation"], text["computation"])

    raw_weight = cells.get("weight")
    if raw_weight is None or text["weight"] == "":
        row.data["weight"] = 0
    else:
        try:
            number_value = float(text["weight"])
        except ValueError:
            number_value = None
        if number_value is None or not number_value.is_integer():
            row.problems.append(("weight", f"分值“{text['weight']}”须为整数"))
            row.data["weight"] = text["weight"]
        else:
            row.data["weight"] = int(number_value)
    return row


def read_indicator_rows(uploaded_file) -> list[SheetRow]:
    """Each non-empty row of the sheet, with the problems found in reading its cells.

    Raises DomainError(invalid_file) when the file is not an .xlsx or its header row lacks a required column.
    """
    name = str(getattr(uploaded_file, "name", "") or "")
    if name and not name.lower().endswith((".xlsx", ".xlsm")):
        raise DomainError(ErrorCode.INVALID_FILE, "请上传 Excel 文件（.xlsx），可先导出一份作为模板", field="file")
    # The shared reader: limits checked before the workbook is opened, the header found under a title.
    columns = [tabular.Column(f, header, required=required) for f, header, _w, required in COLUMNS]
    table = tabular.read_table(uploaded_file, name=name or "indicators.xlsx", columns=columns, sheet=SHEET, max_rows=MAX_ROWS)
    return [_parse_row(number, cells) for number, cells in table.rows]
