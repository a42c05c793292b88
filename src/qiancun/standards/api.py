"""/api/v1/standards…: the standard (九有六无), its indicators, versions, Excel, handbook and pass rule.

Every role reads; province administrators (Perm.STANDARD_MANAGE) write. A frozen standard refuses every
write with 409 `conflict`; POST …/revision makes the next, editable version.
"""

from datetime import datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from qiancun.accounts.permissions import Perm, ensure_can
from qiancun.core.api_base import ERRORS
from qiancun.core.errors import ValidationFailed

from . import actions, computations, handbook, queries, rules, spreadsheet
from .choices import IndicatorCategory, IndicatorKind, JudgedBy, PassRule, Verdict
from .models import Indicator, Standard

router = Router(tags=["创建标准"])


class IndicatorOut(Schema):
    id: int
    code: str
    kind: IndicatorKind
    category: IndicatorCategory
    title: str
    description: str
    evidence_required: bool
    is_veto: bool
    judged_by: JudgedBy
    computation: str
    weight: int
    order: int


class StandardOut(Schema):
    id: int
    year: int
    version: int
    name: str
    description: str
    is_provisional: bool
    is_frozen: bool
    frozen_at: datetime | None
    pass_rule: PassRule
    pass_score: int | None
    previous_id: int | None
    have_count: int
    must_not_count: int
    created_at: datetime
    updated_at: datetime


class StandardDetailOut(StandardOut):
    indicators: list[IndicatorOut] = Field(alias="indicator_list")


class StandardCreateIn(Schema):
    year: int
    name: str
    pass_rule: PassRule = PassRule.ALL
    pass_score: int | None = None
    is_provisional: bool = True
    description: str = ""
    copy_from: int | None = Field(None, description="复制该标准（id）的全部指标")


class StandardPatchIn(Schema):
    name: str | None = None
    pass_rule: PassRule | None = None
    pass_score: int | None = None
    is_provisional: bool | None = None
    description: str | None = None


class IndicatorIn(Schema):
    code: str = Field("", description="留空则按类型自动编号（有3、无2…）")
    kind: IndicatorKind
    category: IndicatorCategory
    title: str
    description: str
    evidence_required: bool = False
    is_veto: bool = False
    judged_by: JudgedBy = JudgedBy.INSPECTOR
    computation: str = Field("", description="判定方式为 computed 时必填，取值见 GET /standards/computations")
    weight: int = 0


class IndicatorPatchIn(Schema):
    code: str | None = None
    kind: IndicatorKind | None = None
    category: IndicatorCategory | None = None
    title: str | None = None
    description: str | None = None
    evidence_required: bool | None = None
    is_veto: bool | None = None
    judged_by: JudgedBy | None = None
    computation: str | None = None
    weight: int | None = None


class OrderIn(Schema):
    indicator_ids: list[int] = Field(description="本标准全部指标的 id，按新顺序")


class ComputationOut(Schema):
    key: str
    label: str


class EvaluateIn(Schema):
    verdicts: dict[int, Verdict] = Field(
        description="指标 id → met（达到）/ not_met（未达到）/ not_applicable（不适用）。"
        "对“无”类指标，met 表示未发现该问题，not_met 表示发现了该问题"
    )


class IndicatorRef(Schema):
    id: int
    code: str
    title: str


class OutcomeOut(Schema):
    passed: bool
    score: int | None
    vetoed: bool
    reasons: list[str]
    failed_indicators: list[IndicatorRef]
    unjudged_indicators: list[IndicatorRef]


class IndicatorImportOut(Schema):
    added: int
    removed: int
    standard: StandardDetailOut


def _standard(standard_id: int) -> Standard:
    return get_object_or_404(queries.with_counts(), pk=standard_id)


def _detail(standard_id: int) -> Standard:
    standard = _standard(standard_id)
    standard.indicator_list = list(standard.indicators.order_by("order", "id"))
    return standard


def _indicator(standard_id: int, indicator_id: int) -> Indicator:
    return get_object_or_404(Indicator.objects.select_related("standard"), pk=indicator_id, standard_id=standard_id)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _binary(content_type: str, text: str) -> dict:
    return {"responses": {200: {"description": text, "content": {content_type: {"schema": {"type": "string", "format": "binary"}}}}}}


@router.get("/standards", response={200: list[StandardOut], **ERRORS}, summary="创建标准列表（各年度、各版本）")
def list_standards(request, year: int | None = None):
    ensure_can(request.auth, Perm.STANDARD_VIEW)
    standards = queries.with_counts().order_by("-year", "-version")
    return standards.filter(year=year) if year else standards


@router.post("/standards", response={201: StandardDetailOut, **ERRORS}, summary="新建标准（可复制已有标准的指标；仅省级管理员）")
def create_standard(request, payload: StandardCreateIn):
    ensure_can(request.auth, Perm.STANDARD_MANAGE)
    data = payload.dict()
    copy_from = None
    if data.pop("copy_from") is not None:
        copy_from = Standard.objects.filter(pk=payload.copy_from).first()
        if copy_from is None:
            raise ValidationFailed(f"要复制的标准 {payload.copy_from} 不存在", field="copy_from")
    standard = actions.do_create_standard(acting_user=request.auth, copy_from=copy_from, **data)
    return Status(201, _detail(standard.pk))


@router.get("/standards/computations", response={200: list[ComputationOut], **ERRORS}, summary="可用于自动判定指标的计算规则")
def list_computations(request):
    ensure_can(request.auth, Perm.STANDARD_VIEW)
    return [{"key": key, "label": label} for key, label in computations.choices()]


@router.get("/standards/{standard_id}", response={200: StandardDetailOut, **ERRORS}, summary="标准详情与全部指标")
def get_standard(request, standard_id: int):
    ensure_can(request.auth, Perm.STANDARD_VIEW)
    return _detail(standard_id)


@router.patch("/standards/{standard_id}", response={200: StandardDetailOut, **ERRORS}, summary="修改标准名称、草案标记、通过规则（已冻结的不能修改）")
def update_standard(request, standard_id: int, payload: StandardPatchIn):
    ensure_can(request.auth, Perm.STANDARD_MANAGE)
    actions.do_update_standard(_standard(standard_id), acting_user=request.auth, **payload.dict(exclude_unset=True))
    return _detail(standard_id)


@router.delete("/standards/{standard_id}", response={204: None, **ERRORS}, summary="删除未冻结、未被引用的标准")
def delete_standard(request, standard_id: int):
    ensure_can(request.auth, Perm.STANDARD_MANAGE)
    actions.do_delete_standard(_standard(standard_id), acting_user=request.auth)
    return Status(204, None)


@router.post("/standards/{standard_id}/freeze", response={200: StandardDetailOut, **ERRORS}, summary="冻结标准（此后不能修改；检查首次使用时也会自动冻结）")
def freeze_standard(request, standard_id: int):
    ensure_can(request.auth, Perm.STANDARD_MANAGE)
    actions.do_freeze_standard(_standard(standard_id), acting_user=request.auth)
    return _detail(standard_id)


@router.post("/standards/{standard_id}/revision", response={201: StandardDetailOut, **ERRORS}, summary="创建新版本（复制全部指标，上一版本为本标准）")
def create_revision(request, standard_id: int):
    ensure_can(request.auth, Perm.STANDARD_MANAGE)
    revision = actions.do_create_revision(_standard(standard_id), acting_user=request.auth)
    return Status(201, _detail(revision.pk))


@router.post("/standards/{standard_id}/indicators", response={201: IndicatorOut, **ERRORS}, summary="添加指标")
def add_indicator(request, standard_id: int, payload: IndicatorIn):
    ensure_can(request.auth, Perm.STANDARD_MANAGE)
    return Status(201, actions.do_add_indicator(_standard(standard_id), acting_user=request.auth, **payload.dict()))


@router.put("/standards/{standard_id}/indicators/order", response={200: StandardDetailOut, **ERRORS}, summary="调整指标顺序")
def reorder_indicators(request, standard_id: int, payload: OrderIn):
    ensure_can(request.auth, Perm.STANDARD_MANAGE)
    actions.do_reorder_indicators(_standard(standard_id), payload.indicator_ids, acting_user=request.auth)
    return _detail(standard_id)


@router.patch("/standards/{standard_id}/indicators/{indicator_id}", response={200: IndicatorOut, **ERRORS}, summary="修改指标")
def update_indicator(request, standard_id: int, indicator_id: int, payload: IndicatorPatchIn):
    ensure_can(request.auth, Perm.STANDARD_MANAGE)
    indicator = _indicator(standard_id, indicator_id)
    return actions.do_update_indicator(indicator, acting_user=request.auth, **payload.dict(exclude_unset=True))


@router.delete("/standards/{standard_id}/indicators/{indicator_id}", response={204: None, **ERRORS}, summary="删除指标")
def delete_indicator(request, standard_id: int, indicator_id: int):
    ensure_can(request.auth, Perm.STANDARD_MANAGE)
    actions.do_delete_indicator(_indicator(standard_id, indicator_id), acting_user=request.auth)
    return Status(204, None)


@router.get(
    "/standards/{standard_id}/export", response=ERRORS, summary="导出指标 Excel（也是导入模板）",
    openapi_extra=_binary(spreadsheet.XLSX, "指标表（.xlsx）"),
)
def export_standard(request, standard_id: int):
    ensure_can(request.auth, Perm.STANDARD_VIEW)
    standard = _standard(standard_id)
    return _download(spreadsheet.export_indicators(standard), spreadsheet.XLSX, spreadsheet.export_filename(standard))


@router.post(
    "/standards/{standard_id}/import", response={200: IndicatorImportOut, **ERRORS},
    summary="从 Excel 导入指标，整体替换（全部行无误才写入，错误逐行列在 details）",
)
def import_standard(request, standard_id: int, file: File[UploadedFile]):
    ensure_can(request.auth, Perm.STANDARD_MANAGE)
    summary = actions.do_import_indicators(_standard(standard_id), file, acting_user=request.auth)
    return {"added": summary.added, "removed": summary.removed, "standard": _detail(standard_id)}


@router.get(
    "/standards/{standard_id}/handbook", response=ERRORS, summary="创建标准手册 / 验收标准指南（Word）",
    openapi_extra=_binary(handbook.DOCX, "手册（.docx）"),
)
def standard_handbook(request, standard_id: int):
    ensure_can(request.auth, Perm.STANDARD_VIEW)
    standard = _standard(standard_id)
    return _download(handbook.handbook_docx(standard), handbook.DOCX, handbook.docx_filename(standard))


@router.post("/standards/{standard_id}/evaluate", response={200: OutcomeOut, **ERRORS}, summary="按通过规则试算：提交各指标判定，返回是否通过")
def evaluate_standard(request, standard_id: int, payload: EvaluateIn):
    ensure_can(request.auth, Perm.STANDARD_VIEW)
    outcome = rules.evaluate(_standard(standard_id), payload.verdicts)
    return {
        "passed": outcome.passed, "score": outcome.score, "vetoed": outcome.vetoed, "reasons": outcome.reasons,
        "failed_indicators": outcome.failed_indicators, "unjudged_indicators": outcome.unjudged_indicators,
    }
