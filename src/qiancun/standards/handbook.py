"""Publishing a standard: the 创建标准手册 / 创建及验收标准指南 the work plan asks each city and county to
compile (seed §三(三)), as a printable page and as a Word document with the same content.
"""

import io
from dataclasses import dataclass

from django.db.models import Sum
from django.utils import timezone
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from qiancun.core.text import clean_text

from . import computations
from .choices import JudgedBy, PassRule
from .models import Indicator, Standard
from .queries import indicator_groups

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUBTITLE = "创建标准手册 · 创建及验收标准指南"
DRAFT_NOTICE = (
    "本标准为平台起草的草案：各项指标的措辞依据工作方案中的要求整理，尚未与正式印发的“九有六无”标准文本核对。"
    "正式文本到位后，请省级管理员导出 Excel、按正式文本修改后导入替换，并取消“草案”标记。"
)
# The three-level acceptance of the work plan (吉政办函〔2022〕52号 §二(一)1–2).
PROCEDURE = [
    "县级自查：对照标准对全部创建村逐村自查，覆盖率 100%。",
    "市级复验：复验比例不低于本地创建村的 50%。",
    "省级抽查验收：按 10% 的比例抽查，达不到标准的一律不予通过，并在全省通报。",
    "日常监管：县级日常巡检、即查即改；市级工作专班、交叉互检；省级不定期督导暗访，发现重大问题或明显反弹的给予摘牌处理并通报。",
]
PROCEDURE_SOURCE = "依据《2022年全省乡村建设行动“千村示范”创建工作方案》（吉政办函〔2022〕52号）"
VERDICT_DIRECTION = "判定方向：“达到”表示村庄符合要求——对“无”类指标即未发现该问题；“未达到”对“无”类指标即发现了该问题。"


@dataclass
class HandbookRow:
    code: str
    title: str
    category: str
    description: str
    evidence: str
    judged: str
    is_veto: bool
    weight: int


def _row(indicator: Indicator) -> HandbookRow:
    if indicator.judged_by == JudgedBy.COMPUTED:
        label = dict(computations.choices()).get(indicator.computation, indicator.computation)
        judged = f"平台数据自动计算：{label}"
    else:
        judged = "检查员现场判定"
    evidence = "须现场拍照取证，照片随检查记录上传" if indicator.evidence_required else "现场查看或查阅资料，无须拍照"
    return HandbookRow(
        code=indicator.code, title=indicator.title, category=indicator.get_category_display(),
        description=indicator.description, evidence=evidence, judged=judged, is_veto=indicator.is_veto,
        weight=indicator.weight,
    )


def rule_text(standard: Standard, total_weight: int | None = None) -> str:
    if standard.pass_rule == PassRule.SCORE:
        if total_weight is None:
            total_weight = standard.indicators.aggregate(t=Sum("weight"))["t"] or 0
        return (
            f"总分达到分数线：各项指标按分值计分（“达到”和“不适用”计满分，“未达到”计 0 分），总分不低于 {standard.pass_score} 分"
            f"（满分 {total_weight} 分），且标为“一票否决”的指标全部达到，方为通过。"
        )
    groups = indicator_groups(standard)
    return (
        f"全部达到：{groups[0].heading}全部具备且{groups[1].heading}均未出现，方为通过；"
        "任何一项“未达到”即不通过。对不适用于该村的指标可判定为“不适用”，不影响通过。"
    )


def handbook_context(standard: Standard) -> dict:
    """What the handbook page and the Word document both show."""
    groups = [
        {"heading": g.heading, "label": g.label, "kind": g.kind, "rows": [_row(i) for i in g.indicators]}
        for g in indicator_groups(standard)
    ]
    return {
        "standard": standard,
        "subtitle": SUBTITLE,
        "draft_notice": DRAFT_NOTICE if standard.is_provisional else "",
        "rule_text": rule_text(standard),
        "verdict_direction": VERDICT_DIRECTION,
        "show_weight": standard.pass_rule == PassRule.SCORE,
        "groups": groups,
        "procedure": PROCEDURE,
        "procedure_source": PROCEDURE_SOURCE,
        "printed_on": timezone.localdate(),
    }


def docx_filename(standard: Standard) -> str:
    return f"{standard.year}年创建标准手册_第{standard.version}版.docx"


# --- Word --------------------------------------------------------------------------------------------

BODY_FONT = "宋体"
HEADING_FONT = "黑体"


def _east_asian(run_or_style, name: str) -> None:
    """python-docx sets only the Latin font; Chinese text needs w:eastAsia too."""
    run_or_style.font.name = name
    element = run_or_style.element if hasattr(run_or_style, "element") else run_or_style._element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)


def _repeat_header(row) -> None:
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(marker)


def _heading(document, text: str, level: int):
    paragraph = document.add_heading(level=level)
    run = paragraph.add_run(clean_text(text))
    _east_asian(run, HEADING_FONT)
    run.font.color.rgb = RGBColor(0, 0, 0)
    return paragraph


def _paragraph(document, text: str, *, size: float | None = None, bold=False, color: RGBColor | None = None, align=None):
    paragraph = document.add_paragraph()
    run = paragraph.add_run(clean_text(text))  # text stored before input was checked: XML cannot hold control characters
    _east_asian(run, BODY_FONT)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if color is not None:
        run.font.color.rgb = color
    if align is not None:
        paragraph.alignment = align
    return paragraph


def _table(document, headers: list[str], rows: list[list[str]], widths_mm: list[float]):
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    for cell, text, width in zip(table.rows[0].cells, headers, widths_mm, strict=True):
        cell.width = Mm(width)
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
        _east_asian(run, HEADING_FONT)
        run.font.size = Pt(10)
        _shade(cell, "DCE6F4")
    _repeat_header(table.rows[0])
    for values in rows:
        cells = table.add_row().cells
        for cell, text, width in zip(cells, values, widths_mm, strict=True):
            cell.width = Mm(width)
            run = cell.paragraphs[0].add_run(clean_text(text))
            _east_asian(run, BODY_FONT)
            run.font.size = Pt(10)
    return table


def handbook_docx(standard: Standard) -> bytes:
    """The handbook as a .docx (A4): rule, every indicator with what is checked and what evidence, a record sheet."""
    context = handbook_context(standard)
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    section.top_margin = section.bottom_margin = Mm(20)
    normal = document.styles["Normal"]
    _east_asian(normal, BODY_FONT)
    normal.font.size = Pt(11)
    for name in ("Heading 1", "Heading 2", "Title"):
        _east_asian(document.styles[name], HEADING_FONT)

    title = _paragraph(document, standard.name, size=18, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    _east_asian(title.runs[0], HEADING_FONT)
    version = f"{standard.year}年 · 第 {standard.version} 版" + ("（草案）" if standard.is_provisional else "")
    _paragraph(document, SUBTITLE, size=14, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(document, version, size=11, align=WD_ALIGN_PARAGRAPH.CENTER)
    if context["draft_notice"]:
        _paragraph(document, "【草案】" + context["draft_notice"], size=10.5, bold=True, color=RGBColor(0xB0, 0x3A, 0x2E))
    if standard.description:
        _paragraph(document, standard.description)

    numerals = iter("一二三四五六七八九")
    _heading(document, f"{next(numerals)}、通过规则", 1)
    _paragraph(document, context["rule_text"])
    _paragraph(document, context["verdict_direction"], size=10)

    show_weight = context["show_weight"]
    headers = ["编号", "指标", "检查内容（查什么、怎样算达到）", "佐证材料", "判定方式"]
    widths = [14, 34, 70, 28, 24]
    if show_weight:
        headers.append("分值")
        widths = [13, 30, 66, 26, 22, 13]
    for group in context["groups"]:
        _heading(document, f"{next(numerals)}、{group['heading']}（{group['label']}）", 1)
        if not group["rows"]:
            _paragraph(document, "（无）")
            continue
        rows = []
        for row in group["rows"]:
            title_text = f"{row.title}\n［{row.category}］" + ("\n（一票否决）" if row.is_veto else "")
            values = [row.code, title_text, row.description, row.evidence, row.judged]
            if show_weight:
                values.append(str(row.weight))
            rows.append(values)
        _table(document, headers, rows, widths)

    _heading(document, f"{next(numerals)}、验收程序", 1)
    _paragraph(document, context["procedure_source"], size=10)
    for step in context["procedure"]:
        _paragraph(document, "· " + step)

    _heading(document, f"{next(numerals)}、验收记录表", 1)
    _paragraph(document, "村名：______________　　检查日期：________年____月____日　　检查层级：□县级自查 □市级复验 □省级抽查")
    record_rows = [
        [row.code, row.title, "□", "□", "□", ""]
        for group in context["groups"]
        for row in group["rows"]
    ]
    _table(document, ["编号", "指标", "达到", "未达到", "不适用", "问题与佐证说明"], record_rows, [14, 50, 14, 16, 16, 60])
    _paragraph(document, "")
    _paragraph(document, "结论：□通过　□不通过　　　检查人（签字）：______________　　村负责人（签字）：______________")
    _paragraph(
        document, f"本手册由千村示范创建管理平台于 {context['printed_on']:%Y年%-m月%-d日} 依据标准第 {standard.version} 版生成。",
        size=9, color=RGBColor(0x66, 0x66, 0x66),
    )
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()

