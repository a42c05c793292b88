"""Every change to campaigns, quotas, tags, enrollments and shortfall lists."""

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from qiancun.accounts.permissions import Perm, can, ensure_can
from qiancun.core.audit import diff, record_audit, snapshot
from qiancun.core.errors import DomainError, ErrorCode, PermissionDeniedError, ValidationFailed
from qiancun.core.models import AuditAction
from qiancun.regions.choices import RegionLevel
from qiancun.regions.models import Region
from qiancun.standards.models import Indicator, Standard

from . import rules
from .choices import EnrollmentStatus, ShortfallStatus, TagKind, Track
from .lifecycle import ACTIVE_STATUSES, Step, next_status
from .models import Campaign, Enrollment, EnrollmentEvent, Quota, ShortfallItem, Tag

CAMPAIGN_FIELDS = [
    "year", "name", "standard_id", "target_total", "target_key_border", "target_poverty",
    "recheck_percent", "spot_check_percent", "nomination_open", "document", "starts_on", "ends_on",
]
QUOTA_FIELDS = list(rules.KINDS)
SHORTFALL_FIELDS = ["indicator_id", "gap", "action_plan", "responsible_person", "due_date", "status"]


def _count(value, field: str, label: str, maximum: int = 100_000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise ValidationFailed(f"{label}须为 0–{maximum} 的整数", field=field)
    return value


# ---------------------------------------------------------------- campaigns


def _validate_campaign(campaign: Campaign) -> None:
    if not 2000 <= campaign.year <= 2100:
        raise ValidationFailed("年度须在 2000–2100 之间", field="year")
    if not campaign.name.strip():
        raise ValidationFailed("请填写名称", field="name")
    for field, label in (("target_total", "示范村目标数"), ("target_key_border", "重点边境村目标数"), ("target_poverty", "脱贫村目标数")):
        _count(getattr(campaign, field), field, label)
    for field in ("target_key_border", "target_poverty"):
        if getattr(campaign, field) > campaign.target_total:
            raise ValidationFailed("重点边境村、脱贫村目标数不能超过示范村目标数", field=field)
    for field, label in (("recheck_percent", "市级复验比例"), ("spot_check_percent", "省级抽查比例")):
        if not 1 <= _count(getattr(campaign, field), field, label, 100) <= 100:
            raise ValidationFailed(f"{label}须在 1–100 之间", field=field)
    for field, label in (("starts_on", "开始日期"), ("ends_on", "结束日期")):
        if getattr(campaign, field) is not None and not isinstance(getattr(campaign, field), date):
            raise ValidationFailed(f"{label}须为日期", field=field)
    if campaign.starts_on and campaign.starts_on.year != campaign.year:
        raise ValidationFailed(f"开始日期须在 {campaign.year} 年内", field="starts_on")
    if campaign.starts_on and campaign.ends_on and campaign.ends_on < campaign.starts_on:
        raise ValidationFailed("结束日期不能早于开始日期", field="ends_on")


@transaction.atomic
def do_create_campaign(*, acting_user, year: int, name: str, standard_id: int, target_total: int,
                       target_key_border: int = 0, target_poverty: int = 0, recheck_percent: int = 50,
                       spot_check_percent: int = 10, document: str = "", starts_on: date | None = None,
                       ends_on: date | None = None) -> Campaign:
    """The province sets up a year's campaign: its standard version, its targets (minimums) and its dates."""
    ensure_can(acting_user, Perm.CAMPAIGN_MANAGE)
    if Campaign.objects.filter(year=year).exists():
        raise DomainError(ErrorCode.CONFLICT, f"{year} 年度的创建工作已存在", field="year")
    if not Standard.objects.filter(pk=standard_id).exists():
        raise ValidationFailed("请选择创建标准", field="standard")
    campaign = Campaign(
        year=year, name=name.strip(), standard_id=standard_id, target_total=target_total,
        target_key_border=target_key_border, target_poverty=target_poverty, recheck_percent=recheck_percent,
        spot_check_percent=spot_check_percent, document=document.strip(), starts_on=starts_on, ends_on=ends_on,
    )
    _validate_campaign(campaign)
    campaign.save()
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=campaign, changes=diff({}, snapshot(campaign, CAMPAIGN_FIELDS)))
    return campaign


@transaction.atomic
def do_update_campaign(campaign: Campaign, *, acting_user, **changes) -> Campaign:
    """The province changes a campaign's name, standard, targets, dates, check ratios or opens/closes nomination.

    Targets are minimums: they may be set above or below what is already allocated to the cities (the
    overview then shows how far the allocation is from the target).
    """
    ensure_can(acting_user, Perm.CAMPAIGN_MANAGE)
    unknown = set(changes) - (set(CAMPAIGN_FIELDS) - {"year"})
    if unknown:
        raise ValidationFailed(f"不能修改字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    before = snapshot(campaign, CAMPAIGN_FIELDS)
    if "standard_id" in changes and changes["standard_id"] != campaign.standard_id:
        if not Standard.objects.filter(pk=changes["standard_id"]).exists():
            raise ValidationFailed("请选择创建标准", field="standard")
    for field, value in changes.items():
        if value is None and field not in ("starts_on", "ends_on"):
            raise ValidationFailed(f"{Campaign._meta.get_field(field.removesuffix('_id')).verbose_name}不能为空", field=field)
        setattr(campaign, field, value.strip() if isinstance(value, str) else value)
    _validate_campaign(campaign)
    campaign.save()
    changed = diff(before, snapshot(campaign, CAMPAIGN_FIELDS))
    if changed:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=campaign, changes=changed)
    return campaign


# ---------------------------------------------------------------- quotas


def used_in(campaign: Campaign, region_code: str) -> dict[str, int]:
    """Active enrollments under a region: how many places of each kind are taken."""
    enrollments = Enrollment.objects.filter(campaign=campaign, status__in=ACTIVE_STATUSES).within(region_code)
    return {
        "total": enrollments.count(),
        "key_border": enrollments.filter(village__is_key_border=True).count(),
        "poverty": enrollments.filter(village__is_poverty_alleviated=True).count(),
    }


@transaction.atomic
def do_set_quota(campaign: Campaign, region: Region, *, acting_user, total: int, key_border: int = 0, poverty: int = 0) -> Quota:
    """The province gives a city its places (as many as it plans: the target is a minimum), or a city one of its counties."""
    ensure_can(acting_user, Perm.QUOTA_ALLOCATE)
    expected = {RegionLevel.PROVINCE: RegionLevel.CITY, RegionLevel.CITY: RegionLevel.COUNTY}[acting_user.scope_level]
    if region.level != expected or not Region.objects.for_user(acting_user).filter(pk=region.pk).exists():
        raise PermissionDeniedError(f"{acting_user.scope.name}只能为下辖{RegionLevel(expected).label}分配名额")
    values = {
        "total": _count(total, "total", "示范村名额"),
        "key_border": _count(key_border, "key_border", "重点边境村名额"),
        "poverty": _count(poverty, "poverty", "脱贫村名额"),
    }
    rules.check_parts_within_total(values)
    if region.level == RegionLevel.COUNTY:
        # Lock the city's row: two counties' quotas set at once cannot both take the city's last place.
        parent_quota = Quota.objects.select_for_update().filter(campaign=campaign, region_id=region.parent_id).first()
        if parent_quota is None:
            raise ValidationFailed(f"{region.parent.name}尚未获得省级分配的名额", field="total")
        siblings = Quota.objects.filter(campaign=campaign, region__parent_id=region.parent_id).exclude(region=region)
        others = {key: siblings.aggregate(n=Sum(key))["n"] or 0 for key in QUOTA_FIELDS}
        rules.check_fits_parent(values, others, rules.values_of(parent_quota), region.parent.name)
    children = Quota.objects.filter(campaign=campaign, region__parent=region)
    rules.check_covers(values, {key: children.aggregate(n=Sum(key))["n"] or 0 for key in QUOTA_FIELDS}, used_in(campaign, region.code))
    quota = Quota.objects.filter(campaign=campaign, region=region).first()
    before = snapshot(quota, QUOTA_FIELDS) if quota else {}
    if quota is None:
        quota = Quota(campaign=campaign, region=region)
    for key, value in values.items():
        setattr(quota, key, value)
    quota.save()
    changed = diff(before, snapshot(quota, QUOTA_FIELDS))
    if changed:
        record_audit(AuditAction.UPDATE if before else AuditAction.CREATE, acting_user=acting_user, obj=quota, changes=changed)
    return quota


# ---------------------------------------------------------------- tags


@transaction.atomic
def do_create_tag(*, acting_user, kind: str, name: str, department_code: str | None = None) -> Tag:
    """The province adds a village class, “示范创建+” theme, pilot or industry link to the lists."""
    from qiancun.accounts.models import Department

    ensure_can(acting_user, Perm.TAG_MANAGE)
    if kind not in TagKind.values:
        raise ValidationFailed("请选择标签类别", field="kind")
    name = (name or "").strip()
    if not name or len(name) > 60:
        raise ValidationFailed("请填写名称（最多 60 字）", field="name")
    if Tag.objects.filter(kind=kind, name=name).exists():
        raise DomainError(ErrorCode.CONFLICT, f"“{name}”已存在", field="name")
    department = None
    if kind == TagKind.THEME:
        department = Department.objects.filter(code=department_code, is_active=True).first()
        if department is None:
            raise ValidationFailed("“示范创建+”主题须指定牵头部门", field="department")
    tag = Tag.objects.create(kind=kind, name=name, department=department, order=Tag.objects.filter(kind=kind).count())
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=tag, changes={"name": [None, name], "kind": [None, kind]})
    return tag


@transaction.atomic
def do_set_tag_active(tag: Tag, active: bool, *, acting_user) -> Tag:
    """The province retires a tag (kept on earlier enrollments) or brings it back."""
    ensure_can(acting_user, Perm.TAG_MANAGE)
    if tag.is_active != active:
        tag.is_active = active
        tag.save(update_fields=["is_active"])
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=tag, changes={"is_active": [not active, active]})
    return tag


# ---------------------------------------------------------------- enrollments


def _scoped_enrollment(enrollment: Enrollment, acting_user) -> None:
    if not Enrollment.objects.for_user(acting_user).filter(pk=enrollment.pk).exists():
        raise DomainError(ErrorCode.NOT_FOUND, "创建村不存在或不在您的管辖范围内")


def apply_step(enrollment: Enrollment, step: Step, *, acting_user, reason: str = "") -> Enrollment:
    """Move an enrollment one step through the lifecycle, with its timeline entry and audit row.

    Callers are actions that have already checked permission and scope; this checks only that the
    step is legal from the current status.
    """
    new_status = next_status(enrollment.status, step)
    old_status = enrollment.status
    enrollment.status = new_status
    enrollment.save(update_fields=["status", "updated_at"])
    EnrollmentEvent.objects.create(
        enrollment=enrollment, actor=acting_user if getattr(acting_user, "pk", None) else None,
        step=step, from_status=old_status, to_status=new_status, reason=reason[:300],
    )
    record_audit(
        AuditAction.UPDATE, acting_user=acting_user, obj=enrollment,
        changes={"status": [old_status, new_status], **({"reason": reason} if reason else {})},
    )
    return enrollment


def _check_track(campaign: Campaign, village: Region, track: str) -> None:
    if track not in Track.values:
        raise ValidationFailed("类型须为巩固、创建或提升", field="track")
    earlier = Enrollment.objects.filter(village=village, campaign__year__lt=campaign.year, status=EnrollmentStatus.ACCEPTED)
    if track in (Track.CONSOLIDATE, Track.UPGRADE) and not earlier.exists():
        raise ValidationFailed(f"{village.name}不是以往年度命名的示范村，不能列为“{Track(track).label}”", field="track")
    if track == Track.CREATE and earlier.exists():
        raise ValidationFailed(f"{village.name}已是以往年度命名的示范村，应列为“巩固”或“提升”", field="track")


def _tags_from(ids, acting_user) -> list[Tag]:
    ids = list(dict.fromkeys(ids or []))
    tags = list(Tag.objects.filter(pk__in=ids, is_active=True))
    if len(tags) != len(ids):
        raise ValidationFailed("标签不存在或已停用", field="tags")
    return tags


def _check_place_left(campaign: Campaign, village: Region) -> None:
    county_code = village.code[:6]
    # Lock the county's quota row so two nominations at once cannot both take the last place.
    quota = Quota.objects.select_for_update().filter(campaign=campaign, region_id=county_code).first()
    if quota is None:
        raise ValidationFailed("本县尚未获得市级分配的名额，不能提名", field="village")
    rules.check_place_left(rules.values_of(quota), used_in(campaign, county_code), village)


@transaction.atomic
def do_nominate(campaign: Campaign, village: Region, *, acting_user, track: str = Track.CREATE,
                tag_ids=(), note: str = "") -> Enrollment:
    """A county nominates one of its villages for the campaign, within the county's quota."""
    ensure_can(acting_user, Perm.ENROLLMENT_NOMINATE)
    if village.level != RegionLevel.VILLAGE or not Region.objects.for_user(acting_user).filter(pk=village.pk).exists():
        raise ValidationFailed(f"区划 {village.code} 不是本县的村", field="village")
    if not campaign.nomination_open:
        raise DomainError("nomination_closed", f"{campaign.name}已停止提名", field="village")
    if Enrollment.objects.filter(campaign=campaign, village=village).exists():
        raise DomainError(ErrorCode.CONFLICT, f"{village.name}（{village.code}）已在{campaign.year}年度创建名单中", field="village")
    _check_track(campaign, village, track)
    _check_place_left(campaign, village)
    tags = _tags_from(tag_ids, acting_user)
    if len(note) > 300:
        raise ValidationFailed("说明最多 300 字", field="note")
    enrollment = Enrollment.objects.create(campaign=campaign, village=village, track=track, note=note, nominated_by=acting_user)
    enrollment.tags.set(tags)
    EnrollmentEvent.objects.create(enrollment=enrollment, actor=acting_user, step="nominate", to_status=enrollment.status)
    record_audit(
        AuditAction.CREATE, acting_user=acting_user, obj=enrollment,
        changes={"campaign": [None, campaign.year], "track": [None, track], "status": [None, enrollment.status]},
    )
    return enrollment


@transaction.atomic
def do_resubmit(enrollment: Enrollment, *, acting_user, track: str | None = None, note: str | None = None) -> Enrollment:
    """The county corrects a returned nomination and sends it up again (it takes a place again)."""
    ensure_can(acting_user, Perm.ENROLLMENT_NOMINATE)
    _scoped_enrollment(enrollment, acting_user)
    if enrollment.status == EnrollmentStatus.RETURNED:  # a returned nomination freed its place
        _check_place_left(enrollment.campaign, enrollment.village)
    if track is not None and track != enrollment.track:
        _check_track(enrollment.campaign, enrollment.village, track)
        enrollment.track = track
    if note is not None:
        enrollment.note = note[:300]
    enrollment.save(update_fields=["track", "note", "updated_at"])
    return apply_step(enrollment, Step.RESUBMIT, acting_user=acting_user)


@transaction.atomic
def do_review(enrollment: Enrollment, *, acting_user, approve: bool, reason: str = "") -> Enrollment:
    """The city approves a county's nomination, or returns it with a reason."""
    ensure_can(acting_user, Perm.ENROLLMENT_REVIEW)
    _scoped_enrollment(enrollment, acting_user)
    if enrollment.status != EnrollmentStatus.NOMINATED:  # once forwarded, the province decides
        raise DomainError("illegal_transition", f"当前状态为“{enrollment.get_status_display()}”，市级只能审核县级已提名的村", field="status")
    if not approve and not reason.strip():
        raise ValidationFailed("退回须填写理由", field="reason")
    return apply_step(enrollment, Step.APPROVE if approve else Step.RETURN, acting_user=acting_user, reason=reason.strip())


@transaction.atomic
def do_confirm(enrollment: Enrollment, *, acting_user, confirm: bool = True, reason: str = "") -> Enrollment:
    """The province confirms a reviewed village into the campaign (or returns it with a reason)."""
    ensure_can(acting_user, Perm.ENROLLMENT_CONFIRM)
    _scoped_enrollment(enrollment, acting_user)
    if enrollment.status != EnrollmentStatus.UNDER_REVIEW:  # the city reviews first
        raise DomainError("illegal_transition", f"当前状态为“{enrollment.get_status_display()}”，省级只能确认市级已审核的村", field="status")
    if not confirm and not reason.strip():
        raise ValidationFailed("退回须填写理由", field="reason")
    return apply_step(enrollment, Step.CONFIRM if confirm else Step.RETURN, acting_user=acting_user, reason=reason.strip())


@transaction.atomic
def do_record_prior_acceptance(enrollment: Enrollment, *, acting_user, accepted: bool, reason: str) -> Enrollment:
    """The province records the result of a year checked before the platform existed (e.g. the 2021 list)."""
    ensure_can(acting_user, Perm.CAMPAIGN_MANAGE)
    if not reason.strip():
        raise ValidationFailed("请注明依据（如命名文件文号）", field="reason")
    for step in (Step.PASS_SELF_CHECK, Step.ACCEPT if accepted else Step.REJECT):
        enrollment = apply_step(enrollment, step, acting_user=acting_user, reason=reason.strip())
    return enrollment


@transaction.atomic
def do_set_tags(enrollment: Enrollment, *, acting_user, tag_ids) -> Enrollment:
    """County, city or province staff set an enrollment's tags; department users add or remove only their own themes."""
    if can(acting_user, Perm.THEME_MAINTAIN):
        own = set(Tag.objects.filter(kind=TagKind.THEME, department_id=acting_user.department_id).values_list("pk", flat=True))
        current = set(enrollment.tags.values_list("pk", flat=True))
        wanted = set(tag_ids)
        if (current ^ wanted) - own:
            raise PermissionDeniedError("部门用户只能增减本部门牵头的“示范创建+”主题")
    else:
        ensure_can(acting_user, Perm.ENROLLMENT_TAG)
    _scoped_enrollment(enrollment, acting_user)
    before = sorted(t.name for t in enrollment.tags.all())
    tags = _tags_from(tag_ids, acting_user) if tag_ids else []
    enrollment.tags.set(tags)
    after = sorted(t.name for t in tags)
    if before != after:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=enrollment, changes={"tags": ["、".join(before), "、".join(after)]})
    return enrollment


# ---------------------------------------------------------------- shortfall lists


def _validate_shortfall(item: ShortfallItem) -> None:
    for field, label, limit in (("gap", "短板弱项", 200), ("action_plan", "补齐措施", 300), ("responsible_person", "责任人", 50)):
        value = (getattr(item, field) or "").strip()
        if not value or len(value) > limit:
            raise ValidationFailed(f"请填写{label}（最多 {limit} 字）", field=field)
        setattr(item, field, value)
    if not isinstance(item.due_date, date):
        raise ValidationFailed("请填写完成时限", field="due_date")
    if item.indicator_id and not Indicator.objects.filter(pk=item.indicator_id, standard_id=item.enrollment.campaign.standard_id).exists():
        raise ValidationFailed("指标不属于本年度的创建标准", field="indicator")
    if item.status not in ShortfallStatus.values:
        raise ValidationFailed("状态无效", field="status")


@transaction.atomic
def do_add_shortfall(enrollment: Enrollment, *, acting_user, gap: str, action_plan: str, responsible_person: str,
                     due_date: date, indicator_id: int | None = None) -> ShortfallItem:
    """County, township or village staff list a gap against the standard with its plan, owner and deadline."""
    ensure_can(acting_user, Perm.SHORTFALL_EDIT)
    _scoped_enrollment(enrollment, acting_user)
    item = ShortfallItem(
        enrollment=enrollment, indicator_id=indicator_id, gap=gap, action_plan=action_plan,
        responsible_person=responsible_person, due_date=due_date,
    )
    _validate_shortfall(item)
    item.save()
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=item, changes=diff({}, snapshot(item, SHORTFALL_FIELDS)))
    return item


@transaction.atomic
def do_update_shortfall(item: ShortfallItem, *, acting_user, **changes) -> ShortfallItem:
    """Staff change a gap's plan, owner, deadline or status (closing it records when)."""
    ensure_can(acting_user, Perm.SHORTFALL_EDIT)
    _scoped_enrollment(item.enrollment, acting_user)
    unknown = set(changes) - set(SHORTFALL_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    before = snapshot(item, SHORTFALL_FIELDS)
    for field, value in changes.items():
        setattr(item, field, value)
    _validate_shortfall(item)
    if item.status == ShortfallStatus.CLOSED and before["status"] != ShortfallStatus.CLOSED:
        item.closed_at = timezone.now()
    elif item.status != ShortfallStatus.CLOSED:
        item.closed_at = None
    item.save()
    changed = diff(before, snapshot(item, SHORTFALL_FIELDS))
    if changed:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=item, changes=changed)
    return item


@dataclass
class RowError:
    row: int
    column: str
    reason: str


@dataclass
class NominationImport:
    created: list = dc_field(default_factory=list)
    errors: list[RowError] = dc_field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


COLUMN_OF_FIELD = {"village": "村区划代码", "track": "类型", "tags": "标签", "note": "说明"}


def do_import_nominations(campaign: Campaign, uploaded, *, acting_user) -> NominationImport:
    """A county nominates many villages from an Excel sheet: all rows or none.

    Each row goes through `do_nominate`, so quotas, tracks and duplicates are checked exactly as
    one by one; if any row fails, every row is rolled back and the report names each bad row.
    """
    from .excel import read_nominations

    ensure_can(acting_user, Perm.ENROLLMENT_NOMINATE)
    rows = read_nominations(uploaded)
    result = NominationImport()
    if not rows:
        result.errors.append(RowError(2, "村区划代码", "文件中没有提名数据"))
        return result
    tags_by_name = {t.name: t.pk for t in Tag.objects.filter(is_active=True)}
    with transaction.atomic():
        for row in rows:
            unknown = [name for name in row.tag_names if name not in tags_by_name]
            if unknown:
                result.errors.append(RowError(row.row, "标签", f"标签不存在：{'、'.join(unknown)}"))
                continue
            village = Region.objects.filter(code=row.village_code).first()
            if village is None:
                result.errors.append(RowError(row.row, "村区划代码", f"区划代码“{row.village_code}”不存在"))
                continue
            try:
                with transaction.atomic():
                    result.created.append(do_nominate(
                        campaign, village, acting_user=acting_user, track=row.track,
                        tag_ids=[tags_by_name[n] for n in row.tag_names], note=row.note,
                    ))
            except DomainError as exc:
                result.errors.append(RowError(row.row, COLUMN_OF_FIELD.get(exc.field, "村区划代码"), exc.message))
        if result.errors:
            result.created = []
            transaction.set_rollback(True)
    return result
