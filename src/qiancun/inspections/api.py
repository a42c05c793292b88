from datetime import date, datetime

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from qiancun.accounts.permissions import Perm, ensure_can
from qiancun.campaigns.models import Campaign, Enrollment
from qiancun.core.api_base import ERRORS

from . import actions, draws, queries
from .models import Draw, InspectionRecord, InspectionRound

router = Router(tags=["验收与督导"])


class CoverageOut(Schema):
    eligible: int
    inspected: int
    percent: float
    required: int
    met: bool


class RoundOut(Schema):
    id: int
    campaign_year: int
    kind: str
    region_code: str
    name: str
    starts_on: date
    ends_on: date
    status: str
    send_back_reason: str

    @staticmethod
    def resolve_campaign_year(obj) -> int:
        return obj.campaign.year

    @staticmethod
    def resolve_region_code(obj) -> str:
        return obj.region_id


class RoundDetailOut(RoundOut):
    coverage: CoverageOut
    targets: list[str]

    @staticmethod
    def resolve_coverage(obj) -> dict:
        return actions.coverage(obj)

    @staticmethod
    def resolve_targets(obj) -> list[str]:
        return list(actions.targets(obj).values_list("village_id", flat=True))


class RoundIn(Schema):
    campaign_year: int
    kind: str
    name: str
    starts_on: date
    ends_on: date
    task_force: str = ""
    inspector_ids: list[int] = []


class SignOffIn(Schema):
    accept: bool
    reason: str = ""


class DrawOut(Schema):
    id: int
    round_id: int
    status: str
    algorithm: str
    percent: int
    strata: dict[str, list[str]]
    eligible_sha256: str
    published_at: datetime
    source: str
    source_issue: str
    source_date: date | None
    committed_source: str
    commitment_sha256: str
    seed: str
    seed_source: str
    drawn_at: datetime | None
    result: list[str]
    record_sha256: str
    replaces_id: int | None
    redraw_number: int
    reason: str


class CommitmentIn(Schema):
    source: str
    source_issue: str
    source_date: date


class SeedIn(Schema):
    source: str
    source_issue: str
    numbers: str


class RedrawIn(CommitmentIn):
    reason: str


class ReasonIn(Schema):
    reason: str


class VerifyOut(Schema):
    ok: bool
    legacy: bool
    list_matches: bool
    result_matches: bool
    chain_ok: bool
    recomputed: list[str]
    removed: list[str]
    added: list[str]
    missing: list[str]
    extra: list[str]
    changed: list[str]
    problems: list[str]
    algorithm: str


class VerdictOut(Schema):
    indicator_id: int
    verdict: str
    note: str
    computed: bool


class RecordOut(Schema):
    id: int
    round_id: int
    village_code: str
    status: str
    passed: bool | None
    score: int | None
    summary: str
    major_problem: bool
    submitted_at: datetime | None
    verdicts: list[VerdictOut]
    photo_count: int

    @staticmethod
    def resolve_village_code(obj) -> str:
        return obj.enrollment.village_id

    @staticmethod
    def resolve_verdicts(obj) -> list:
        return list(obj.verdicts.all())

    @staticmethod
    def resolve_photo_count(obj) -> int:
        return obj.photos.count()


class VerdictIn(Schema):
    verdict: str
    note: str = ""


class SubmitIn(Schema):
    summary: str = ""
    latitude: float | None = None
    longitude: float | None = None
    major_problem: bool = False


class RevocationOut(Schema):
    id: int
    village_code: str
    record_id: int
    reason: str
    status: str
    decision_note: str

    @staticmethod
    def resolve_village_code(obj) -> str:
        return obj.enrollment.village_id


class DecideIn(Schema):
    approve: bool
    note: str = ""


class KindFiguresOut(Schema):
    kind: str
    label: str
    eligible: int
    inspected: int
    percent: float | None
    required: int
    met: bool
    submitted: int
    passed: int
    pass_percent: float | None


class ProblemCountsOut(Schema):
    open: int
    overdue: int


class DashboardFiguresOut(Schema):
    statuses: dict[str, int]
    nominated: int
    confirmed: int
    kinds: dict[str, KindFiguresOut]
    problems: ProblemCountsOut


class DashboardRowOut(DashboardFiguresOut):
    code: str
    name: str
    level: str


class DashboardOut(Schema):
    campaign_year: int
    region_code: str
    region_name: str
    region_level: str
    child_level: str | None
    totals: DashboardFiguresOut
    rows: list[DashboardRowOut]


def _round(request, round_id: int) -> InspectionRound:
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    found = InspectionRound.objects.for_user(request.auth).filter(pk=round_id).first() or InspectionRound.objects.filter(
        pk=round_id, inspectors=request.auth).first() or InspectionRound.objects.filter(
        pk=round_id, cross_assignments__inspecting_county_id=(request.auth.scope_code or "")[:6]).first()
    if found is None:
        raise Http404
    return found


def _record(request, record_id: int) -> InspectionRecord:
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    record = get_object_or_404(InspectionRecord.objects.select_related("round", "enrollment"), pk=record_id)
    if not InspectionRecord.objects.for_user(request.auth).filter(pk=record_id).exists() and not actions.may_inspect(
        request.auth, record.round, record.enrollment
    ):
        raise Http404
    return record


def _draw(request, draw_id: int) -> Draw:
    draw = get_object_or_404(Draw.objects.prefetch_related("links"), pk=draw_id)
    _round(request, draw.round_id)
    return draw


@router.get("/rounds", response={200: list[RoundOut], **ERRORS}, summary="检查轮次（按管辖范围）")
def list_rounds(request):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    return InspectionRound.objects.for_user(request.auth).select_related("campaign")


@router.post("/rounds", response={201: RoundOut, **ERRORS}, summary="新建检查（类型须属于本级）")
def create_round(request, payload: RoundIn):
    campaign = get_object_or_404(Campaign, year=payload.campaign_year)
    data = payload.dict()
    data.pop("campaign_year")
    return Status(201, actions.do_create_round(campaign, acting_user=request.auth, **data))


@router.get("/rounds/{round_id}", response={200: RoundDetailOut, **ERRORS}, summary="检查轮次详情：覆盖率与检查名单")
def get_round(request, round_id: int):
    return _round(request, round_id)


@router.post("/rounds/{round_id}/submit", response={200: RoundOut, **ERRORS}, summary="县级提交自查（须全覆盖）")
def submit_round(request, round_id: int):
    return actions.do_submit_round(_round(request, round_id), acting_user=request.auth)


@router.post("/rounds/{round_id}/sign-off", response={200: RoundOut, **ERRORS}, summary="市级审核自查：通过锁定或退回")
def sign_off(request, round_id: int, payload: SignOffIn):
    return actions.do_sign_off(_round(request, round_id), acting_user=request.auth, accept=payload.accept, reason=payload.reason)


@router.post("/rounds/{round_id}/close", response={200: RoundOut, **ERRORS}, summary="结束复验、抽查、互检或暗访并锁定结果")
def close_round(request, round_id: int):
    return actions.do_close_round(_round(request, round_id), acting_user=request.auth)


@router.post("/rounds/{round_id}/draws", response={201: DrawOut, **ERRORS},
             summary="公布候选名单并登记承诺：名单 SHA-256 与将来开奖的一期彩票（开奖日期须晚于今天）")
def publish_draw(request, round_id: int, payload: CommitmentIn):
    return Status(201, actions.do_publish_draw(_round(request, round_id), acting_user=request.auth, **payload.dict()))


@router.get("/draws/{draw_id}", response={200: DrawOut, **ERRORS}, summary="抽取记录：名单、种子、算法、结果")
def get_draw(request, draw_id: int):
    return _draw(request, draw_id)


@router.post("/draws/{draw_id}/seed", response={200: DrawOut, **ERRORS}, summary="输入承诺的那一期开奖号码并抽取（开奖日期起）")
def perform_draw(request, draw_id: int, payload: SeedIn):
    ensure_can(request.auth, Perm.DRAW_MANAGE)  # the role first: 403 for a role that may never draw, whatever the draw's state
    return actions.do_perform_draw(_draw(request, draw_id), acting_user=request.auth, **payload.dict())


@router.post("/draws/{draw_id}/redraw", response={201: DrawOut, **ERRORS}, summary="省级重抽：须说明理由并登记新的承诺，原记录及其结果保留公开")
def redraw(request, draw_id: int, payload: RedrawIn):
    ensure_can(request.auth, Perm.DRAW_MANAGE)
    return Status(201, actions.do_redraw(_draw(request, draw_id), acting_user=request.auth, **payload.dict()))


@router.get("/draws/{draw_id}/verify", response={200: VerifyOut, **ERRORS}, summary="按承诺的名单和种子复算，核对每一项和公示记录链")
def verify_draw(request, draw_id: int):
    draw = _draw(request, draw_id)
    check = draws.verify(draw)
    return {"ok": check.ok, "legacy": check.legacy, "list_matches": check.list_matches, "result_matches": check.result_matches,
            "chain_ok": check.chain_ok, "recomputed": check.recomputed, "removed": check.removed, "added": check.added,
            "missing": check.missing, "extra": check.extra, "changed": check.changed, "problems": check.problems(),
            "algorithm": draw.algorithm}


@router.post("/rounds/{round_id}/records/{enrollment_id}", response={201: RecordOut, **ERRORS}, summary="开始（或继续）检查一个村")
def start_record(request, round_id: int, enrollment_id: int):
    round = _round(request, round_id)
    enrollment = get_object_or_404(Enrollment, pk=enrollment_id, campaign=round.campaign)
    return Status(201, actions.do_start_inspection(round, enrollment, acting_user=request.auth))


@router.get("/records/{record_id}", response={200: RecordOut, **ERRORS}, summary="检查记录")
def get_record(request, record_id: int):
    return _record(request, record_id)


@router.put("/records/{record_id}/verdicts/{indicator_id}", response={200: VerdictOut, **ERRORS}, summary="保存一项指标的判定（草稿）")
def save_verdict(request, record_id: int, indicator_id: int, payload: VerdictIn):
    return actions.do_save_verdict(_record(request, record_id), indicator_id, acting_user=request.auth, verdict=payload.verdict, note=payload.note)


@router.post("/records/{record_id}/photos", response={201: dict, **ERRORS}, summary="上传取证照片（JPEG/PNG/HEIC）")
def add_photo(request, record_id: int, photo: File[UploadedFile], indicator_ids: Form[str] = ""):
    ids = [int(i) for i in indicator_ids.split(",") if i.strip().isdigit()]
    saved = actions.do_add_photo(_record(request, record_id), ids, photo, acting_user=request.auth)
    return Status(201, {"id": saved.pk, "sha256": saved.sha256, "taken_at": saved.taken_at, "latitude": saved.latitude, "longitude": saved.longitude})


@router.post("/records/{record_id}/submit", response={200: RecordOut, **ERRORS}, summary="提交检查记录")
def submit_record(request, record_id: int, payload: SubmitIn):
    return actions.do_submit_inspection(_record(request, record_id), acting_user=request.auth, **payload.dict())


@router.get("/revocations", response={200: list[RevocationOut], **ERRORS}, summary="摘牌提议与决定")
def list_revocations(request):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    return queries.revocations_for(request.auth)


@router.post("/records/{record_id}/revocation", response={201: RevocationOut, **ERRORS}, summary="依据暗访、回访记录提议摘牌")
def propose_revocation(request, record_id: int, payload: ReasonIn):
    return Status(201, actions.do_propose_revocation(_record(request, record_id), acting_user=request.auth, reason=payload.reason))


@router.post("/revocations/{revocation_id}/decide", response={200: RevocationOut, **ERRORS}, summary="省级决定是否摘牌")
def decide_revocation(request, revocation_id: int, payload: DecideIn):
    ensure_can(request.auth, Perm.REVOCATION_DECIDE)
    revocation = get_object_or_404(queries.revocations_for(request.auth), pk=revocation_id)
    return actions.do_decide_revocation(revocation, acting_user=request.auth, approve=payload.approve, note=payload.note)


@router.get("/campaigns/{year}/circular", response={200: dict, **ERRORS}, summary="通报名单：抽查未通过与摘牌，按市")
def circular(request, year: int):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    data = queries.circular(get_object_or_404(Campaign, year=year), request.auth)
    return {"failure_count": data["failure_count"], "revocation_count": data["revocation_count"],
            "cities": [{"code": code, "name": name, **rows} for code, name, rows in data["cities"]]}


@router.get("/campaigns/{year}/dashboard", response={200: DashboardOut, **ERRORS},
            summary="验收进度总览：各市（或所选区划的下级）创建村状态、三级验收覆盖率与通过率、未销号问题")
def dashboard(request, year: int, region: str | None = None):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    campaign = get_object_or_404(Campaign, year=year)
    data = queries.dashboard(campaign, queries.dashboard_region(request.auth, region), request.auth)
    return {
        "campaign_year": campaign.year, "region_code": data["region"].code, "region_name": data["region"].name,
        "region_level": data["region"].level, "child_level": data["child_level"], "totals": data["totals"],
        "rows": [{"code": row["region"].code, "name": row["region"].name, "level": row["region"].level, **row} for row in data["rows"]],
    }
