"""Every change to households, groups, ratings, the moral bank, the love supermarket, venues and links.

The ledger rules live here: a posting locks the household's balance row, changes it with F() and
appends its entry in one transaction; the database refuses a negative balance or stock
(CheckConstraint), and an idempotency key makes the same request post once.
"""

import secrets
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from qiancun.accounts.permissions import Perm, ensure_can
from qiancun.core.audit import diff, record_audit, snapshot
from qiancun.core.errors import DomainError, ErrorCode, ValidationFailed
from qiancun.core.images import check_image
from qiancun.core.jobs import close_interrupted, run_import, this_process
from qiancun.core.models import AuditAction
from qiancun.core.tabular import check_upload
from qiancun.regions.choices import RegionLevel
from qiancun.regions.models import Region

from . import personal_data as pd
from .choices import (
    DonorKind,
    EntryKind,
    ImportMode,
    ImportStatus,
    ProposalStatus,
    Relation,
    RoundPeriod,
    StockKind,
    VenueKind,
)
from .models import (
    FarmerLink,
    Goods,
    Household,
    HouseholdGroup,
    HouseholdImport,
    LedgerEntry,
    Member,
    PointsAccount,
    PointsProposal,
    PointsRule,
    Rating,
    RatingCriterion,
    RatingRound,
    Redemption,
    RedemptionLine,
    StockMove,
    Venue,
    VenueActivity,
)

UNMASK = "unmask"  # audit action: personal data shown in clear
HOUSEHOLD_FIELDS = ["number", "head_name", "address", "group_id"]
MAX_RULE_POINTS = 100
MAX_KEY = 80


def _not_found(what: str = "对象") -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, f"{what}不存在或不在您的管辖范围内")


def _village(village: Region, user) -> Region:
    if village is None or not Region.objects.for_user(user).filter(pk=village.pk, level=RegionLevel.VILLAGE).exists():
        raise _not_found("村")
    return village


def _in_scope(model, obj, user, what: str):
    if obj is None or not model.objects.for_user(user).filter(pk=obj.pk).exists():
        raise _not_found(what)
    return obj


def _text(value, field: str, label: str, max_length: int, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationFailed(f"请填写{label}", field=field)
    if len(text) > max_length:
        raise ValidationFailed(f"{label}不能超过 {max_length} 个字", field=field)
    return text


def _int(value, field: str, label: str, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValidationFailed(f"{label}须为整数", field=field)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationFailed(f"{label}须为整数", field=field) from None
    if not low <= number <= high:
        raise ValidationFailed(f"{label}须在 {low}–{high} 之间", field=field)
    return number


def _key(value, field: str = "idempotency_key") -> str:
    key = str(value or "").strip()
    if not key or len(key) > MAX_KEY:
        raise ValidationFailed(f"幂等键须为 1–{MAX_KEY} 个字符", field=field)
    return key


# ------------------------------------------------------------------ households and members


_RELATION_VALUES = frozenset(Relation.values)
_RELATION_OF_LABEL = {label: value for value, label in Relation.choices}


def clean_member(data: dict, *, field_prefix: str = "", exclude_member_id: int | None = None,
                 taken_hashes: set[str] | None = None, digest: str | None = None) -> dict:
    """Validate one member's input; returns the fields to store (encrypted, hashed, masked).
    A bulk import passes `taken_hashes` (the ID-number hashes already registered) and the row's `digest`."""
    name = _text(data.get("name"), f"{field_prefix}name", "姓名", 50)
    relation = data.get("relation") or ""
    if relation not in _RELATION_VALUES:
        relation = _RELATION_OF_LABEL.get(relation, "")
        if not relation:
            raise ValidationFailed("与户主关系须为：" + "、".join(Relation.labels), field=f"{field_prefix}relation")
    id_number = pd.normalize_id(data.get("id_number"))
    values = {"name": name, "relation": relation, "id_cipher": "", "id_hash": None, "id_masked": "",
              "phone_cipher": "", "phone_hash": "", "phone_masked": ""}
    if id_number:
        problem = pd.id_number_problem(id_number)
        if problem:
            raise ValidationFailed(problem, field=f"{field_prefix}id_number")
        digest = digest or pd.lookup_hash(id_number)
        if taken_hashes is not None:
            taken = digest in taken_hashes
        else:
            taken = Member.objects.filter(id_hash=digest).exclude(pk=exclude_member_id).exists()
        if taken:
            raise DomainError(ErrorCode.CONFLICT, "该身份证号已在平台登记（每人只能登记一次）", field=f"{field_prefix}id_number")
        values.update(id_cipher=pd.encrypt(id_number), id_hash=digest, id_masked=pd.mask_id(id_number))
    phone = pd.normalize_phone(data.get("phone"))
    if phone:
        problem = pd.phone_problem(phone)
        if problem:
            raise ValidationFailed(problem, field=f"{field_prefix}phone")
        values.update(phone_cipher=pd.encrypt(phone), phone_hash=pd.lookup_hash(phone), phone_masked=pd.mask_phone(phone))
    return values


def _check_group(group_id, village_id: str) -> int | None:
    if group_id in (None, ""):
        return None
    if not HouseholdGroup.objects.filter(pk=group_id, village_id=village_id).exists():
        raise ValidationFailed("十户一组须为本村的组", field="group")
    return int(group_id)


@transaction.atomic
def do_create_household(village: Region, *, acting_user, number: str, head_name: str, address: str = "",
                        group_id: int | None = None, members: list[dict] | None = None) -> Household:
    """Village staff register a household with its members (the head first)."""
    ensure_can(acting_user, Perm.HOUSEHOLD_EDIT)
    _village(village, acting_user)
    number = _text(number, "number", "户号", 30)
    if Household.objects.filter(village=village, number=number).exists():
        raise DomainError(ErrorCode.CONFLICT, f"本村已有户号 {number}", field="number")
    household = Household.objects.create(
        village=village, number=number, head_name=_text(head_name, "head_name", "户主", 50),
        address=_text(address, "address", "住址", 200, required=False), group_id=_check_group(group_id, village.pk),
    )
    PointsAccount.objects.create(household=household)
    members = members or [{"name": household.head_name, "relation": Relation.HEAD}]
    if sum(1 for m in members if (m.get("relation") in (Relation.HEAD, "户主"))) != 1:
        raise ValidationFailed("每户须有且只有一位户主", field="members")
    for index, data in enumerate(members):
        Member.objects.create(household=household, **clean_member(data, field_prefix=f"members.{index}." if index else ""))
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=household,
                 changes={**diff({}, snapshot(household, HOUSEHOLD_FIELDS)), "members": len(members)})
    return household


@transaction.atomic
def do_update_household(household: Household, *, acting_user, **changes) -> Household:
    """Village staff correct a household's number, head, address or group."""
    ensure_can(acting_user, Perm.HOUSEHOLD_EDIT)
    _in_scope(Household, household, acting_user, "农户")
    unknown = set(changes) - set(HOUSEHOLD_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    before = snapshot(household, HOUSEHOLD_FIELDS)
    if "number" in changes:
        household.number = _text(changes["number"], "number", "户号", 30)
        if Household.objects.filter(village_id=household.village_id, number=household.number).exclude(pk=household.pk).exists():
            raise DomainError(ErrorCode.CONFLICT, f"本村已有户号 {household.number}", field="number")
    if "head_name" in changes:
        household.head_name = _text(changes["head_name"], "head_name", "户主", 50)
    if "address" in changes:
        household.address = _text(changes["address"], "address", "住址", 200, required=False)
    if "group_id" in changes:
        household.group_id = _check_group(changes["group_id"], household.village_id)
    household.save()
    changed = diff(before, snapshot(household, HOUSEHOLD_FIELDS))
    if changed:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=household, changes=changed)
    return household


@transaction.atomic
def do_add_member(household: Household, *, acting_user, name: str, relation: str, id_number: str = "", phone: str = "") -> Member:
    """Village staff add a member to a household."""
    ensure_can(acting_user, Perm.HOUSEHOLD_EDIT)
    _in_scope(Household, household, acting_user, "农户")
    values = clean_member({"name": name, "relation": relation, "id_number": id_number, "phone": phone})
    if values["relation"] == Relation.HEAD and household.members.filter(relation=Relation.HEAD).exists():
        raise ValidationFailed("该户已有户主", field="relation")
    member = Member.objects.create(household=household, **values)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=member,
                 changes={"name": [None, member.name], "id_masked": [None, member.id_masked], "phone_masked": [None, member.phone_masked]})
    return member


@transaction.atomic
def do_update_member(member: Member, *, acting_user, **changes) -> Member:
    """Village staff correct a member's name, relation, ID number or phone (empty keeps the stored value)."""
    ensure_can(acting_user, Perm.HOUSEHOLD_EDIT)
    _in_scope(Member, member, acting_user, "家庭成员")
    fields = ["name", "relation", "id_masked", "phone_masked"]
    before = snapshot(member, fields)
    current = member.reveal()
    data = {"name": member.name, "relation": member.relation, **current}
    data.update({k: v for k, v in changes.items() if v not in (None,) and k in ("name", "relation", "id_number", "phone")})
    values = clean_member(data, exclude_member_id=member.pk)
    if values["relation"] == Relation.HEAD and member.household.members.filter(relation=Relation.HEAD).exclude(pk=member.pk).exists():
        raise ValidationFailed("该户已有户主", field="relation")
    for key, value in values.items():
        setattr(member, key, value)
    member.save()
    changed = diff(before, snapshot(member, fields))
    if changed:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=member, changes=changed)
    return member


@transaction.atomic
def do_unmask_member(member: Member, *, acting_user) -> dict:
    """An authorised administrator reads a member's ID number and phone in clear; always audited."""
    ensure_can(acting_user, Perm.PERSONAL_DATA_UNMASK)
    _in_scope(Member, member, acting_user, "家庭成员")
    record_audit(UNMASK, acting_user=acting_user, obj=member, changes={"fields": ["身份证号", "手机号"]})
    return member.reveal()


def find_member_by_id_number(id_number: str, *, acting_user) -> Member | None:
    """Exact lookup through the keyed hash (the clear value is never queried)."""
    ensure_can(acting_user, Perm.HOUSEHOLD_VIEW)
    digest = pd.lookup_hash(pd.normalize_id(id_number))
    return Member.objects.for_user(acting_user).filter(id_hash=digest).select_related("household").first() if digest else None


# ------------------------------------------------------------------ ten-household groups


@transaction.atomic
def do_create_group(village: Region, *, acting_user, name: str) -> HouseholdGroup:
    """Village staff open a ten-household group."""
    ensure_can(acting_user, Perm.HOUSEHOLD_EDIT)
    _village(village, acting_user)
    name = _text(name, "name", "组名", 50)
    if HouseholdGroup.objects.filter(village=village, name=name).exists():
        raise DomainError(ErrorCode.CONFLICT, f"本村已有“{name}”", field="name")
    group = HouseholdGroup.objects.create(village=village, name=name)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=group, changes={"name": [None, name]})
    return group


@transaction.atomic
def do_assign_households(group: HouseholdGroup, household_ids: list[int], *, acting_user) -> int:
    """Village staff put households into a group (moving them from another group of the village)."""
    ensure_can(acting_user, Perm.HOUSEHOLD_EDIT)
    _in_scope(HouseholdGroup, group, acting_user, "十户一组")
    chosen = Household.objects.filter(village_id=group.village_id, pk__in=household_ids)
    if chosen.count() != len(set(household_ids)):
        raise ValidationFailed("只能把本村的农户编入本村的组", field="households")
    count = chosen.update(group=group)
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=group, changes={"households": [None, sorted(household_ids)]})
    return count


@transaction.atomic
def do_set_group_leader(group: HouseholdGroup, *, acting_user, member_id: int | None) -> HouseholdGroup:
    """Village staff name the group leader: a member of one of the group's households."""
    ensure_can(acting_user, Perm.HOUSEHOLD_EDIT)
    _in_scope(HouseholdGroup, group, acting_user, "十户一组")
    if member_id is not None and not Member.objects.filter(pk=member_id, household__group=group).exists():
        raise ValidationFailed("组长须是本组农户的家庭成员", field="leader")
    before = snapshot(group, ["leader_id"])
    group.leader_id = member_id
    group.save(update_fields=["leader"])
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=group, changes=diff(before, snapshot(group, ["leader_id"])))
    return group


# ------------------------------------------------------------------ clean-household ratings


@transaction.atomic
def do_add_criterion(county: Region, *, acting_user, name: str, max_score: int, order: int = 0) -> RatingCriterion:
    """The county sets a criterion of its clean-household rating and its maximum score."""
    ensure_can(acting_user, Perm.RATING_CRITERIA_MANAGE)
    if county is None or county.level != RegionLevel.COUNTY or not Region.objects.for_user(acting_user).filter(pk=county.pk).exists():
        raise _not_found("县（市、区）")
    name = _text(name, "name", "评分项", 60)
    if RatingCriterion.objects.filter(county=county, name=name).exists():
        raise DomainError(ErrorCode.CONFLICT, f"已有评分项“{name}”", field="name")
    criterion = RatingCriterion.objects.create(
        county=county, name=name, max_score=_int(max_score, "max_score", "满分", 1, 100), order=_int(order, "order", "顺序", 0, 999)
    )
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=criterion, changes={"name": [None, name], "max_score": [None, criterion.max_score]})
    return criterion


def _set_active(obj, active: bool, acting_user):
    """Retire or bring back a criterion or rule (its history keeps it), audited; callers check the right."""
    before = snapshot(obj, ["is_active"])
    obj.is_active = bool(active)
    obj.save(update_fields=["is_active"])
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=obj, changes=diff(before, snapshot(obj, ["is_active"])))
    return obj


@transaction.atomic
def do_set_criterion_active(criterion: RatingCriterion, *, acting_user, active: bool) -> RatingCriterion:
    """The county retires a criterion (earlier ratings keep their scores) or brings it back."""
    ensure_can(acting_user, Perm.RATING_CRITERIA_MANAGE)
    _in_scope(RatingCriterion, criterion, acting_user, "评分项")
    return _set_active(criterion, active, acting_user)


def criteria_for(village_code: str):
    return RatingCriterion.objects.filter(county_id=village_code[:6], is_active=True)


@transaction.atomic
def do_create_round(village: Region, *, acting_user, name: str, starts_on: date, ends_on: date, pass_score: int,
                    period: str = RoundPeriod.QUARTERLY) -> RatingRound:
    """Village staff open a clean-household rating round."""
    ensure_can(acting_user, Perm.RATING_RECORD)
    _village(village, acting_user)
    if not criteria_for(village.code).exists():
        raise ValidationFailed("县里尚未设置干净人家评分项", field="name")
    if period not in RoundPeriod.values:
        raise ValidationFailed("周期须为月度或季度", field="period")
    if not starts_on or not ends_on or ends_on < starts_on:
        raise ValidationFailed("结束日期不能早于开始日期", field="ends_on")
    maximum = sum(criteria_for(village.code).values_list("max_score", flat=True))
    rating_round = RatingRound.objects.create(
        village=village, name=_text(name, "name", "名称", 60), period=period, starts_on=starts_on, ends_on=ends_on,
        pass_score=_int(pass_score, "pass_score", "分数线", 1, maximum),
    )
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=rating_round, changes={"name": [None, rating_round.name]})
    return rating_round


@transaction.atomic
def do_rate(rating_round: RatingRound, household: Household, *, acting_user, scores: dict) -> Rating:
    """Village staff score a household against each criterion; re-rating before publication replaces it."""
    ensure_can(acting_user, Perm.RATING_RECORD)
    _in_scope(RatingRound, rating_round, acting_user, "评选")
    if household.village_id != rating_round.village_id:
        raise ValidationFailed("只能给本村农户评分", field="household")
    if rating_round.published_at:
        raise DomainError(ErrorCode.CONFLICT, "本轮结果已公布，不能再评分")
    criteria = list(criteria_for(rating_round.village_id))
    clean = {}
    for criterion in criteria:
        raw = scores.get(str(criterion.pk), scores.get(criterion.pk))
        if raw in (None, ""):
            raise ValidationFailed(f"请给“{criterion.name}”打分", field=f"score_{criterion.pk}")
        clean[str(criterion.pk)] = _int(raw, f"score_{criterion.pk}", criterion.name, 0, criterion.max_score)
    total = sum(clean.values())
    rating, created = Rating.objects.update_or_create(
        round=rating_round, household=household,
        defaults={"scores": clean, "total": total, "is_clean": total >= rating_round.pass_score, "rated_by": acting_user},
    )
    record_audit(AuditAction.CREATE if created else AuditAction.UPDATE, acting_user=acting_user, obj=rating,
                 object_repr=f"{rating_round.name} · {household}", changes={"total": [None, total]})
    return rating


@transaction.atomic
def do_publish_round(rating_round: RatingRound, *, acting_user) -> RatingRound:
    """Village staff publish the honour list; the round's scores are then final."""
    ensure_can(acting_user, Perm.RATING_RECORD)
    _in_scope(RatingRound, rating_round, acting_user, "评选")
    if rating_round.published_at:
        raise DomainError(ErrorCode.CONFLICT, "本轮结果已公布")
    if not rating_round.ratings.exists():
        raise ValidationFailed("尚未给任何农户评分", field="ratings")
    rating_round.published_at = timezone.now()
    rating_round.save(update_fields=["published_at"])
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=rating_round, changes={"published_at": [None, rating_round.published_at.isoformat()]})
    return rating_round


# ------------------------------------------------------------------ moral bank


@transaction.atomic
def do_create_rule(village: Region, *, acting_user, name: str, points: int) -> PointsRule:
    """The village committee names a deed and its points (negative for misconduct)."""
    ensure_can(acting_user, Perm.POINTS_APPROVE)
    _village(village, acting_user)
    name = _text(name, "name", "事项", 60)
    points = _int(points, "points", "积分", -MAX_RULE_POINTS, MAX_RULE_POINTS)
    if points == 0:
        raise ValidationFailed("积分不能为 0", field="points")
    if PointsRule.objects.filter(village=village, name=name).exists():
        raise DomainError(ErrorCode.CONFLICT, f"本村已有积分事项“{name}”", field="name")
    rule = PointsRule.objects.create(village=village, name=name, points=points)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=rule, changes={"name": [None, name], "points": [None, points]})
    return rule


@transaction.atomic
def do_set_rule_active(rule: PointsRule, *, acting_user, active: bool) -> PointsRule:
    """The village committee retires a deed or brings it back."""
    ensure_can(acting_user, Perm.POINTS_APPROVE)
    _in_scope(PointsRule, rule, acting_user, "积分规则")
    return _set_active(rule, active, acting_user)


def _post(household: Household, points: int, *, kind: str, reason: str, key: str, acting_user,
          rule=None, proposal=None, redemption=None, reverses=None) -> LedgerEntry:
    """Append one entry and move the balance, inside the caller's transaction.

    The balance row is locked first (PostgreSQL; SQLite's IMMEDIATE transactions serialise writers), so
    postings to one household queue up; the key is checked again under the lock, so a repeated request
    returns the entry already posted. The database's CheckConstraint refuses a negative balance.
    """
    existing = LedgerEntry.objects.filter(idempotency_key=key).first()
    if existing is None:
        account = PointsAccount.objects.select_for_update().get(household_id=household.pk)
        existing = LedgerEntry.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.household_id != household.pk or existing.points != points:
            raise DomainError(ErrorCode.CONFLICT, "该幂等键已用于另一笔记账", field="idempotency_key")
        return existing
    try:
        with transaction.atomic():
            PointsAccount.objects.filter(pk=household.pk).update(balance=F("balance") + points, updated_at=timezone.now())
    except IntegrityError:
        raise DomainError(ErrorCode.CONFLICT, f"积分余额不足：现有 {account.balance} 分，需要 {-points} 分", field="points") from None
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(
                village_id=household.village_id, household=household, kind=kind, points=points,
                balance_after=account.balance + points, reason=reason[:200], rule=rule, proposal=proposal,
                redemption=redemption, reverses=reverses, idempotency_key=key, created_by=acting_user,
                created_at=timezone.now(),
            )
    except IntegrityError:
        raise DomainError(ErrorCode.CONFLICT, "该幂等键已用于另一笔记账，或该记录已冲正", field="idempotency_key") from None


def _points_input(household: Household, rule_id, points, reason) -> tuple[PointsRule | None, int, str]:
    rule = None
    if rule_id not in (None, ""):
        rule = PointsRule.objects.filter(pk=rule_id, village_id=household.village_id, is_active=True).first()
        if rule is None:
            raise ValidationFailed("积分规则须为本村启用的事项", field="rule")
        points = rule.points if points in (None, "") else points
        reason = reason or rule.name
    points = _int(points, "points", "积分", -MAX_RULE_POINTS, MAX_RULE_POINTS)
    if points == 0:
        raise ValidationFailed("积分不能为 0", field="points")
    return rule, points, _text(reason, "reason", "事由", 200)


@transaction.atomic
def do_propose_points(household: Household, *, acting_user, idempotency_key: str, rule_id: int | None = None,
                      points: int | None = None, reason: str = "", occurred_on: date | None = None) -> PointsProposal:
    """A group leader (through village or township staff) proposes points for a household's deed."""
    ensure_can(acting_user, Perm.POINTS_PROPOSE)
    _in_scope(Household, household, acting_user, "农户")
    key = _key(idempotency_key)
    existing = PointsProposal.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.household_id != household.pk:
            raise DomainError(ErrorCode.CONFLICT, "该幂等键已用于另一笔申报", field="idempotency_key")
        return existing
    rule, points, reason = _points_input(household, rule_id, points, reason)
    occurred_on = occurred_on or timezone.localdate()
    if occurred_on > timezone.localdate():
        raise ValidationFailed("发生日期不能晚于今天", field="occurred_on")
    try:
        with transaction.atomic():
            proposal = PointsProposal.objects.create(
                village_id=household.village_id, household=household, rule=rule, points=points, reason=reason,
                occurred_on=occurred_on, idempotency_key=key, proposed_by=acting_user,
            )
    except IntegrityError:
        return PointsProposal.objects.get(idempotency_key=key)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=proposal, changes={"points": [None, points], "reason": [None, reason]})
    return proposal


@transaction.atomic
def do_decide_proposal(proposal: PointsProposal, *, acting_user, approve: bool, note: str = "") -> PointsProposal:
    """The village committee approves a proposal (it is posted to the household at once) or rejects it."""
    ensure_can(acting_user, Perm.POINTS_APPROVE)
    _in_scope(PointsProposal, proposal, acting_user, "积分申报")
    proposal = PointsProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PROPOSED:
        raise DomainError(ErrorCode.CONFLICT, f"该申报已{proposal.get_status_display()}")
    note = _text(note, "note", "审批意见", 200, required=not approve)
    if approve:
        _post(proposal.household, proposal.points, kind=EntryKind.AWARD, reason=proposal.reason, key=f"proposal:{proposal.pk}",
              acting_user=acting_user, rule=proposal.rule, proposal=proposal)
    proposal.status = ProposalStatus.POSTED if approve else ProposalStatus.REJECTED
    proposal.decided_by, proposal.decided_at, proposal.decision_note = acting_user, timezone.now(), note
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=proposal, changes={"status": [ProposalStatus.PROPOSED, proposal.status]})
    return proposal


@transaction.atomic
def do_post_points(household: Household, *, acting_user, idempotency_key: str, rule_id: int | None = None,
                   points: int | None = None, reason: str = "") -> LedgerEntry:
    """The village committee posts points directly (proposal and approval in one); same key, one posting."""
    ensure_can(acting_user, Perm.POINTS_APPROVE)
    _in_scope(Household, household, acting_user, "农户")
    key = _key(idempotency_key)
    rule, points, reason = _points_input(household, rule_id, points, reason)
    repeated = LedgerEntry.objects.filter(idempotency_key=f"post:{key}").exists()
    entry = _post(household, points, kind=EntryKind.AWARD, reason=reason, key=f"post:{key}", acting_user=acting_user, rule=rule)
    if repeated:
        return entry
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=entry, changes={"points": [None, points], "reason": [None, reason]})
    return entry


@transaction.atomic
def do_reverse_entry(entry: LedgerEntry, *, acting_user, reason: str) -> LedgerEntry:
    """The village committee corrects a wrong posting with a reversing entry (the original stays)."""
    ensure_can(acting_user, Perm.POINTS_APPROVE)
    _in_scope(LedgerEntry, entry, acting_user, "积分记录")
    reason = _text(reason, "reason", "冲正理由", 200)
    if entry.kind != EntryKind.AWARD:
        raise ValidationFailed("只能冲正积分奖惩记录；兑换请按兑换流程处理", field="entry")
    if LedgerEntry.objects.filter(reverses=entry).exists():
        raise DomainError(ErrorCode.CONFLICT, "该记录已冲正过", field="entry")
    reversal = _post(entry.household, -entry.points, kind=EntryKind.CORRECTION, reason=f"冲正：{reason}", key=f"reverse:{entry.pk}",
                     acting_user=acting_user, reverses=entry)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=reversal, changes={"reverses": [None, entry.pk], "reason": [None, reason]})
    return reversal


# ------------------------------------------------------------------ love supermarket


@transaction.atomic
def do_create_goods(village: Region, *, acting_user, name: str, price_points: int, unit: str = "件") -> Goods:
    """The shop puts an article on its shelf with its price in points."""
    ensure_can(acting_user, Perm.SHOP_OPERATE)
    _village(village, acting_user)
    name = _text(name, "name", "品名", 60)
    if Goods.objects.filter(village=village, name=name).exists():
        raise DomainError(ErrorCode.CONFLICT, f"已有商品“{name}”", field="name")
    goods = Goods.objects.create(village=village, name=name, unit=_text(unit, "unit", "单位", 10),
                                 price_points=_int(price_points, "price_points", "兑换积分", 1, 100_000))
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=goods, changes={"name": [None, name], "price_points": [None, goods.price_points]})
    return goods


@transaction.atomic
def do_update_goods(goods: Goods, *, acting_user, **changes) -> Goods:
    """The shop changes an article's price, unit or takes it off the shelf."""
    ensure_can(acting_user, Perm.SHOP_OPERATE)
    _in_scope(Goods, goods, acting_user, "商品")
    fields = ["price_points", "unit", "is_active"]
    unknown = set(changes) - set(fields)
    if unknown:
        raise ValidationFailed(f"不能修改字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    before = snapshot(goods, fields)
    if "price_points" in changes:
        goods.price_points = _int(changes["price_points"], "price_points", "兑换积分", 1, 100_000)
    if "unit" in changes:
        goods.unit = _text(changes["unit"], "unit", "单位", 10)
    if "is_active" in changes:
        goods.is_active = bool(changes["is_active"])
    goods.save(update_fields=fields)
    changed = diff(before, snapshot(goods, fields))
    if changed:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=goods, changes=changed)
    return goods


@transaction.atomic
def do_stock_in(goods: Goods, *, acting_user, quantity: int, kind: str = StockKind.PURCHASE, donor_name: str = "",
                donor_kind: str = "", note: str = "") -> StockMove:
    """The shop books goods in, bought or donated (a donation records its donor)."""
    ensure_can(acting_user, Perm.SHOP_OPERATE)
    _in_scope(Goods, goods, acting_user, "商品")
    quantity = _int(quantity, "quantity", "数量", 1, 100_000)
    if kind not in (StockKind.PURCHASE, StockKind.DONATION):
        raise ValidationFailed("入库类别须为采购或捐赠", field="kind")
    if kind == StockKind.DONATION:
        donor_name = _text(donor_name, "donor_name", "捐赠方", 100)
        if donor_kind not in DonorKind.values:
            raise ValidationFailed("请选择捐赠方类别", field="donor_kind")
    else:
        donor_name, donor_kind = "", ""
    Goods.objects.filter(pk=goods.pk).update(stock=F("stock") + quantity)
    move = StockMove.objects.create(village_id=goods.village_id, goods=goods, kind=kind, quantity=quantity, donor_name=donor_name,
                                    donor_kind=donor_kind, note=_text(note, "note", "说明", 200, required=False),
                                    created_by=acting_user, created_at=timezone.now())
    goods.refresh_from_db(fields=["stock"])
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=move, object_repr=f"{goods.name} 入库 {quantity}{goods.unit}",
                 changes={"quantity": [None, quantity], "donor_name": [None, donor_name]})
    return move


@transaction.atomic
def do_redeem(household: Household, lines: list[tuple[int, int]], *, acting_user, idempotency_key: str) -> Redemption:
    """The counter redeems goods for a household: stock and points change together, or nothing does.

    Goods rows are locked in id order, then the balance row: two counters serving the same household
    queue up instead of both spending, and the last item goes to one of them. The same key twice
    (a double click, a retried request) returns the first redemption.
    """
    ensure_can(acting_user, Perm.SHOP_OPERATE)
    _in_scope(Household, household, acting_user, "农户")
    key = _key(idempotency_key)
    existing = Redemption.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if existing.household_id != household.pk:
            raise DomainError(ErrorCode.CONFLICT, "该幂等键已用于另一笔兑换", field="idempotency_key")
        return existing
    wanted: dict[int, int] = {}
    for goods_id, quantity in lines:
        wanted[int(goods_id)] = wanted.get(int(goods_id), 0) + _int(quantity, "quantity", "数量", 0, 1000)
    wanted = {g: q for g, q in wanted.items() if q > 0}
    if not wanted:
        raise ValidationFailed("请选择要兑换的商品", field="lines")
    goods = list(Goods.objects.select_for_update().filter(pk__in=wanted, village_id=household.village_id, is_active=True).order_by("pk"))
    if len(goods) != len(wanted):
        raise ValidationFailed("商品须为本村爱心超市在架的商品", field="lines")
    existing = Redemption.objects.filter(idempotency_key=key).first()
    if existing is not None:  # the same request finished at another counter while we waited for the goods
        return existing
    total = sum(g.price_points * wanted[g.pk] for g in goods)
    now = timezone.now()
    try:
        with transaction.atomic():
            redemption = Redemption.objects.create(village_id=household.village_id, household=household, total_points=total,
                                                   idempotency_key=key, created_by=acting_user, created_at=now)
    except IntegrityError:
        raise DomainError(ErrorCode.CONFLICT, "该兑换正在另一柜台处理，请稍后刷新", field="idempotency_key") from None
    redemption.receipt_no = f"{timezone.localtime(now):%Y%m%d}-{redemption.pk:06d}"
    Redemption.objects.filter(pk=redemption.pk).update(receipt_no=redemption.receipt_no)
    for item in goods:
        quantity = wanted[item.pk]
        try:
            with transaction.atomic():
                Goods.objects.filter(pk=item.pk).update(stock=F("stock") - quantity)
        except IntegrityError:
            raise DomainError(ErrorCode.CONFLICT, f"“{item.name}”库存不足：现有 {item.stock}{item.unit}", field="lines") from None
        RedemptionLine.objects.create(redemption=redemption, goods=item, quantity=quantity, price_points=item.price_points)
        StockMove.objects.create(village_id=item.village_id, goods=item, kind=StockKind.REDEMPTION, quantity=-quantity,
                                 redemption=redemption, created_by=acting_user, created_at=now)
    names = "、".join(f"{g.name}×{wanted[g.pk]}" for g in goods)
    _post(household, -total, kind=EntryKind.REDEMPTION, reason=f"兑换 {names}"[:200], key=f"redemption:{key}",
          acting_user=acting_user, redemption=redemption)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=redemption, object_repr=f"兑换 {redemption.receipt_no} {household}",
                 changes={"total_points": [None, total], "lines": [None, names]})
    return redemption


# ------------------------------------------------------------------ venues


@transaction.atomic
def do_create_venue(village: Region, *, acting_user, kind: str, name: str) -> Venue:
    """Village staff register a culture courtyard, farmhouse library or science courtyard."""
    ensure_can(acting_user, Perm.VENUE_RECORD)
    _village(village, acting_user)
    if kind not in VenueKind.values:
        raise ValidationFailed("阵地类别须为：" + "、".join(VenueKind.labels), field="kind")
    name = _text(name, "name", "名称", 60)
    if Venue.objects.filter(village=village, name=name).exists():
        raise DomainError(ErrorCode.CONFLICT, f"本村已有“{name}”", field="name")
    venue = Venue.objects.create(village=village, kind=kind, name=name)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=venue, changes={"name": [None, name]})
    return venue


@transaction.atomic
def do_record_activity(venue: Venue, *, acting_user, held_on: date, kind: str, title: str, participants: int, photo=None) -> VenueActivity:
    """Village staff record an activity held at a venue (date, kind, participants, a photo)."""
    ensure_can(acting_user, Perm.VENUE_RECORD)
    _in_scope(Venue, venue, acting_user, "阵地")
    if not held_on or held_on > timezone.localdate():
        raise ValidationFailed("活动日期不能晚于今天", field="held_on")
    activity = VenueActivity(village_id=venue.village_id, venue=venue, held_on=held_on, kind=_text(kind, "kind", "活动类型", 30),
                             title=_text(title, "title", "活动内容", 100),
                             participants=_int(participants, "participants", "参加人数", 1, 100_000), created_by=acting_user)
    if photo:
        checked = check_image(photo, field="photo")
        activity.photo.save(checked.content.name, checked.content, save=False)
    activity.save()
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=activity, changes={"title": [None, activity.title]})
    return activity


# ------------------------------------------------------------------ farmers' links


def _secret_hash(secret: str) -> str:
    import hashlib

    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def do_issue_link(household: Household, *, acting_user) -> tuple[FarmerLink, str]:
    """Village staff issue a household's access link (QR code); earlier links of the household stop working."""
    from django.core import signing

    ensure_can(acting_user, Perm.FARMER_LINK_ISSUE)
    _in_scope(Household, household, acting_user, "农户")
    now = timezone.now()
    revoked = FarmerLink.objects.filter(household=household, revoked_at__isnull=True).update(revoked_at=now)
    secret = secrets.token_urlsafe(12)
    link = FarmerLink.objects.create(village_id=household.village_id, household=household, secret_hash=_secret_hash(secret),
                                     created_by=acting_user, expires_at=_link_expiry(now))
    token = signing.Signer(salt="participation.farmer-link").sign(f"{link.pk}.{secret}")
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=link,
                 changes={"revoked": revoked, "expires_at": [None, link.expires_at.isoformat()]})
    return link, token


def _link_expiry(start):
    from datetime import timedelta

    from django.conf import settings

    return start + timedelta(days=settings.QIANCUN_FARMER_LINK_DAYS)


@transaction.atomic
def do_renew_link(link: FarmerLink, *, acting_user) -> FarmerLink:
    """Village staff renew a household's link, expired or not: the same QR code works for another
    QIANCUN_FARMER_LINK_DAYS days from now. A withdrawn link is not renewed: a new one is issued."""
    ensure_can(acting_user, Perm.FARMER_LINK_ISSUE)
    _in_scope(FarmerLink, link, acting_user, "访问链接")
    link = FarmerLink.objects.select_for_update().get(pk=link.pk)
    if link.revoked_at is not None:
        raise DomainError(ErrorCode.CONFLICT, f"{link.household.head_name}户的这个访问链接已收回，不能续期，请重新发放", field="link")
    before = link.expires_at
    link.expires_at = _link_expiry(timezone.now())
    link.save(update_fields=["expires_at"])
    record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=link,
                 changes={"expires_at": [before.isoformat(), link.expires_at.isoformat()]})
    return link


@transaction.atomic
def do_revoke_link(link: FarmerLink, *, acting_user) -> FarmerLink:
    """Village staff withdraw a household's link (a lost phone, a changed household)."""
    ensure_can(acting_user, Perm.FARMER_LINK_ISSUE)
    _in_scope(FarmerLink, link, acting_user, "访问链接")
    if link.revoked_at is None:
        link.revoked_at = timezone.now()
        link.save(update_fields=["revoked_at"])
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=link, changes={"revoked": [None, True]})
    return link


def resolve_link(token: str) -> FarmerLink | None:
    """The link a farmer's token stands for, or None (bad signature, revoked, unknown). An expired link
    is returned too (`is_expired`), so the farmer is told to have it renewed; only a usable one counts
    as a visit."""
    from django.core import signing

    try:
        value = signing.Signer(salt="participation.farmer-link").unsign(token)
    except signing.BadSignature:
        return None
    pk, _, secret = value.partition(".")
    link = usable_link(int(pk) if pk.isdigit() else 0)
    if link is None or not pd.same_hash(link.secret_hash, _secret_hash(secret)):
        return None
    return link


def usable_link(pk: int) -> FarmerLink | None:
    """The link `pk`, unless withdrawn (the farmer's page keeps only this number in its session); an
    expired link is returned with `is_expired`. A usable one records the visit (at most every 5 minutes)."""
    link = FarmerLink.objects.filter(pk=pk, revoked_at__isnull=True).select_related("household", "village").first()
    if link is None or link.is_expired:
        return link
    now = timezone.now()
    if link.last_used_at is None or (now - link.last_used_at).total_seconds() > 300:
        FarmerLink.objects.filter(pk=link.pk).update(last_used_at=now)
    return link


# ------------------------------------------------------------------ Excel import


def _enqueue_import(job: HouseholdImport) -> None:
    from .tasks import run_household_import

    transaction.on_commit(lambda: run_household_import.enqueue(job.pk))


@transaction.atomic
def do_start_household_import(village: Region, uploaded_file, *, acting_user, mode: str = ImportMode.ALL_OR_NOTHING) -> HouseholdImport:
    """Village staff upload a register of households (.xlsx, .xls, .ods or CSV); a background job
    validates and loads it. A file that could never load (empty, another format, over the size limit)
    is refused here, before a job is queued."""
    ensure_can(acting_user, Perm.HOUSEHOLD_EDIT)
    _village(village, acting_user)
    if mode not in ImportMode.values:
        raise ValidationFailed("请选择导入方式", field="mode")
    name = check_upload(uploaded_file)
    job = HouseholdImport(village=village, original_name=name[:200], mode=mode, created_by=acting_user)
    job.file.save(name, uploaded_file, save=False)
    job.save()
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=job, changes={"file": [None, job.original_name]})
    _enqueue_import(job)
    return job


@transaction.atomic
def do_rerun_household_import(job: HouseholdImport, *, acting_user) -> HouseholdImport:
    """Village staff run a failed import again on the workbook already uploaded (after the worker died,
    say), in the same mode; the new job validates and loads it from the start."""
    ensure_can(acting_user, Perm.HOUSEHOLD_EDIT)
    _in_scope(HouseholdImport, job, acting_user, "导入任务")
    job = HouseholdImport.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.FAILED:
        raise DomainError(ErrorCode.CONFLICT, f"只有失败的导入可以重新运行（本次导入{job.get_status_display()}）")
    rerun = job.reruns.exclude(status=ImportStatus.FAILED).order_by("-pk").first()
    if rerun is not None and rerun.status == ImportStatus.SUCCEEDED:
        raise DomainError(ErrorCode.CONFLICT, f"该导入已重新运行成功（农户导入 #{rerun.pk}），无需再次运行")
    if rerun is not None:
        raise DomainError(ErrorCode.CONFLICT, f"该导入已在重新运行（农户导入 #{rerun.pk}）")
    if not job.file or not job.file.storage.exists(job.file.name):
        raise DomainError(ErrorCode.INVALID_FILE, "原上传文件已不存在，请重新上传", field="file")
    rerun = HouseholdImport.objects.create(village_id=job.village_id, file=job.file.name, original_name=job.original_name,
                                           mode=job.mode, created_by=acting_user, rerun_of=job)
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=rerun, changes={"file": [None, rerun.original_name], "rerun_of": [None, job.pk]})
    _enqueue_import(rerun)
    return rerun


@transaction.atomic
def do_fail_interrupted_household_import(job: HouseholdImport, *, reason: str, acting_user=None) -> HouseholdImport | None:
    """Close an import whose worker process died (`manage.py fail_stale_jobs`, or a worker as it starts):
    it shows failed with `reason` and can be rerun. No household of its workbook was written, because
    the rows commit together with the job's success. Returns None when the job is no longer running."""
    if acting_user is not None:
        ensure_can(acting_user, Perm.HOUSEHOLD_EDIT)
        _in_scope(HouseholdImport, job, acting_user, "导入任务")
    return close_interrupted(job, reason=reason, report={"errors": [], "added": 0, "unchanged": 0, "members_added": 0},
                             running=ImportStatus.RUNNING, failed=ImportStatus.FAILED, acting_user=acting_user)


def run_household_import_job(job: HouseholdImport, *, task_id: str = "") -> HouseholdImport:
    """Worker side of `do_start_household_import`: validate every row, write, keep the report.

    The job notes which process runs it, so `fail_stale_jobs` can close it if that process dies; its
    success commits in the same transaction as the households.
    """
    from .excel import HouseholdFileError, import_households

    def work(handle, progress, on_written):
        import_households(handle, job.village, mode=job.mode, acting_user=job.created_by, progress=progress, on_written=on_written)

    return run_import(job, work, statuses=ImportStatus, worker=this_process(), task_id=task_id, file_error=HouseholdFileError,
                      crash_report={"errors": [], "added": 0, "unchanged": 0})
