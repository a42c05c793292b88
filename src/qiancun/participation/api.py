"""/api/v1/participation/…: households, groups, ratings, the moral bank, the love supermarket, venues
and farmers' links, on the same actions and scoped querysets as the pages. Postings and redemptions
take an idempotency key (the `Idempotency-Key` header or the body's `idempotency_key`)."""

from datetime import date, datetime

from django.core.cache import cache
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from qiancun.accounts.permissions import Perm, ensure_can
from qiancun.core.api_base import ERRORS
from qiancun.core.errors import ValidationFailed
from qiancun.regions.choices import RegionLevel
from qiancun.regions.models import Region

from . import actions, exports, queries
from .choices import DonorKind, ImportMode, ImportStatus, ProposalStatus, Relation, RoundPeriod, StockKind, VenueKind
from .links import farmer_url
from .models import (
    FarmerLink,
    Goods,
    Household,
    HouseholdGroup,
    HouseholdImport,
    LedgerEntry,
    Member,
    PointsProposal,
    PointsRule,
    RatingCriterion,
    RatingRound,
    Venue,
)

router = Router(tags=["农民参与"])


def village_for(request, code: str | None) -> Region:
    """The village named by `code` (404 outside the user's scope); a village user's own by default."""
    user = request.user
    if not code and user.scope_id and user.scope.level == RegionLevel.VILLAGE:
        code = user.scope_id
    if not code:
        raise ValidationFailed("请指定村（village）", field="village")
    return get_object_or_404(Region.objects.for_user(user), code=code, level=RegionLevel.VILLAGE)


def _key(request, body_key: str | None) -> str:
    return request.headers.get("Idempotency-Key") or body_key or ""


# ------------------------------------------------------------------ schemas


class MemberOut(Schema):
    id: int
    name: str
    relation: Relation
    id_number: str = Field(alias="id_masked")
    phone: str = Field(alias="phone_masked")


class HouseholdOut(Schema):
    id: int
    village_code: str = Field(alias="village_id")
    number: str
    head_name: str
    address: str
    group_id: int | None
    group_name: str | None = None
    balance: int = 0
    members: list[MemberOut]

    @staticmethod
    def resolve_group_name(obj) -> str | None:
        return obj.group.name if obj.group_id else None

    @staticmethod
    def resolve_balance(obj) -> int:
        account = getattr(obj, "account", None)
        return account.balance if account else 0

    @staticmethod
    def resolve_members(obj):
        return list(obj.members.all())


class MemberIn(Schema):
    name: str
    relation: Relation
    id_number: str = ""
    phone: str = ""


class HouseholdIn(Schema):
    village_code: str | None = None
    number: str
    head_name: str
    address: str = ""
    group_id: int | None = None
    members: list[MemberIn] = []


class HouseholdPatch(Schema):
    number: str | None = None
    head_name: str | None = None
    address: str | None = None
    group_id: int | None = None


class UnmaskedOut(Schema):
    id_number: str
    phone: str


class HouseholdImportOut(Schema):
    id: int
    village_code: str = Field(alias="village_id")
    original_name: str
    mode: ImportMode
    status: str
    report: dict
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    rerun_of_id: int | None = None
    progress: dict | None = None


class GroupOut(Schema):
    id: int
    name: str
    leader_id: int | None
    leader_name: str | None = None
    households: int = 0

    @staticmethod
    def resolve_leader_name(obj) -> str | None:
        return obj.leader.name if obj.leader_id else None

    @staticmethod
    def resolve_households(obj) -> int:
        return getattr(obj, "n", None) if getattr(obj, "n", None) is not None else obj.households.count()


class GroupIn(Schema):
    village_code: str | None = None
    name: str


class IdsIn(Schema):
    household_ids: list[int]


class LeaderIn(Schema):
    member_id: int | None


class CriterionOut(Schema):
    id: int
    county_code: str = Field(alias="county_id")
    name: str
    max_score: int
    order: int
    is_active: bool


class CriterionIn(Schema):
    county_code: str | None = None
    name: str
    max_score: int
    order: int = 0


class RatingRoundOut(Schema):
    id: int
    village_code: str = Field(alias="village_id")
    name: str
    period: RoundPeriod
    starts_on: date
    ends_on: date
    pass_score: int
    published_at: datetime | None


class RatingRoundIn(Schema):
    village_code: str | None = None
    name: str
    period: RoundPeriod = RoundPeriod.QUARTERLY
    starts_on: date
    ends_on: date
    pass_score: int


class RatingOut(Schema):
    household_id: int
    head_name: str
    scores: dict
    total: int
    is_clean: bool

    @staticmethod
    def resolve_head_name(obj) -> str:
        return obj.household.head_name


class RatingRoundDetailOut(RatingRoundOut):
    ratings: list[RatingOut]

    @staticmethod
    def resolve_ratings(obj):
        return list(obj.ratings.select_related("household"))


class ScoresIn(Schema):
    scores: dict[str, int]


class RuleOut(Schema):
    id: int
    name: str
    points: int
    is_active: bool


class RuleIn(Schema):
    village_code: str | None = None
    name: str
    points: int


class ProposalOut(Schema):
    id: int
    household_id: int
    rule_id: int | None
    points: int
    reason: str
    occurred_on: date
    status: ProposalStatus
    proposed_at: datetime


class ProposalIn(Schema):
    household_id: int
    rule_id: int | None = None
    points: int | None = None
    reason: str = ""
    occurred_on: date | None = None
    idempotency_key: str | None = None


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class PostingIn(Schema):
    household_id: int
    rule_id: int | None = None
    points: int | None = None
    reason: str = ""
    idempotency_key: str | None = None


class EntryOut(Schema):
    id: int
    household_id: int
    kind: str
    points: int
    balance_after: int
    reason: str
    reverses_id: int | None
    created_at: datetime


class ReversalIn(Schema):
    reason: str


class RankOut(Schema):
    rank: int
    household_id: int
    head_name: str = Field(alias="household__head_name")
    number: str = Field(alias="household__number")
    group: str | None = Field(None, alias="household__group__name")
    points: int


class GoodsOut(Schema):
    id: int
    name: str
    unit: str
    price_points: int
    stock: int
    is_active: bool


class GoodsIn(Schema):
    village_code: str | None = None
    name: str
    unit: str = "件"
    price_points: int


class StockIn(Schema):
    quantity: int
    kind: StockKind = StockKind.PURCHASE
    donor_name: str = ""
    donor_kind: DonorKind | None = None
    note: str = ""


class LineIn(Schema):
    goods_id: int
    quantity: int


class RedemptionIn(Schema):
    household_id: int
    lines: list[LineIn]
    idempotency_key: str | None = None


class RedemptionOut(Schema):
    id: int
    receipt_no: str
    household_id: int
    total_points: int
    balance_after: int
    created_at: datetime

    @staticmethod
    def resolve_balance_after(obj) -> int:
        return obj.household.account.balance


class VenueOut(Schema):
    id: int
    kind: VenueKind
    name: str


class VenueIn(Schema):
    village_code: str | None = None
    kind: VenueKind
    name: str


class ActivityIn(Schema):
    held_on: date
    kind: str
    title: str
    participants: int


class ActivityOut(Schema):
    id: int
    venue_id: int
    held_on: date
    kind: str
    title: str
    participants: int


class LinkOut(Schema):
    id: int
    household_id: int
    url: str
    expires_at: datetime


class LinkStatusOut(Schema):
    id: int
    household_id: int
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None


class CoverageRowOut(Schema):
    code: str
    name: str
    households: int
    grouped: int
    rated: int
    group_percent: int | None
    rating_percent: int | None
    postings_90d: int
    redemptions_90d: int
    activities_90d: int


# ------------------------------------------------------------------ households


def _household(request, pk: int) -> Household:
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    return get_object_or_404(Household.objects.for_user(request.user).select_related("group", "account"), pk=pk)


@router.get("/participation/households", response=list[HouseholdOut])
@paginate(PageNumberPagination, page_size=50)
def list_households(request, village: str | None = None, q: str = "", group_id: int | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    region = village_for(request, village)
    if q or group_id:
        ids = [h.pk for h in queries.find_households(region.code, q, group_id, limit=500)]
        households = Household.objects.filter(pk__in=ids)
    else:
        households = Household.objects.filter(village=region)
    return households.select_related("group", "account").prefetch_related("members").order_by("number")


@router.post("/participation/households", response={201: HouseholdOut, **ERRORS})
def create_household(request, payload: HouseholdIn):
    region = village_for(request, payload.village_code)
    household = actions.do_create_household(
        region, acting_user=request.user, number=payload.number, head_name=payload.head_name, address=payload.address,
        group_id=payload.group_id, members=[m.dict() for m in payload.members] or None,
    )
    return Status(201, _household(request, household.pk))


@router.get("/participation/households/export", response={200: None, **ERRORS})
def export_households(request, village: str | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    return exports.download(exports.export_households(village_for(request, village), acting_user=request.user))


@router.post("/participation/households/import", response={201: HouseholdImportOut, **ERRORS})
def import_households(request, file: File[UploadedFile], village_code: Form[str] = "", mode: Form[ImportMode] = ImportMode.ALL_OR_NOTHING):
    ensure_can(request.user, Perm.HOUSEHOLD_EDIT)
    job = actions.do_start_household_import(village_for(request, village_code), file, acting_user=request.user, mode=mode)
    job.refresh_from_db()
    return Status(201, job)


@router.get("/participation/imports/{import_id}", response={200: HouseholdImportOut, **ERRORS})
def get_import(request, import_id: int):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    job = get_object_or_404(HouseholdImport.objects.for_user(request.user), pk=import_id)
    job.progress = cache.get(job.progress_key) if job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING) else None
    return job


@router.post("/participation/imports/{import_id}/rerun", response={201: HouseholdImportOut, **ERRORS})
def rerun_import(request, import_id: int):
    """Run a failed household import again on the workbook already uploaded, in the same mode."""
    ensure_can(request.user, Perm.HOUSEHOLD_EDIT)
    job = get_object_or_404(HouseholdImport.objects.for_user(request.user), pk=import_id)
    rerun = actions.do_rerun_household_import(job, acting_user=request.user)
    rerun.refresh_from_db()
    return Status(201, rerun)


@router.get("/participation/households/{household_id}", response={200: HouseholdOut, **ERRORS})
def get_household(request, household_id: int):
    return _household(request, household_id)


@router.patch("/participation/households/{household_id}", response={200: HouseholdOut, **ERRORS})
def update_household(request, household_id: int, payload: HouseholdPatch):
    household = _household(request, household_id)
    actions.do_update_household(household, acting_user=request.user, **payload.dict(exclude_unset=True))
    return _household(request, household_id)


@router.post("/participation/households/{household_id}/members", response={201: MemberOut, **ERRORS})
def add_member(request, household_id: int, payload: MemberIn):
    return Status(201, actions.do_add_member(_household(request, household_id), acting_user=request.user, **payload.dict()))


@router.post("/participation/members/{member_id}/unmask", response={200: UnmaskedOut, **ERRORS})
def unmask_member(request, member_id: int):
    ensure_can(request.user, Perm.PERSONAL_DATA_UNMASK)
    member = get_object_or_404(Member.objects.for_user(request.user), pk=member_id)
    return actions.do_unmask_member(member, acting_user=request.user)


@router.get("/participation/households/{household_id}/ledger", response={200: list[EntryOut], **ERRORS})
def household_ledger(request, household_id: int):
    return list(_household(request, household_id).ledger.all()[:500])


@router.post("/participation/households/{household_id}/link", response={201: LinkOut, **ERRORS})
def issue_link(request, household_id: int):
    ensure_can(request.user, Perm.FARMER_LINK_ISSUE)
    link, token = actions.do_issue_link(_household(request, household_id), acting_user=request.user)
    return Status(201, {"id": link.pk, "household_id": link.household_id, "url": farmer_url(request, token), "expires_at": link.expires_at})


@router.post("/participation/links/{link_id}/renew", response={200: LinkStatusOut, **ERRORS},
             summary="农户访问链接续期（原二维码继续有效，有效期从今天起重新计算）")
def renew_link(request, link_id: int):
    ensure_can(request.user, Perm.FARMER_LINK_ISSUE)
    return actions.do_renew_link(get_object_or_404(FarmerLink.objects.for_user(request.user), pk=link_id), acting_user=request.user)


@router.post("/participation/links/{link_id}/revoke", response={204: None, **ERRORS})
def revoke_link(request, link_id: int):
    ensure_can(request.user, Perm.FARMER_LINK_ISSUE)
    actions.do_revoke_link(get_object_or_404(FarmerLink.objects.for_user(request.user), pk=link_id), acting_user=request.user)
    return Status(204, None)


# ------------------------------------------------------------------ groups


@router.get("/participation/groups", response={200: list[GroupOut], **ERRORS})
def list_groups(request, village: str | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    return list(queries.groups_with_counts(village_for(request, village).code))


@router.post("/participation/groups", response={201: GroupOut, **ERRORS})
def create_group(request, payload: GroupIn):
    return Status(201, actions.do_create_group(village_for(request, payload.village_code), acting_user=request.user, name=payload.name))


def _group(request, pk: int) -> HouseholdGroup:
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    return get_object_or_404(HouseholdGroup.objects.for_user(request.user), pk=pk)


@router.post("/participation/groups/{group_id}/households", response={200: GroupOut, **ERRORS})
def assign_households(request, group_id: int, payload: IdsIn):
    group = _group(request, group_id)
    actions.do_assign_households(group, payload.household_ids, acting_user=request.user)
    return group


@router.put("/participation/groups/{group_id}/leader", response={200: GroupOut, **ERRORS})
def set_leader(request, group_id: int, payload: LeaderIn):
    return actions.do_set_group_leader(_group(request, group_id), acting_user=request.user, member_id=payload.member_id)


# ------------------------------------------------------------------ ratings


@router.get("/participation/criteria", response={200: list[CriterionOut], **ERRORS})
def list_criteria(request, county: str | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    code = county or (request.user.scope_id or "")[:6]
    if len(code) != 6:
        raise ValidationFailed("请指定县（county）", field="county")
    if not (code.startswith(request.user.scope_code or "") or (request.user.scope_code or "").startswith(code)):
        from django.http import Http404

        raise Http404
    return list(RatingCriterion.objects.filter(county_id=code))


@router.post("/participation/criteria", response={201: CriterionOut, **ERRORS})
def add_criterion(request, payload: CriterionIn):
    ensure_can(request.user, Perm.RATING_CRITERIA_MANAGE)
    county = get_object_or_404(Region.objects.for_user(request.user), code=payload.county_code or request.user.scope_id, level=RegionLevel.COUNTY)
    return Status(201, actions.do_add_criterion(county, acting_user=request.user, name=payload.name, max_score=payload.max_score, order=payload.order))


@router.get("/participation/rounds", response={200: list[RatingRoundOut], **ERRORS})
def list_rounds(request, village: str | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    return list(RatingRound.objects.filter(village=village_for(request, village)))


@router.post("/participation/rounds", response={201: RatingRoundOut, **ERRORS})
def create_round(request, payload: RatingRoundIn):
    ensure_can(request.user, Perm.RATING_RECORD)
    data = payload.dict()
    region = village_for(request, data.pop("village_code"))
    return Status(201, actions.do_create_round(region, acting_user=request.user, **data))


def _round(request, pk: int) -> RatingRound:
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    return get_object_or_404(RatingRound.objects.for_user(request.user), pk=pk)


@router.get("/participation/rounds/{round_id}", response={200: RatingRoundDetailOut, **ERRORS})
def get_round(request, round_id: int):
    return _round(request, round_id)


@router.put("/participation/rounds/{round_id}/ratings/{household_id}", response={200: RatingOut, **ERRORS})
def rate(request, round_id: int, household_id: int, payload: ScoresIn):
    rating_round = _round(request, round_id)
    return actions.do_rate(rating_round, _household(request, household_id), acting_user=request.user, scores=payload.scores)


@router.post("/participation/rounds/{round_id}/publish", response={200: RatingRoundOut, **ERRORS})
def publish_round(request, round_id: int):
    return actions.do_publish_round(_round(request, round_id), acting_user=request.user)


# ------------------------------------------------------------------ moral bank


@router.get("/participation/rules", response={200: list[RuleOut], **ERRORS})
def list_rules(request, village: str | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    return list(PointsRule.objects.filter(village=village_for(request, village)))


@router.post("/participation/rules", response={201: RuleOut, **ERRORS})
def create_rule(request, payload: RuleIn):
    ensure_can(request.user, Perm.POINTS_APPROVE)
    return Status(201, actions.do_create_rule(village_for(request, payload.village_code), acting_user=request.user, name=payload.name, points=payload.points))


@router.get("/participation/proposals", response=list[ProposalOut])
@paginate(PageNumberPagination, page_size=50)
def list_proposals(request, village: str | None = None, status: ProposalStatus | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    proposals = PointsProposal.objects.filter(village=village_for(request, village))
    return proposals.filter(status=status) if status else proposals


@router.post("/participation/proposals", response={201: ProposalOut, **ERRORS})
def propose(request, payload: ProposalIn):
    ensure_can(request.user, Perm.POINTS_PROPOSE)
    return Status(201, actions.do_propose_points(
        _household(request, payload.household_id), acting_user=request.user, idempotency_key=_key(request, payload.idempotency_key),
        rule_id=payload.rule_id, points=payload.points, reason=payload.reason, occurred_on=payload.occurred_on))


@router.post("/participation/proposals/{proposal_id}/decision", response={200: ProposalOut, **ERRORS})
def decide(request, proposal_id: int, payload: DecisionIn):
    ensure_can(request.user, Perm.POINTS_APPROVE)
    proposal = get_object_or_404(PointsProposal.objects.for_user(request.user), pk=proposal_id)
    return actions.do_decide_proposal(proposal, acting_user=request.user, approve=payload.approve, note=payload.note)


@router.post("/participation/postings", response={201: EntryOut, **ERRORS})
def post_points(request, payload: PostingIn):
    ensure_can(request.user, Perm.POINTS_APPROVE)
    return Status(201, actions.do_post_points(
        _household(request, payload.household_id), acting_user=request.user, idempotency_key=_key(request, payload.idempotency_key),
        rule_id=payload.rule_id, points=payload.points, reason=payload.reason))


@router.post("/participation/ledger/{entry_id}/reversal", response={201: EntryOut, **ERRORS})
def reverse_entry(request, entry_id: int, payload: ReversalIn):
    ensure_can(request.user, Perm.POINTS_APPROVE)
    entry = get_object_or_404(LedgerEntry.objects.for_user(request.user), pk=entry_id)
    return Status(201, actions.do_reverse_entry(entry, acting_user=request.user, reason=payload.reason))


@router.get("/participation/rankings", response={200: list[RankOut], **ERRORS})
def rankings(request, village: str | None = None, month: str | None = None, group_id: int | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    return queries.ranking(village_for(request, village).code, month=month, group_id=group_id)


# ------------------------------------------------------------------ love supermarket


@router.get("/participation/goods", response={200: list[GoodsOut], **ERRORS})
def list_goods(request, village: str | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    return list(Goods.objects.filter(village=village_for(request, village)))


@router.post("/participation/goods", response={201: GoodsOut, **ERRORS})
def create_goods(request, payload: GoodsIn):
    ensure_can(request.user, Perm.SHOP_OPERATE)
    return Status(201, actions.do_create_goods(village_for(request, payload.village_code), acting_user=request.user,
                                               name=payload.name, unit=payload.unit, price_points=payload.price_points))


@router.post("/participation/goods/{goods_id}/stock", response={201: GoodsOut, **ERRORS})
def stock_in(request, goods_id: int, payload: StockIn):
    ensure_can(request.user, Perm.SHOP_OPERATE)
    goods = get_object_or_404(Goods.objects.for_user(request.user), pk=goods_id)
    actions.do_stock_in(goods, acting_user=request.user, quantity=payload.quantity, kind=payload.kind, donor_name=payload.donor_name,
                        donor_kind=payload.donor_kind or "", note=payload.note)
    goods.refresh_from_db()
    return Status(201, goods)


@router.post("/participation/redemptions", response={201: RedemptionOut, **ERRORS})
def redeem(request, payload: RedemptionIn):
    ensure_can(request.user, Perm.SHOP_OPERATE)
    redemption = actions.do_redeem(_household(request, payload.household_id), [(line.goods_id, line.quantity) for line in payload.lines],
                                   acting_user=request.user, idempotency_key=_key(request, payload.idempotency_key))
    redemption.household.account.refresh_from_db()
    return Status(201, redemption)


@router.get("/participation/reconciliation", response={200: dict, **ERRORS})
def reconciliation(request, day: date, village: str | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    data = queries.reconciliation(village_for(request, village).code, day)
    data["goods"] = [{"goods_id": g["goods"].pk, "name": g["goods"].name, **{k: g[k] for k in ("purchased", "donated", "redeemed", "closing")}}
                     for g in data["goods"]]
    data["day"] = day.isoformat()
    return data


# ------------------------------------------------------------------ venues and coverage


@router.get("/participation/venues", response={200: list[VenueOut], **ERRORS})
def list_venues(request, village: str | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    return list(Venue.objects.filter(village=village_for(request, village)))


@router.post("/participation/venues", response={201: VenueOut, **ERRORS})
def create_venue(request, payload: VenueIn):
    ensure_can(request.user, Perm.VENUE_RECORD)
    return Status(201, actions.do_create_venue(village_for(request, payload.village_code), acting_user=request.user, kind=payload.kind, name=payload.name))


@router.post("/participation/venues/{venue_id}/activities", response={201: ActivityOut, **ERRORS})
def record_activity(request, venue_id: int, payload: ActivityIn):
    ensure_can(request.user, Perm.VENUE_RECORD)
    venue = get_object_or_404(Venue.objects.for_user(request.user), pk=venue_id)
    return Status(201, actions.do_record_activity(venue, acting_user=request.user, **payload.dict()))


@router.get("/participation/coverage", response={200: list[CoverageRowOut], **ERRORS})
def coverage(request, region: str | None = None):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    code = region or request.user.scope_id or "22"
    place = get_object_or_404(Region.objects.for_user(request.user), code=code)
    return queries.region_rows(place, request.user)


@router.get("/participation/regions/{code}/households/export", response={200: None, **ERRORS},
            summary="导出区划内全部农户（Excel，身份证号和手机号已脱敏，流式下载，记入审计）")
def export_region_households(request, code: str):
    ensure_can(request.user, Perm.HOUSEHOLD_VIEW)
    region = get_object_or_404(Region.objects.for_user(request.user), code=code)
    return exports.download(exports.export_households(region, acting_user=request.user))
