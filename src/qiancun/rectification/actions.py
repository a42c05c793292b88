"""Every change to a problem (即查即改). The public API for the inspections domain is `do_open_problem`.

Who may do what (see `lifecycle.STEP_PERMS`):
- open: anyone who inspects or verifies (Perm.INSPECT or Perm.RECTIFICATION_VERIFY: admin, staff, inspector
  at any level), for a confirmed village inside their scope;
- assign: the county side (Perm.RECTIFICATION_FIX) or a verifier, until the fix is handed in;
- start / submit the fix: county, township or village admin and staff (Perm.RECTIFICATION_FIX);
- verify (accept or reopen with a reason): Perm.RECTIFICATION_VERIFY, never by the user who submitted the fix.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from qiancun.campaigns.lifecycle import CONFIRMED_STATUSES
from qiancun.campaigns.models import Enrollment
from qiancun.core.audit import diff, record_audit, snapshot
from qiancun.core.errors import DomainError, ErrorCode, PermissionDeniedError, ValidationFailed
from qiancun.core.images import check_image
from qiancun.core.models import AuditAction
from qiancun.standards.models import Indicator

from .lifecycle import Step, may, next_status
from .models import MAX_PHOTOS, FixPhoto, Problem, ProblemEvent

DEFAULT_DAYS = 30
PROBLEM_FIELDS = ["enrollment_id", "indicator_id", "record_id", "description", "responsible_unit", "responsible_person", "deadline", "status"]
ASSIGN_FIELDS = ["responsible_unit", "responsible_person", "deadline"]


def _ensure_may(user, step: Step) -> None:
    if not may(user, step):
        raise PermissionDeniedError()


def _scoped(problem: Problem, acting_user) -> None:
    if not Problem.objects.for_user(acting_user).filter(pk=problem.pk).exists():
        raise DomainError(ErrorCode.NOT_FOUND, "问题不存在或不在您的管辖范围内")


def _text(value, field: str, label: str, limit: int, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationFailed(f"请填写{label}", field=field)
    if len(value) > limit:
        raise ValidationFailed(f"{label}最多 {limit} 字", field=field)
    return value


def _deadline(value, today: date) -> date:
    if not isinstance(value, date):
        raise ValidationFailed("请填写整改时限", field="deadline")
    if value < today:
        raise ValidationFailed(f"整改时限 {value:%Y-%m-%d} 早于今天", field="deadline")
    if value > today + timedelta(days=366):
        raise ValidationFailed("整改时限不能超过一年", field="deadline")
    return value


def _step(problem: Problem, step: Step, *, acting_user, reason: str = "", update_fields=(), changes: dict | None = None) -> ProblemEvent:
    """Move a problem one step (the caller has checked who and where), with its timeline entry and audit row."""
    old_status = problem.status
    problem.status = next_status(old_status, step)
    problem.save(update_fields=["status", "updated_at", *update_fields])
    event = ProblemEvent.objects.create(
        problem=problem, at=timezone.now(), actor=acting_user if getattr(acting_user, "pk", None) else None,
        step=step, from_status=old_status, to_status=problem.status, reason=reason,
    )
    changes = dict(changes or {})
    if old_status != problem.status:
        changes["status"] = [old_status, problem.status]
    if reason and step != Step.ASSIGN:
        changes["reason"] = reason[:300]
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=problem, changes=changes)
    return event


@transaction.atomic
def do_open_problem(*, acting_user, enrollment: Enrollment, description: str, indicator: Indicator | None = None,
                    record=None, responsible_unit: str = "", responsible_person: str = "",
                    deadline: date | None = None) -> Problem:
    """An inspector (or county, city, province staff) records a problem found in a village.

    Called by the inspections domain for every not-met indicator, and from the problem pages for
    problems found otherwise. The deadline defaults to 30 days from today. Needs Perm.INSPECT or
    Perm.RECTIFICATION_VERIFY and the village inside the user's scope; the village must be
    confirmed into its campaign; the indicator must belong to the campaign's standard and the
    inspection record to the same village.
    """
    _ensure_may(acting_user, Step.OPEN)
    # A submitted inspection has already established that its inspector may check this village, even
    # outside the inspector's own region (cross-inspection between counties, inspectors named on a round).
    found_by_own_inspection = (
        record is not None and record.enrollment_id == enrollment.pk and record.status == "submitted"
        and record.inspector_id == getattr(acting_user, "pk", None)
    )
    if not found_by_own_inspection and not Enrollment.objects.for_user(acting_user).filter(pk=enrollment.pk).exists():
        raise DomainError(ErrorCode.NOT_FOUND, "创建村不存在或不在您的管辖范围内", field="enrollment")
    if enrollment.status not in CONFIRMED_STATUSES:
        raise ValidationFailed(f"{enrollment.village.name}尚未经省级确认为创建村，不能登记整改问题", field="enrollment")
    today = timezone.localdate()
    if indicator is not None and indicator.standard_id != enrollment.campaign.standard_id:
        raise ValidationFailed(f"指标“{indicator}”不属于{enrollment.campaign.year}年度的创建标准", field="indicator")
    if record is not None and record.enrollment_id != enrollment.pk:
        raise ValidationFailed("检查记录不是这个村的", field="record")
    problem = Problem(
        enrollment=enrollment, indicator=indicator, record=record,
        description=_text(description, "description", "问题描述", 500),
        responsible_unit=_text(responsible_unit, "responsible_unit", "责任单位", 100, required=False),
        responsible_person=_text(responsible_person, "responsible_person", "责任人", 50, required=False),
        deadline=_deadline(deadline, today) if deadline is not None else today + timedelta(days=DEFAULT_DAYS),
        opened_by=acting_user if getattr(acting_user, "pk", None) else None, opened_at=timezone.now(),
    )
    problem.save()
    ProblemEvent.objects.create(problem=problem, at=problem.opened_at, actor=problem.opened_by, step=Step.OPEN, to_status=problem.status)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=problem, changes=diff({}, snapshot(problem, PROBLEM_FIELDS)))
    return problem


@transaction.atomic
def do_assign(problem: Problem, *, acting_user, responsible_unit: str, responsible_person: str, deadline: date) -> Problem:
    """The county names the unit and person responsible and the deadline (or a verifier changes them)."""
    _ensure_may(acting_user, Step.ASSIGN)
    _scoped(problem, acting_user)
    next_status(problem.status, Step.ASSIGN)  # refuse early once the fix is handed in
    before = snapshot(problem, ASSIGN_FIELDS)
    problem.responsible_unit = _text(responsible_unit, "responsible_unit", "责任单位", 100)
    problem.responsible_person = _text(responsible_person, "responsible_person", "责任人", 50)
    problem.deadline = _deadline(deadline, timezone.localdate()) if deadline != problem.deadline else deadline
    changed = diff(before, snapshot(problem, ASSIGN_FIELDS))
    if not changed:
        return problem
    text = "；".join(f"{Problem._meta.get_field(k).verbose_name}：{v[1]}" for k, v in changed.items())
    _step(problem, Step.ASSIGN, acting_user=acting_user, reason=text, update_fields=list(changed), changes=changed)
    return problem


@transaction.atomic
def do_start_fixing(problem: Problem, *, acting_user) -> Problem:
    """The responsible side starts fixing (the unit and person must be named first)."""
    _ensure_may(acting_user, Step.START)
    _scoped(problem, acting_user)
    next_status(problem.status, Step.START)
    if not problem.responsible_unit or not problem.responsible_person:
        raise ValidationFailed("请先指定责任单位和责任人", field="responsible_unit")
    _step(problem, Step.START, acting_user=acting_user)
    return problem


@transaction.atomic
def do_submit_fix(problem: Problem, *, acting_user, note: str, photos=()) -> Problem:
    """The responsible side reports the fix with a note and 1–9 after-photos (JPEG/PNG, ≤ 10 MB each)."""
    _ensure_may(acting_user, Step.SUBMIT)
    _scoped(problem, acting_user)
    next_status(problem.status, Step.SUBMIT)
    note = _text(note, "note", "整改说明", 2000)
    photos = list(photos or [])
    if not photos:
        raise ValidationFailed("请上传至少一张整改后照片", field="photos")
    if len(photos) > MAX_PHOTOS:
        raise ValidationFailed(f"整改后照片最多 {MAX_PHOTOS} 张（本次 {len(photos)} 张）", field="photos")
    checked = [check_image(p, field="photos") for p in photos]  # all checked before anything is stored
    now = timezone.now()
    problem.fix_note = note
    problem.fix_submitted_at = now
    problem.fix_submitted_by = acting_user
    event = _step(problem, Step.SUBMIT, acting_user=acting_user, reason=note,
                  update_fields=["fix_note", "fix_submitted_at", "fix_submitted_by"])
    for photo in checked:
        item = FixPhoto(
            problem=problem, event=event, content_type=photo.content_type, original_name=photo.original_name,
            size=photo.size, width=photo.width, height=photo.height, sha256=photo.sha256, uploaded_at=now, uploaded_by=acting_user,
        )
        item.image.save(photo.content.name, photo.content, save=False)
        item.save()
    return problem


@transaction.atomic
def do_verify(problem: Problem, *, acting_user, accept: bool, reason: str = "") -> Problem:
    """A verifier checks a submitted fix: accept and close it, or reopen it with a reason."""
    _ensure_may(acting_user, Step.ACCEPT if accept else Step.REOPEN)
    _scoped(problem, acting_user)
    step = Step.ACCEPT if accept else Step.REOPEN
    next_status(problem.status, step)
    if problem.fix_submitted_by_id and problem.fix_submitted_by_id == getattr(acting_user, "pk", None):
        raise PermissionDeniedError("不能核验自己提交的整改")
    reason = _text(reason, "reason", "退回理由", 500, required=not accept)
    if accept:
        problem.closed_at = timezone.now()
        _step(problem, step, acting_user=acting_user, reason=reason, update_fields=["closed_at"])
    else:
        problem.reopen_count += 1
        _step(problem, step, acting_user=acting_user, reason=reason, update_fields=["reopen_count"])
    return problem
