"""Every change in acceptance and supervision: rounds, draws, inspections, sign-off, revocation.

The work plan (seed §二(一)): counties self-check every village, cities re-check at least half of
those that passed, the province spot-checks 10% drawn at random; failures are not accepted and are
named in a circular; villages of earlier years get unannounced and return visits and can lose the title.
"""

import unicodedata
from datetime import date

from django.db import IntegrityError, transaction
from django.utils import timezone

from qiancun.accounts.permissions import Perm, can, ensure_can
from qiancun.campaigns.actions import apply_step
from qiancun.campaigns.choices import EnrollmentStatus
from qiancun.campaigns.lifecycle import Step
from qiancun.campaigns.models import Campaign, Enrollment
from qiancun.core.audit import record_audit
from qiancun.core.errors import DomainError, ErrorCode, PermissionDeniedError, ValidationFailed
from qiancun.core.images import check_image
from qiancun.core.models import AuditAction
from qiancun.core.text import chinese_date
from qiancun.regions.choices import RegionLevel
from qiancun.regions.models import Region
from qiancun.standards import computations, rules
from qiancun.standards.actions import do_freeze_standard
from qiancun.standards.choices import JudgedBy, Verdict

from . import draws
from .choices import (
    ACCEPTANCE_KINDS,
    ROUND_LEVEL,
    VISIT_KINDS,
    DrawStatus,
    RecordStatus,
    RevocationStatus,
    RoundKind,
    RoundStatus,
    SeedSource,
)
from .models import (
    CrossAssignment,
    Draw,
    DrawLink,
    EvidencePhoto,
    IndicatorVerdict,
    InspectionRecord,
    InspectionRound,
    Revocation,
)

SAMPLED_KINDS = {RoundKind.RE_CHECK, RoundKind.SPOT_CHECK}
CONFIRMED = [EnrollmentStatus.CREATING, EnrollmentStatus.SELF_CHECKED, EnrollmentStatus.RE_CHECKED,
             EnrollmentStatus.ACCEPTED, EnrollmentStatus.NOT_ACCEPTED]


# ---------------------------------------------------------------- who and what a round covers


def passed_self_check(campaign: Campaign):
    """Enrollments whose county self-check passed and was signed off by the city."""
    return Enrollment.objects.filter(
        campaign=campaign,
        inspections__round__kind=RoundKind.SELF_CHECK,
        inspections__round__status=RoundStatus.LOCKED,
        inspections__passed=True,
    )


def eligible(round: InspectionRound):
    """The villages a round must (or may) cover."""
    enrollments = Enrollment.objects.filter(campaign=round.campaign).within(round.region_id)
    if round.kind in (RoundKind.SELF_CHECK, RoundKind.LOOK_BACK, RoundKind.PATROL, RoundKind.CROSS):
        return enrollments.filter(status__in=CONFIRMED)
    if round.kind in SAMPLED_KINDS:
        return enrollments.filter(pk__in=passed_self_check(round.campaign).values("pk"))
    return enrollments.filter(status=EnrollmentStatus.ACCEPTED)  # visits to villages already named


def current_draw(round: InspectionRound) -> Draw | None:
    return round.draws.filter(replaced_by__isnull=True).first()


def targets(round: InspectionRound):
    """The villages to inspect: the drawn sample for re-checks and spot-checks, else all eligible."""
    if round.kind in SAMPLED_KINDS:
        draw = current_draw(round)
        codes = draw.result if draw and draw.status == DrawStatus.DRAWN else []
        return eligible(round).filter(village_id__in=codes)
    return eligible(round)


def required_percent(round: InspectionRound) -> int:
    if round.kind == RoundKind.SELF_CHECK:
        return 100
    if round.kind == RoundKind.RE_CHECK:
        return round.campaign.recheck_percent
    if round.kind == RoundKind.SPOT_CHECK:
        return round.campaign.spot_check_percent
    return 0


def coverage(round: InspectionRound) -> dict:
    """Submitted inspections over eligible villages, against the rule for this kind of round."""
    total = eligible(round).count()
    done = round.records.filter(status=RecordStatus.SUBMITTED).count()
    percent = float(f"{100 * done / total:.1f}") if total else 0.0
    need = required_percent(round)
    return {"eligible": total, "inspected": done, "percent": percent, "required": need,
            "met": total > 0 and done * 100 >= need * total}


def _fail_coverage(round: InspectionRound, cover: dict) -> DomainError:
    return DomainError(
        "coverage_below_rule",
        f"{round.get_kind_display()}覆盖率不足：应检查 {cover['eligible']} 个村的至少 {cover['required']}%，"
        f"已检查 {cover['inspected']} 个（{cover['percent']}%）",
        field="coverage",
    )


# ---------------------------------------------------------------- rounds


@transaction.atomic
def do_create_round(campaign: Campaign, *, acting_user, kind: str, name: str, starts_on: date, ends_on: date,
                    task_force: str = "", inspector_ids=()) -> InspectionRound:
    """A county, city or province opens a round of the kind that belongs to its level."""
    ensure_can(acting_user, Perm.ROUND_MANAGE)
    if kind not in RoundKind.values:
        raise ValidationFailed("请选择检查类型", field="kind")
    if ROUND_LEVEL[RoundKind(kind)] != acting_user.scope_level:
        level = {"county": "县级", "city": "市级", "province": "省级"}[ROUND_LEVEL[RoundKind(kind)]]
        raise PermissionDeniedError(f"{RoundKind(kind).label}由{level}组织")
    if not name.strip():
        raise ValidationFailed("请填写名称", field="name")
    if ends_on < starts_on:
        raise ValidationFailed("结束日期不能早于开始日期", field="ends_on")
    if kind in VISIT_KINDS and campaign.year >= timezone.localdate().year and not Enrollment.objects.filter(
        campaign=campaign, status=EnrollmentStatus.ACCEPTED
    ).exists():
        raise ValidationFailed("暗访、回访针对以往年度已命名的示范村", field="campaign")
    round = InspectionRound.objects.create(
        campaign=campaign, kind=kind, region=acting_user.scope, name=name.strip(), starts_on=starts_on, ends_on=ends_on,
        task_force=task_force.strip(), created_by=acting_user,
    )
    from qiancun.accounts.models import User

    inspectors = list(User.objects.for_user(acting_user).filter(pk__in=list(inspector_ids), is_active=True))
    round.inspectors.set(inspectors)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=round, changes={"kind": [None, kind], "name": [None, round.name]})
    return round


def _owner(acting_user, round: InspectionRound) -> None:
    if not InspectionRound.objects.for_user(acting_user).filter(pk=round.pk).exists():
        raise DomainError(ErrorCode.NOT_FOUND, "检查轮次不存在或不在您的管辖范围内")
    if acting_user.scope_code != round.region_id and not acting_user.is_superuser:
        raise PermissionDeniedError("只有组织本轮检查的单位可以执行此操作")


def _set_round_status(round: InspectionRound, status: str, *, acting_user, reason: str = "") -> InspectionRound:
    before = round.status
    round.status = status
    now = timezone.now()
    if status == RoundStatus.SUBMITTED:
        round.submitted_at = now
    if status == RoundStatus.LOCKED:
        round.locked_at = now
    round.send_back_reason = reason if status == RoundStatus.SENT_BACK else round.send_back_reason
    round.save(update_fields=["status", "submitted_at", "locked_at", "send_back_reason"])
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=round,
                 changes={"status": [before, status], **({"reason": reason} if reason else {})})
    return round


@transaction.atomic
def do_submit_round(round: InspectionRound, *, acting_user) -> InspectionRound:
    """The county submits its self-check to the city: only with every village inspected."""
    ensure_can(acting_user, Perm.ROUND_SUBMIT)
    _owner(acting_user, round)
    if round.kind != RoundKind.SELF_CHECK:
        raise ValidationFailed("只有县级自查需要报市级审核", field="kind")
    if round.status not in (RoundStatus.OPEN, RoundStatus.SENT_BACK):
        raise DomainError("illegal_transition", f"本轮状态为“{round.get_status_display()}”，不能提交")
    cover = coverage(round)
    if not cover["met"]:
        raise _fail_coverage(round, cover)
    return _set_round_status(round, RoundStatus.SUBMITTED, acting_user=acting_user)


def _apply_results(round: InspectionRound, *, acting_user) -> None:
    """Move each inspected village on: self-check → self-checked; re-check/spot-check pass or fail."""
    for record in round.records.filter(status=RecordStatus.SUBMITTED).select_related("enrollment"):
        enrollment = record.enrollment
        reason = f"{round.name}：{record.summary}"[:300]
        if round.kind == RoundKind.SELF_CHECK and record.passed and enrollment.status == EnrollmentStatus.CREATING:
            apply_step(enrollment, Step.PASS_SELF_CHECK, acting_user=acting_user, reason=reason)
        elif round.kind == RoundKind.RE_CHECK and enrollment.status == EnrollmentStatus.SELF_CHECKED:
            apply_step(enrollment, Step.PASS_RE_CHECK if record.passed else Step.REJECT, acting_user=acting_user, reason=reason)
        elif round.kind == RoundKind.SPOT_CHECK and enrollment.status in (EnrollmentStatus.SELF_CHECKED, EnrollmentStatus.RE_CHECKED):
            apply_step(enrollment, Step.ACCEPT if record.passed else Step.REJECT, acting_user=acting_user, reason=reason)


@transaction.atomic
def do_sign_off(round: InspectionRound, *, acting_user, accept: bool, reason: str = "") -> InspectionRound:
    """The city accepts a county's submitted self-check (results are locked) or sends it back with a reason."""
    ensure_can(acting_user, Perm.ROUND_SIGN_OFF)
    if not InspectionRound.objects.for_user(acting_user).filter(pk=round.pk).exists() or round.kind != RoundKind.SELF_CHECK:
        raise DomainError(ErrorCode.NOT_FOUND, "县级自查不存在或不在您的管辖范围内")
    if round.status != RoundStatus.SUBMITTED:
        raise DomainError("illegal_transition", f"本轮状态为“{round.get_status_display()}”，只有已提交的自查可以审核")
    if not accept:
        if not reason.strip():
            raise ValidationFailed("退回须填写理由", field="reason")
        return _set_round_status(round, RoundStatus.SENT_BACK, acting_user=acting_user, reason=reason.strip())
    _set_round_status(round, RoundStatus.LOCKED, acting_user=acting_user)
    _apply_results(round, acting_user=acting_user)
    return round


@transaction.atomic
def do_close_round(round: InspectionRound, *, acting_user) -> InspectionRound:
    """The organiser closes a re-check, spot-check, cross-inspection or visit round; coverage rules apply."""
    ensure_can(acting_user, Perm.ROUND_MANAGE)
    _owner(acting_user, round)
    if round.kind == RoundKind.SELF_CHECK:
        raise ValidationFailed("县级自查须报市级审核后锁定", field="kind")
    if round.status == RoundStatus.LOCKED:
        raise DomainError("illegal_transition", "本轮已锁定")
    if round.kind in SAMPLED_KINDS:
        cover = coverage(round)
        if not cover["met"]:
            raise _fail_coverage(round, cover)
    _set_round_status(round, RoundStatus.LOCKED, acting_user=acting_user)
    _apply_results(round, acting_user=acting_user)
    return round


@transaction.atomic
def do_finish_acceptance(campaign: Campaign, *, acting_user) -> int:
    """After the province's spot-check is locked, every village that passed its checks is named."""
    ensure_can(acting_user, Perm.CAMPAIGN_MANAGE)
    if not InspectionRound.objects.filter(campaign=campaign, kind=RoundKind.SPOT_CHECK, status=RoundStatus.LOCKED).exists():
        raise ValidationFailed("省级抽查验收尚未完成", field="campaign")
    named = 0
    for enrollment in Enrollment.objects.filter(campaign=campaign, status__in=[EnrollmentStatus.SELF_CHECKED, EnrollmentStatus.RE_CHECKED]):
        apply_step(enrollment, Step.ACCEPT, acting_user=acting_user, reason=f"{campaign.name}验收完成，命名示范村")
        named += 1
    return named


@transaction.atomic
def do_assign_cross_inspection(round: InspectionRound, *, acting_user) -> list[CrossAssignment]:
    """The city's task force pairs its counties in a ring: each inspects the next, never itself; equal shares."""
    ensure_can(acting_user, Perm.ROUND_MANAGE)
    _owner(acting_user, round)
    if round.kind != RoundKind.CROSS:
        raise ValidationFailed("只有交叉互检需要分工", field="kind")
    with_villages = sorted({code[:6] for code in eligible(round).values_list("village_id", flat=True)})
    if len(with_villages) < 2:
        raise ValidationFailed("交叉互检至少需要两个有创建村的县", field="kind")
    round.cross_assignments.all().delete()
    assignments = [
        CrossAssignment.objects.create(round=round, inspecting_county_id=code, inspected_county_id=with_villages[(i + 1) % len(with_villages)])
        for i, code in enumerate(with_villages)
    ]
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=round,
                 changes={"cross": [None, "；".join(f"{a.inspecting_county_id}→{a.inspected_county_id}" for a in assignments)]})
    return assignments


@transaction.atomic
def do_set_cross_assignment(round: InspectionRound, *, acting_user, inspecting_county: str, inspected_county: str) -> CrossAssignment:
    """The city changes one pairing by hand; a county can never be given its own villages."""
    ensure_can(acting_user, Perm.ROUND_MANAGE)
    _owner(acting_user, round)
    if inspecting_county == inspected_county:
        raise ValidationFailed("交叉互检不能检查本县的村", field="inspected_county")
    counties = set(Region.objects.filter(parent_id=round.region_id, level=RegionLevel.COUNTY).values_list("code", flat=True))
    if {inspecting_county, inspected_county} - counties:
        raise ValidationFailed("检查方和被检查方须为本市的县", field="inspected_county")
    assignment, _ = CrossAssignment.objects.update_or_create(
        round=round, inspected_county_id=inspected_county, defaults={"inspecting_county_id": inspecting_county}
    )
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=round, changes={"cross": [None, f"{inspecting_county}→{inspected_county}"]})
    return assignment


# ---------------------------------------------------------------- draws


def _strata(round: InspectionRound) -> dict[str, list[str]]:
    width = 6 if round.kind == RoundKind.RE_CHECK else 4  # re-check: counties of the city; spot-check: cities
    strata: dict[str, list[str]] = {}
    for code in eligible(round).values_list("village_id", flat=True):
        strata.setdefault(code[:width], []).append(code)
    return {key: sorted(codes) for key, codes in sorted(strata.items())}


def _draw_manager(acting_user, round: InspectionRound) -> None:
    """Draws are run by the round's organiser, or by the province (which also decides redraws)."""
    if not InspectionRound.objects.for_user(acting_user).filter(pk=round.pk).exists():
        raise DomainError(ErrorCode.NOT_FOUND, "检查轮次不存在或不在您的管辖范围内")
    if acting_user.scope_code != round.region_id and acting_user.scope_level != RegionLevel.PROVINCE and not acting_user.is_superuser:
        raise PermissionDeniedError("只有组织本轮检查的单位或省级可以执行此操作")


def _commitment(source: str, source_issue: str, source_date) -> tuple[str, str, date]:
    """The named future public source of the seed: a listed lottery, its issue, a draw date after today."""
    if source not in SeedSource.values:
        raise ValidationFailed("请选择随机数来源（全国性彩票开奖）", field="source")
    label = SeedSource(source).label
    if not isinstance(source_date, date):
        raise ValidationFailed(f"请填写{label}这一期的开奖日期", field="source_date")
    today = timezone.localdate()
    if source_date <= today:
        raise ValidationFailed(f"开奖日期须在名单公布之后（{chinese_date(today)}之后）：种子必须来自名单公布后才开奖的一期",
                               field="source_date")
    try:
        issue = draws.check_issue(label, source_issue or "", source_date, source, today)
    except draws.SeedError as exc:
        raise ValidationFailed(str(exc), field="source_issue") from None
    return source, issue, source_date


def _append_link(draw: Draw, kind: str) -> DrawLink:
    """Add the draw's commitment or result to the public chain, tied to the chain's last link."""
    last = DrawLink.objects.select_for_update().order_by("-seq").first()
    previous = last.sha256 if last else draws.GENESIS
    if kind == draws.COMMITMENT:
        payload = draws.commitment_payload(draw, previous)
    else:
        payload = draws.result_payload(draw, draw.link(draws.COMMITMENT).sha256, previous)
    text = draws.encode(payload)
    try:
        with transaction.atomic():
            link = DrawLink.objects.create(seq=(last.seq + 1) if last else 1, draw=draw, kind=kind, payload=text,
                                           previous_sha256=previous, sha256=draws.link_sha256(text))
    except IntegrityError:  # another draw took the same place in the chain at the same moment
        raise DomainError(ErrorCode.CONFLICT, "另一次抽取正在同时登记，请稍后重试", field="draw") from None
    draw._prefetched_objects_cache = {}
    return link


def _publish(round: InspectionRound, *, acting_user, source, source_issue, source_date, replaces: Draw | None, reason: str) -> Draw:
    if round.kind not in SAMPLED_KINDS:
        raise ValidationFailed("只有市级复验和省级抽查需要随机抽取", field="kind")
    if round.is_locked:
        raise DomainError("illegal_transition", "本轮已锁定，不能再抽取")
    if current_draw(round) and replaces is None:
        raise DomainError(ErrorCode.CONFLICT, "本轮已有抽取；如需重抽，须由省级说明理由后“重新抽取”", field="draw")
    source, issue, source_date = _commitment(source, source_issue, source_date)
    strata = _strata(round)
    if not strata:
        raise ValidationFailed("没有可供抽取的村（须先完成并锁定县级自查）", field="draw")
    draw = Draw.objects.create(
        round=round, algorithm=draws.ALGORITHM, percent=required_percent(round), strata=strata,
        eligible_sha256=draws.digest(strata), published_at=timezone.now().replace(microsecond=0),
        source=source, source_issue=issue, source_date=source_date,
        replaces=replaces, redraw_number=replaces.redraw_number + 1 if replaces else 0, reason=reason, created_by=acting_user,
    )
    link = _append_link(draw, draws.COMMITMENT)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=draw, changes={
        "eligible_sha256": [None, draw.eligible_sha256], "source": [None, draw.committed_source], "commitment": [None, link.sha256],
        **({"replaces": [None, replaces.pk], "reason": reason} if replaces else {}),
    })
    return draw


@transaction.atomic
def do_publish_draw(round: InspectionRound, *, acting_user, source: str, source_issue: str, source_date: date) -> Draw:
    """Publish the eligible list with a commitment: its SHA-256 and the future lottery draw whose result
    will be the seed (drawn after today), before anyone can know the seed."""
    ensure_can(acting_user, Perm.DRAW_MANAGE)
    _owner(acting_user, round)
    return _publish(round, acting_user=acting_user, source=source, source_issue=source_issue, source_date=source_date,
                    replaces=None, reason="")


@transaction.atomic
def do_perform_draw(draw: Draw, *, acting_user, numbers: str, source: str, source_issue: str) -> Draw:
    """Enter the committed lottery's result as the seed, on or after its draw date, and record the sample."""
    ensure_can(acting_user, Perm.DRAW_MANAGE)
    _draw_manager(acting_user, draw.round)
    if draw.status != DrawStatus.PUBLISHED or not draw.is_current:
        raise DomainError("illegal_transition", "这次抽取已完成或已被取代，不能再次输入种子")
    if not draw.source:
        raise DomainError("illegal_transition", "这次抽取早于承诺规则，没有承诺随机数来源，不能输入种子；请由省级重新抽取")
    issue = unicodedata.normalize("NFKC", source_issue or "").strip()
    if source != draw.source or issue != draw.source_issue:
        raise ValidationFailed(f"名单公布时承诺的随机数来源是{draw.committed_source}，不能使用其他来源或其他期的号码",
                               field="source_issue" if source == draw.source else "source")
    today = timezone.localdate()
    if today < draw.source_date:
        raise ValidationFailed(f"{draw.committed_source}尚未开奖：{chinese_date(draw.source_date)}起才能输入种子", field="numbers")
    try:
        parsed = draws.parse_numbers(draw.source, numbers or "", draw.get_source_display())
    except draws.SeedError as exc:
        raise ValidationFailed(str(exc), field="numbers") from None
    draw.seed = draws.seed_text(draw.source, draw.source_issue, parsed)
    draw.seed_source = f"{draw.committed_source}开奖号码"
    draw.result = draws.select(draw.strata, draw.seed, draw.percent)
    draw.status, draw.drawn_at = DrawStatus.DRAWN, timezone.now().replace(microsecond=0)
    draw.save(update_fields=["seed", "seed_source", "result", "status", "drawn_at"])
    link = _append_link(draw, draws.RESULT)
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=draw,
                 changes={"seed": [None, draw.seed], "result": [None, len(draw.result)], "record": [None, link.sha256]})
    return draw


@transaction.atomic
def do_redraw(draw: Draw, *, acting_user, reason: str, source: str, source_issue: str, source_date: date) -> Draw:
    """The province replaces a draw by a new one, with a reason and a new commitment; the replaced draw, its
    result and the number of redraws stay public."""
    ensure_can(acting_user, Perm.DRAW_MANAGE)
    if acting_user.scope_level != RegionLevel.PROVINCE and not acting_user.is_superuser:
        raise PermissionDeniedError("重新抽取须由省级决定并执行")
    _draw_manager(acting_user, draw.round)
    if not reason.strip():
        raise ValidationFailed("重抽须说明理由", field="reason")
    if not draw.is_current:
        raise DomainError("illegal_transition", "这次抽取已被取代")
    if draw.round.records.filter(status=RecordStatus.SUBMITTED).exists():
        raise DomainError(ErrorCode.CONFLICT, "已有村按这次抽取完成检查，不能重抽")
    return _publish(draw.round, acting_user=acting_user, source=source, source_issue=source_issue, source_date=source_date,
                    replaces=draw, reason=reason.strip()[:300])


# ---------------------------------------------------------------- inspections


def may_inspect(user, round: InspectionRound, enrollment: Enrollment) -> bool:
    """Who may fill in a village's record in a round:
    - inspectors named on the round;
    - in a cross-inspection, staff of the county assigned to inspect that village's county;
    - for the acceptance rounds (self-check, re-check, spot-check), staff of the level that organises
      the round — never the village or township being checked;
    - for other rounds (look-back, patrol, visits), staff whose scope holds the round's whole region."""
    if not can(user, Perm.INSPECT):
        return False
    if round.inspectors.filter(pk=user.pk).exists():
        return True
    scope = user.scope_code
    if scope is None or not enrollment.village_id.startswith(round.region_id):
        return False
    if round.kind == RoundKind.CROSS:
        return user.scope_level == RegionLevel.COUNTY and round.cross_assignments.filter(
            inspected_county_id=enrollment.village_id[:6], inspecting_county_id=scope
        ).exists()
    if round.kind in ACCEPTANCE_KINDS:
        return scope == round.region_id
    return round.region_id.startswith(scope)


def _ensure_open(round: InspectionRound) -> None:
    if round.status not in (RoundStatus.OPEN, RoundStatus.SENT_BACK):
        raise DomainError("round_locked", f"本轮状态为“{round.get_status_display()}”，检查记录不能再修改")


@transaction.atomic
def do_start_inspection(round: InspectionRound, enrollment: Enrollment, *, acting_user) -> InspectionRecord:
    """An inspector opens (or resumes) the draft record of one village in a round."""
    ensure_can(acting_user, Perm.INSPECT)
    if not may_inspect(acting_user, round, enrollment):
        raise DomainError(ErrorCode.NOT_FOUND, "该村不在您的检查任务中")
    _ensure_open(round)
    if not targets(round).filter(pk=enrollment.pk).exists():
        raise ValidationFailed(f"{enrollment.village.name}不在本轮检查名单中" + ("（未被抽中）" if round.kind in SAMPLED_KINDS else ""), field="enrollment")
    record, created = InspectionRecord.objects.get_or_create(round=round, enrollment=enrollment, defaults={"inspector": acting_user})
    if created:
        record_audit(AuditAction.CREATE, acting_user=acting_user, obj=record)
    return record


def _editable(record: InspectionRecord, acting_user) -> None:
    if not may_inspect(acting_user, record.round, record.enrollment):
        raise DomainError(ErrorCode.NOT_FOUND, "检查记录不存在或不在您的检查任务中")
    _ensure_open(record.round)
    if record.status == RecordStatus.SUBMITTED:
        raise DomainError("record_submitted", "检查记录已提交，不能修改")


@transaction.atomic
def do_save_verdict(record: InspectionRecord, indicator_id: int, *, acting_user, verdict: str, note: str = "") -> IndicatorVerdict:
    """Save one indicator's verdict as the inspector goes (a draft survives a lost connection)."""
    ensure_can(acting_user, Perm.INSPECT)
    _editable(record, acting_user)
    indicator = record.round.campaign.standard.indicators.filter(pk=indicator_id).first()
    if indicator is None:
        raise ValidationFailed("指标不属于本年度的创建标准", field="indicator")
    if indicator.judged_by == JudgedBy.COMPUTED:
        raise ValidationFailed(f"{indicator.code}由平台数据自动计算，不需填写", field="verdict")
    if verdict not in Verdict.values:
        raise ValidationFailed("请选择达到、未达到或不适用", field="verdict")
    if len(note) > 300:
        raise ValidationFailed("说明最多 300 字", field="note")
    saved, _ = IndicatorVerdict.objects.update_or_create(record=record, indicator=indicator, defaults={"verdict": verdict, "note": note})
    return saved


@transaction.atomic
def do_add_photo(record: InspectionRecord, indicator_ids, uploaded, *, acting_user) -> EvidencePhoto:
    """Attach a photo evidencing one or more indicators; non-images, spoofed types and oversize files are refused."""
    ensure_can(acting_user, Perm.INSPECT)
    _editable(record, acting_user)
    indicator_ids = [int(i) for i in indicator_ids or []]
    indicators = list(record.round.campaign.standard.indicators.filter(pk__in=indicator_ids))
    if len(indicators) != len(set(indicator_ids)):
        raise ValidationFailed("指标不属于本年度的创建标准", field="indicator")
    processed = check_image(uploaded, field="photo", thumbnail=True)
    photo = EvidencePhoto(
        record=record, original_name=processed.original_name,
        sha256=processed.sha256, taken_at=processed.taken_at, latitude=processed.latitude, longitude=processed.longitude,
        uploaded_by=acting_user,
    )
    photo.image.save(processed.content.name, processed.content, save=False)
    photo.thumbnail.save(processed.thumbnail.name, processed.thumbnail, save=False)
    photo.save()
    photo.indicators.set(indicators)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=record, changes={"photo": [None, photo.sha256[:12]]})
    return photo


def _coordinate(value, low, high, name, field):
    if value in (None, ""):
        return None
    from decimal import Decimal, InvalidOperation

    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{name}无效", field=field) from None
    if not low <= number <= high:
        raise ValidationFailed(f"{name}超出范围", field=field)
    return number


@transaction.atomic
def do_submit_inspection(record: InspectionRecord, *, acting_user, summary: str = "", latitude=None, longitude=None,
                         major_problem: bool = False) -> InspectionRecord:
    """The inspector submits: computed indicators are filled from data, the pass rule decides, every
    not-met indicator opens a problem to fix (即查即改), and the standard version is frozen."""
    ensure_can(acting_user, Perm.INSPECT)
    _editable(record, acting_user)
    campaign = record.round.campaign
    standard = campaign.standard
    indicators = list(standard.indicators.all())
    for indicator in indicators:
        if indicator.judged_by == JudgedBy.COMPUTED:
            result = computations.run(indicator, record.enrollment.village, campaign)
            IndicatorVerdict.objects.update_or_create(
                record=record, indicator=indicator, defaults={"verdict": result.verdict, "note": result.detail[:300], "computed": True}
            )
    verdicts = {v.indicator_id: v for v in record.verdicts.all()}
    missing = [i for i in indicators if i.pk not in verdicts]
    if missing:
        raise ValidationFailed(f"还有 {len(missing)} 项指标未判定：{'、'.join(i.code for i in missing[:5])}", field="verdict")
    photographed = set(EvidencePhoto.indicators.through.objects.filter(evidencephoto__record=record).values_list("indicator_id", flat=True))
    unproven = [i for i in indicators if i.evidence_required and verdicts[i.pk].verdict != Verdict.NOT_APPLICABLE and i.pk not in photographed]
    if unproven:
        raise ValidationFailed(f"以下指标须拍照取证：{'、'.join(i.code for i in unproven)}", field="photo")
    outcome = rules.evaluate(standard, {pk: v.verdict for pk, v in verdicts.items()})
    record.latitude = _coordinate(latitude, -90, 90, "纬度", "latitude")
    record.longitude = _coordinate(longitude, -180, 180, "经度", "longitude")
    record.passed, record.score = outcome.passed, outcome.score
    record.summary = (summary.strip() or ("达到标准" if outcome.passed else "；".join(outcome.reasons)))[:500]
    record.major_problem = bool(major_problem)
    record.status, record.submitted_at = RecordStatus.SUBMITTED, timezone.now()
    record.inspector = acting_user  # whoever submits answers for the record
    record.save()
    do_freeze_standard(standard, acting_user=acting_user)
    from qiancun.rectification.actions import do_open_problem

    for indicator in indicators:
        if verdicts[indicator.pk].verdict == Verdict.NOT_MET:
            do_open_problem(
                acting_user=acting_user, enrollment=record.enrollment, indicator=indicator, record=record,
                description=f"{indicator.code} {indicator.title}：{verdicts[indicator.pk].note or '未达到标准'}"[:300],
            )
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=record,
                 changes={"status": [RecordStatus.DRAFT, RecordStatus.SUBMITTED], "passed": [None, outcome.passed]})
    return record


def do_record_inspection(round: InspectionRound, enrollment: Enrollment, *, acting_user, verdicts: dict[int, str],
                         notes: dict[int, str] | None = None, photos=(), summary: str = "", latitude=None, longitude=None,
                         major_problem: bool = False) -> InspectionRecord:
    """A whole inspection in one call (offline clients, imports): start, verdicts, photos
    (pairs of indicator ids and a file), submit — atomically."""
    with transaction.atomic():
        record = do_start_inspection(round, enrollment, acting_user=acting_user)
        for indicator_id, verdict in verdicts.items():
            do_save_verdict(record, int(indicator_id), acting_user=acting_user, verdict=verdict, note=(notes or {}).get(indicator_id, ""))
        for indicator_ids, uploaded in photos:
            do_add_photo(record, indicator_ids, uploaded, acting_user=acting_user)
        return do_submit_inspection(record, acting_user=acting_user, summary=summary, latitude=latitude, longitude=longitude,
                                    major_problem=major_problem)


# ---------------------------------------------------------------- revocation


@transaction.atomic
def do_propose_revocation(record: InspectionRecord, *, acting_user, reason: str) -> Revocation:
    """After an unannounced or return visit found major problems or clear rebound, propose taking the title away."""
    ensure_can(acting_user, Perm.REVOCATION_PROPOSE)
    if not may_inspect(acting_user, record.round, record.enrollment):
        raise DomainError(ErrorCode.NOT_FOUND, "检查记录不存在或不在您的检查任务中")
    if record.round.kind not in VISIT_KINDS or record.status != RecordStatus.SUBMITTED or not record.major_problem:
        raise ValidationFailed("摘牌须依据已提交的、发现重大问题或明显反弹的暗访或回访记录", field="record")
    if record.enrollment.status != EnrollmentStatus.ACCEPTED:
        raise ValidationFailed("只有已命名的示范村可以摘牌", field="record")
    if Revocation.objects.filter(enrollment=record.enrollment, status=RevocationStatus.PROPOSED).exists():
        raise DomainError(ErrorCode.CONFLICT, "该村已有待决定的摘牌提议", field="record")
    if not reason.strip():
        raise ValidationFailed("请写明摘牌理由", field="reason")
    revocation = Revocation.objects.create(enrollment=record.enrollment, record=record, reason=reason.strip()[:500], proposed_by=acting_user)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=revocation, changes={"reason": [None, revocation.reason]})
    return revocation


@transaction.atomic
def do_decide_revocation(revocation: Revocation, *, acting_user, approve: bool, note: str = "") -> Revocation:
    """The province approves (the village loses the title and keeps its history) or rejects a revocation."""
    ensure_can(acting_user, Perm.REVOCATION_DECIDE)
    if revocation.status != RevocationStatus.PROPOSED:
        raise DomainError("illegal_transition", "该提议已有决定")
    if not approve and not note.strip():
        raise ValidationFailed("不予摘牌须说明理由", field="note")
    revocation.status = RevocationStatus.APPROVED if approve else RevocationStatus.REJECTED
    revocation.decided_by, revocation.decided_at, revocation.decision_note = acting_user, timezone.now(), note.strip()[:300]
    revocation.save()
    if approve:
        apply_step(revocation.enrollment, Step.REVOKE, acting_user=acting_user, reason=revocation.reason[:300])
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=revocation, changes={"status": [RevocationStatus.PROPOSED, revocation.status]})
    return revocation
