"""Every change to standards and their indicators.

Province administrators (Perm.STANDARD_MANAGE) create and edit standards. A standard is frozen the first
time an inspection uses it (`do_freeze_standard`, called by the inspections domain); after that every
edit is refused with a DomainError(conflict) and changes go into a new version (`do_create_revision`).
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max, ProtectedError
from django.utils import timezone

from qiancun.accounts.permissions import Perm, ensure_can
from qiancun.core.audit import diff, record_audit, snapshot
from qiancun.core.errors import DomainError, ErrorCode, ValidationFailed
from qiancun.core.models import AuditAction

from . import computations
from .choices import IndicatorCategory, IndicatorKind, JudgedBy, PassRule
from .models import Indicator, Standard

STANDARD_FIELDS = ["year", "version", "name", "description", "is_provisional", "pass_rule", "pass_score", "previous_id", "frozen_at"]
EDITABLE_STANDARD_FIELDS = ["name", "description", "is_provisional", "pass_rule", "pass_score"]
INDICATOR_FIELDS = [
    "code", "kind", "category", "title", "description", "evidence_required", "is_veto", "judged_by", "computation", "weight",
]
YEAR_RANGE = (2000, 2100)
MAX_WEIGHT = 1000
MAX_INDICATORS = 200


# --- validation shared by forms, the API and the Excel import ----------------------------------------


def _labels(choices) -> str:
    return "、".join(str(label) for label in choices.labels)


def clean_indicator(data: dict) -> tuple[dict, list[tuple[str, str]]]:
    """Normalise one indicator's fields and list every problem as (field, Chinese message).

    `data` holds values already in code form (kind "have", booleans, integers); the Excel import turns
    labels into values first. A blank code is allowed here: the actions number it (有3, 无2…).
    """
    problems: list[tuple[str, str]] = []
    cleaned = dict(data)

    code = str(data.get("code") or "").strip()
    if len(code) > 10:
        problems.append(("code", "编号最多 10 个字符"))
    cleaned["code"] = code

    kind = getattr(data.get("kind"), "value", data.get("kind"))
    if kind not in IndicatorKind.values:
        problems.append(("kind", f"类型“{kind or ''}”无效，须为“有”或“无”"))
    cleaned["kind"] = kind

    category = getattr(data.get("category"), "value", data.get("category"))
    if category not in IndicatorCategory.values:
        problems.append(("category", f"类别“{category or ''}”无效，可选：{_labels(IndicatorCategory)}"))
    cleaned["category"] = category

    title = str(data.get("title") or "").strip()
    if not title:
        problems.append(("title", "请填写指标名称"))
    elif len(title) > 100:
        problems.append(("title", "指标名称最多 100 字"))
    cleaned["title"] = title

    description = str(data.get("description") or "").strip()
    if not description:
        problems.append(("description", "请填写检查内容（检查员核查什么、怎样算达到）"))
    cleaned["description"] = description

    for flag, name in (("evidence_required", "须拍照取证"), ("is_veto", "一票否决")):
        value = data.get(flag, False)
        if not isinstance(value, bool):
            problems.append((flag, f"{name}须为“是”或“否”"))
        cleaned[flag] = value

    judged_by = getattr(data.get("judged_by"), "value", data.get("judged_by")) or JudgedBy.INSPECTOR
    computation = str(data.get("computation") or "").strip()
    if judged_by not in JudgedBy.values:
        problems.append(("judged_by", f"判定方式“{judged_by}”无效，可选：{_labels(JudgedBy)}"))
    elif judged_by == JudgedBy.COMPUTED:
        if not computation:
            problems.append(("computation", "判定方式为“平台数据自动计算”时须选择计算规则"))
        elif not computations.is_registered(computation):
            known = "、".join(key for key, _label in computations.choices()) or "（暂无）"
            problems.append(("computation", f"计算规则“{computation}”未注册，可选：{known}"))
    else:
        computation = ""  # only computed indicators name a computation
    cleaned["judged_by"], cleaned["computation"] = str(judged_by), computation

    weight = data.get("weight", 0)
    if weight is None or weight == "":
        weight = 0
    if isinstance(weight, bool) or not isinstance(weight, int) or not 0 <= weight <= MAX_WEIGHT:
        problems.append(("weight", f"分值须为 0–{MAX_WEIGHT} 的整数"))
    cleaned["weight"] = weight
    return cleaned, problems


def _raise_first(problems: list[tuple[str, str]]) -> None:
    if problems:
        field, message = problems[0]
        raise ValidationFailed(message, field=field)


def _clean_standard(
    *, name: str, pass_rule: str, pass_score, is_provisional, description: str
) -> dict:
    name = (name or "").strip()
    if not name:
        raise ValidationFailed("请填写标准名称", field="name")
    if len(name) > 100:
        raise ValidationFailed("标准名称最多 100 字", field="name")
    pass_rule = getattr(pass_rule, "value", pass_rule)
    if pass_rule not in PassRule.values:
        raise ValidationFailed(f"通过规则“{pass_rule}”无效，可选：{_labels(PassRule)}", field="pass_rule")
    if pass_score in ("",):
        pass_score = None
    if pass_score is not None and (isinstance(pass_score, bool) or not isinstance(pass_score, int) or not 1 <= pass_score <= 10000):
        raise ValidationFailed("分数线须为 1–10000 的整数", field="pass_score")
    if pass_rule == PassRule.SCORE and pass_score is None:
        raise ValidationFailed("通过规则为“总分达到分数线”时须填写分数线", field="pass_score")
    if not isinstance(is_provisional, bool):
        raise ValidationFailed("草案须为“是”或“否”", field="is_provisional")
    return {
        "name": name, "pass_rule": pass_rule, "pass_score": pass_score, "is_provisional": is_provisional,
        "description": (description or "").strip(),
    }


def _locked(standard: Standard) -> Standard:
    """The standard's row, locked for this transaction, so a freeze cannot slip between check and write."""
    return Standard.objects.select_for_update().get(pk=standard.pk)


def _ensure_editable(standard: Standard) -> Standard:
    locked = _locked(standard)
    if locked.is_frozen:
        raise DomainError(
            ErrorCode.CONFLICT,
            f"{locked.year}年第 {locked.version} 版标准已冻结（已被检查使用或已发布），不能修改；请“创建新版本”，在新版本上修改",
            field="frozen_at",
        )
    return locked


def _next_version(year: int) -> int:
    return (Standard.objects.filter(year=year).aggregate(v=Max("version"))["v"] or 0) + 1


def _next_code(standard: Standard, kind: str, taken: set[str]) -> str:
    prefix = "有" if kind == IndicatorKind.HAVE else "无"
    n = 1
    while f"{prefix}{n}" in taken:
        n += 1
    return f"{prefix}{n}"


def _indicator_repr(indicator: Indicator, standard: Standard) -> str:
    return f"{indicator.code} {indicator.title}（{standard.year}年第 {standard.version} 版）"[:200]


def _copy_indicators(source: Standard, target: Standard) -> int:
    copies = [
        Indicator(standard=target, order=n, **{f: getattr(i, f) for f in INDICATOR_FIELDS})
        for n, i in enumerate(source.indicators.order_by("order", "id"), start=1)
    ]
    Indicator.objects.bulk_create(copies)
    return len(copies)


def _compact_order(standard: Standard) -> None:
    for n, indicator in enumerate(standard.indicators.order_by("order", "id"), start=1):
        if indicator.order != n:
            Indicator.objects.filter(pk=indicator.pk).update(order=n)


def _save_new_standard(standard: Standard) -> Standard:
    try:
        with transaction.atomic():
            standard.save()
    except IntegrityError:
        raise DomainError(
            ErrorCode.CONFLICT, f"{standard.year}年第 {standard.version} 版标准已存在，请重试", field="year"
        ) from None
    return standard


# --- standards ---------------------------------------------------------------------------------------


@transaction.atomic
def do_create_standard(
    *,
    acting_user,
    year: int,
    name: str,
    pass_rule: str = PassRule.ALL,
    pass_score: int | None = None,
    is_provisional: bool = True,
    description: str = "",
    copy_from: Standard | None = None,
) -> Standard:
    """A province administrator starts a standard for a year, empty or copied from an existing one.

    It takes the year's next version number; indicators of `copy_from` are copied in their order.
    """
    ensure_can(acting_user, Perm.STANDARD_MANAGE)
    if isinstance(year, bool) or not isinstance(year, int) or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ValidationFailed(f"年度须为 {YEAR_RANGE[0]}–{YEAR_RANGE[1]} 的整数", field="year")
    fields = _clean_standard(
        name=name, pass_rule=pass_rule, pass_score=pass_score, is_provisional=is_provisional, description=description
    )
    standard = _save_new_standard(Standard(year=year, version=_next_version(year), **fields))
    copied = _copy_indicators(copy_from, standard) if copy_from is not None else 0
    changes = diff({}, snapshot(standard, STANDARD_FIELDS))
    if copy_from is not None:
        changes["copied_from"] = [None, str(copy_from)]
        changes["indicators"] = [None, copied]
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=standard, changes=changes)
    return standard


@transaction.atomic
def do_update_standard(standard: Standard, *, acting_user, **changes) -> Standard:
    """A province administrator renames a standard, marks it official (not draft) or changes its pass rule."""
    ensure_can(acting_user, Perm.STANDARD_MANAGE)
    unknown = set(changes) - set(EDITABLE_STANDARD_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    standard = _ensure_editable(standard)
    before = snapshot(standard, STANDARD_FIELDS)
    current = {f: getattr(standard, f) for f in EDITABLE_STANDARD_FIELDS}
    current.update(changes)
    for field, value in _clean_standard(**current).items():
        setattr(standard, field, value)
    standard.save()
    changed = diff(before, snapshot(standard, STANDARD_FIELDS))
    if changed:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=standard, changes=changed)
    return standard


@transaction.atomic
def do_delete_standard(standard: Standard, *, acting_user) -> None:
    """A province administrator deletes a version made by mistake (never a frozen one, nor one others build on)."""
    ensure_can(acting_user, Perm.STANDARD_MANAGE)
    standard = _ensure_editable(standard)
    before = snapshot(standard, STANDARD_FIELDS)
    text, pk = str(standard), standard.pk
    try:
        with transaction.atomic():
            standard.delete()
    except ProtectedError:
        raise DomainError(
            ErrorCode.CONFLICT, "该标准已被年度创建或更新的版本引用，不能删除", field="standard"
        ) from None
    record_audit(
        AuditAction.DELETE, acting_user=acting_user, object_type="standards.standard", object_id=str(pk),
        object_repr=text, changes=diff(before, {}),
    )


@transaction.atomic
def do_freeze_standard(standard: Standard, *, acting_user) -> Standard:
    """Lock a version once an inspection has used it, so every verdict stays judged against the same text.

    Called by the inspections domain the first time an inspection records against this version (the
    acting user is whoever did that, often an inspector — their permission is checked by that action, so
    this one asks for none), and by province administrators who publish a version on purpose.
    Freezing twice is harmless: the first freeze time stays.
    """
    standard = _locked(standard)
    if standard.is_frozen:
        return standard
    indicators = list(standard.indicators.all())
    if not indicators:
        raise ValidationFailed("标准还没有任何指标，不能用于检查", field="indicators")
    unregistered = [i.code for i in indicators if i.judged_by == JudgedBy.COMPUTED and not computations.is_registered(i.computation)]
    if unregistered:
        raise ValidationFailed(f"指标 {'、'.join(unregistered)} 的计算规则未注册，不能用于检查", field="computation")
    if standard.pass_rule == PassRule.SCORE:
        total = sum(i.weight for i in indicators)
        if (standard.pass_score or 0) > total:
            raise ValidationFailed(
                f"分数线 {standard.pass_score} 高于全部指标分值之和 {total}，任何村都无法通过", field="pass_score"
            )
    before = snapshot(standard, STANDARD_FIELDS)
    standard.frozen_at = timezone.now()
    standard.save(update_fields=["frozen_at", "updated_at"])
    record_audit(
        AuditAction.UPDATE, acting_user=acting_user, username="" if acting_user else "system", obj=standard,
        changes=diff(before, snapshot(standard, STANDARD_FIELDS)),
    )
    return standard


@transaction.atomic
def do_create_revision(standard: Standard, *, acting_user) -> Standard:
    """A province administrator starts the next version of a (usually frozen) standard to change it.

    The new version has the same year, name, rule and indicators, `previous` = this version, and is
    not frozen. Its number is the year's next one (normally version + 1).
    """
    ensure_can(acting_user, Perm.STANDARD_MANAGE)
    source = Standard.objects.get(pk=standard.pk)
    revision = _save_new_standard(
        Standard(
            year=source.year, version=_next_version(source.year), name=source.name, description=source.description,
            is_provisional=source.is_provisional, pass_rule=source.pass_rule, pass_score=source.pass_score,
            previous=source,
        )
    )
    copied = _copy_indicators(source, revision)
    changes = diff({}, snapshot(revision, STANDARD_FIELDS))
    changes["indicators"] = [None, copied]
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=revision, changes=changes)
    return revision


# --- indicators --------------------------------------------------------------------------------------


@transaction.atomic
def do_add_indicator(standard: Standard, *, acting_user, **fields) -> Indicator:
    """A province administrator adds an indicator at the end of its group (有 or 无)."""
    ensure_can(acting_user, Perm.STANDARD_MANAGE)
    standard = _ensure_editable(standard)
    unknown = set(fields) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValidationFailed(f"未知字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    cleaned, problems = clean_indicator(fields)
    _raise_first(problems)
    if standard.indicators.count() >= MAX_INDICATORS:
        raise ValidationFailed(f"一个标准最多 {MAX_INDICATORS} 项指标", field="code")
    taken = set(standard.indicators.values_list("code", flat=True))
    if not cleaned["code"]:
        cleaned["code"] = _next_code(standard, cleaned["kind"], taken)
    elif cleaned["code"] in taken:
        raise DomainError(ErrorCode.CONFLICT, f"编号“{cleaned['code']}”已被本标准的其他指标使用", field="code")
    order = (standard.indicators.aggregate(m=Max("order"))["m"] or 0) + 1
    indicator = Indicator.objects.create(standard=standard, order=order, **cleaned)
    record_audit(
        AuditAction.CREATE, acting_user=acting_user, obj=indicator, object_repr=_indicator_repr(indicator, standard),
        changes=diff({}, snapshot(indicator, INDICATOR_FIELDS)),
    )
    return indicator


@transaction.atomic
def do_update_indicator(indicator: Indicator, *, acting_user, **changes) -> Indicator:
    """A province administrator rewords an indicator or changes how it is judged."""
    ensure_can(acting_user, Perm.STANDARD_MANAGE)
    standard = _ensure_editable(indicator.standard)
    unknown = set(changes) - set(INDICATOR_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    indicator = Indicator.objects.get(pk=indicator.pk)
    before = snapshot(indicator, INDICATOR_FIELDS)
    data = {**before, **changes}
    cleaned, problems = clean_indicator(data)
    _raise_first(problems)
    if not cleaned["code"]:
        raise ValidationFailed("请填写编号", field="code")
    if standard.indicators.exclude(pk=indicator.pk).filter(code=cleaned["code"]).exists():
        raise DomainError(ErrorCode.CONFLICT, f"编号“{cleaned['code']}”已被本标准的其他指标使用", field="code")
    for field, value in cleaned.items():
        setattr(indicator, field, value)
    indicator.save()
    changed = diff(before, snapshot(indicator, INDICATOR_FIELDS))
    if changed:
        record_audit(
            AuditAction.UPDATE, acting_user=acting_user, obj=indicator, object_repr=_indicator_repr(indicator, standard),
            changes=changed,
        )
    return indicator


@transaction.atomic
def do_delete_indicator(indicator: Indicator, *, acting_user) -> None:
    """A province administrator removes an indicator from a standard that is not frozen."""
    ensure_can(acting_user, Perm.STANDARD_MANAGE)
    standard = _ensure_editable(indicator.standard)
    before = snapshot(indicator, INDICATOR_FIELDS)
    text, pk = _indicator_repr(indicator, standard), indicator.pk
    indicator.delete()
    _compact_order(standard)
    record_audit(
        AuditAction.DELETE, acting_user=acting_user, object_type="standards.indicator", object_id=str(pk),
        object_repr=text, changes=diff(before, {}),
    )


@transaction.atomic
def do_reorder_indicators(standard: Standard, indicator_ids: list[int], *, acting_user) -> Standard:
    """A province administrator puts the indicators in a new order (every indicator, each once)."""
    ensure_can(acting_user, Perm.STANDARD_MANAGE)
    standard = _ensure_editable(standard)
    current = list(standard.indicators.order_by("order", "id").values_list("pk", flat=True))
    if sorted(indicator_ids) != sorted(current):
        raise ValidationFailed("须列出本标准的全部指标编号，每项一次", field="indicator_ids")
    if indicator_ids == current:
        return standard
    for n, pk in enumerate(indicator_ids, start=1):
        Indicator.objects.filter(pk=pk).update(order=n)
    record_audit(
        AuditAction.UPDATE, acting_user=acting_user, obj=standard,
        changes={"indicator_order": [current, list(indicator_ids)]},
    )
    return standard


@transaction.atomic
def do_move_indicator(indicator: Indicator, direction: str, *, acting_user) -> Indicator:
    """A province administrator moves an indicator one place up or down within its group (有 or 无)."""
    ensure_can(acting_user, Perm.STANDARD_MANAGE)
    standard = _ensure_editable(indicator.standard)
    if direction not in ("up", "down"):
        raise ValidationFailed("移动方向须为 up 或 down", field="direction")
    ordered = list(standard.indicators.order_by("order", "id"))
    ids = [i.pk for i in ordered]
    same_kind = [i.pk for i in ordered if i.kind == indicator.kind]
    at = same_kind.index(indicator.pk)
    neighbour_at = at - 1 if direction == "up" else at + 1
    if 0 <= neighbour_at < len(same_kind):
        a, b = ids.index(indicator.pk), ids.index(same_kind[neighbour_at])
        ids[a], ids[b] = ids[b], ids[a]
        do_reorder_indicators(standard, ids, acting_user=acting_user)
    return Indicator.objects.get(pk=indicator.pk)


# --- Excel import ------------------------------------------------------------------------------------


@dataclass
class ImportSummary:
    added: int
    removed: int


class IndicatorFileError(DomainError):
    """The uploaded sheet has problems; `details` lists each as {row, column, message}. Nothing was written."""

    def __init__(self, message: str, details: list[dict] | None = None):
        super().__init__(ErrorCode.INVALID_FILE, message, field="file", details=details)


@transaction.atomic
def do_import_indicators(standard: Standard, uploaded_file, *, acting_user) -> ImportSummary:
    """A province administrator replaces all indicators of a standard with those in an Excel sheet.

    All or nothing: every row is checked first, and any problem (reported per row and column) leaves
    the standard as it was. The sheet's layout is the export's (see `spreadsheet.COLUMNS`).
    """
    from .spreadsheet import HEADERS, read_indicator_rows

    ensure_can(acting_user, Perm.STANDARD_MANAGE)
    standard = _ensure_editable(standard)
    rows = read_indicator_rows(uploaded_file)
    errors: list[dict] = []
    cleaned_rows = []
    seen_codes: dict[str, int] = {}
    for row in rows:
        errors += [{"row": row.number, "column": HEADERS[f], "message": m} for f, m in row.problems]
        parsed_fields = {f for f, _m in row.problems}
        cleaned, problems = clean_indicator(row.data)
        errors += [{"row": row.number, "column": HEADERS[f], "message": m} for f, m in problems if f not in parsed_fields]
        code = cleaned["code"]
        if code:
            if code in seen_codes:
                errors.append({"row": row.number, "column": HEADERS["code"], "message": f"编号“{code}”与第 {seen_codes[code]} 行重复"})
            else:
                seen_codes[code] = row.number
        cleaned_rows.append(cleaned)
    if not rows:
        raise IndicatorFileError("表格中没有指标行（第 1 行为表头，从第 2 行起每行一项指标）")
    if len(rows) > MAX_INDICATORS:
        raise IndicatorFileError(f"一个标准最多 {MAX_INDICATORS} 项指标，表格中有 {len(rows)} 行")
    if errors:
        errors.sort(key=lambda e: e["row"])
        first = errors[0]
        raise IndicatorFileError(
            f"表格有 {len(errors)} 处错误，未导入任何指标。第一处：第 {first['row']} 行“{first['column']}”：{first['message']}",
            details=errors,
        )
    taken = set(seen_codes)
    for cleaned in cleaned_rows:
        if not cleaned["code"]:
            cleaned["code"] = _next_code(standard, cleaned["kind"], taken)
            taken.add(cleaned["code"])
    removed = standard.indicators.count()
    standard.indicators.all().delete()
    Indicator.objects.bulk_create(
        Indicator(standard=standard, order=n, **cleaned) for n, cleaned in enumerate(cleaned_rows, start=1)
    )
    standard.save(update_fields=["updated_at"])
    name = getattr(uploaded_file, "name", "") or "indicators.xlsx"
    record_audit(
        AuditAction.IMPORT, acting_user=acting_user, obj=standard,
        changes={"added": len(cleaned_rows), "removed": removed, "file": str(name)[:100]},
    )
    return ImportSummary(added=len(cleaned_rows), removed=removed)
