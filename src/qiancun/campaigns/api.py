from datetime import date, datetime

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from qiancun.accounts.permissions import Perm, ensure_can
from qiancun.core.api_base import ERRORS
from qiancun.core.errors import DomainError, ErrorCode
from qiancun.regions.choices import RegionLevel
from qiancun.regions.models import Region

from . import actions, excel, queries
from .choices import EnrollmentStatus, ShortfallStatus, TagKind, Track
from .models import Campaign, Enrollment, ShortfallItem, Tag
from .views import XLSX

router = Router(tags=["年度创建"])


class CampaignOut(Schema):
    year: int
    name: str
    standard_id: int
    target_total: int
    target_key_border: int
    target_poverty: int
    recheck_percent: int
    spot_check_percent: int
    nomination_open: bool
    document: str
    starts_on: date | None
    ends_on: date | None


class CampaignIn(Schema):
    year: int
    name: str
    standard_id: int
    target_total: int
    target_key_border: int = 0
    target_poverty: int = 0
    recheck_percent: int = 50
    spot_check_percent: int = 10
    document: str = ""
    starts_on: date | None = None
    ends_on: date | None = None


class CampaignPatch(Schema):
    name: str | None = None
    standard_id: int | None = None
    target_total: int | None = None
    target_key_border: int | None = None
    target_poverty: int | None = None
    recheck_percent: int | None = None
    spot_check_percent: int | None = None
    nomination_open: bool | None = None
    document: str | None = None
    starts_on: date | None = None
    ends_on: date | None = None


class CountsOut(Schema):
    nominated: int
    confirmed: int
    accepted: int
    consolidate: int
    create: int
    upgrade: int
    key_border: int
    poverty: int
    pending_review: int
    pending_confirm: int


class QuotaOut(Schema):
    region_code: str = Field(alias="region_id")
    total: int
    key_border: int
    poverty: int


class OverviewRowOut(CountsOut):
    region_code: str
    region_name: str
    quota: QuotaOut | None


class OverviewOut(Schema):
    region_code: str
    region_name: str
    target: dict[str, int] = Field(description="全省目标（下限）：示范村、重点边境村、脱贫村")
    allocated: dict[str, int] | None = Field(description="本区划的名额：省级为已分配各市名额之和，市、县为上级分配的名额（上限）")
    short_of_target: dict[str, int] | None = Field(description="省级：已分配名额距目标还差多少（0 为已达到）；市、县为 null")
    totals: CountsOut
    rows: list[OverviewRowOut]


class QuotaIn(Schema):
    total: int
    key_border: int = 0
    poverty: int = 0


class TagOut(Schema):
    id: int
    kind: TagKind
    name: str
    department_code: str | None = None
    is_active: bool

    @staticmethod
    def resolve_department_code(obj) -> str | None:
        return obj.department.code if obj.department_id else None


class TagIn(Schema):
    kind: TagKind
    name: str
    department_code: str | None = None


class EnrollmentOut(Schema):
    id: int
    campaign_year: int
    village_code: str = Field(alias="village_id")
    village_name: str
    track: Track
    status: EnrollmentStatus
    status_label: str
    is_key_border: bool
    is_poverty_alleviated: bool
    tags: list[str]
    note: str
    updated_at: datetime

    @staticmethod
    def resolve_campaign_year(obj) -> int:
        return obj.campaign.year

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.village.name

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_is_key_border(obj) -> bool:
        return obj.village.is_key_border

    @staticmethod
    def resolve_is_poverty_alleviated(obj) -> bool:
        return obj.village.is_poverty_alleviated

    @staticmethod
    def resolve_tags(obj) -> list[str]:
        return [t.name for t in obj.tags.all()]


class EventOut(Schema):
    at: datetime
    step: str
    from_status: str
    to_status: str
    reason: str
    actor: str | None = None

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None


class ShortfallOut(Schema):
    id: int
    indicator_id: int | None
    gap: str
    action_plan: str
    responsible_person: str
    due_date: date
    status: ShortfallStatus
    closed_at: datetime | None


class EnrollmentDetailOut(EnrollmentOut):
    events: list[EventOut]
    shortfalls: list[ShortfallOut]
    progress_percent: int | None

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.select_related("actor"))

    @staticmethod
    def resolve_shortfalls(obj) -> list:
        return list(obj.shortfalls.all())

    @staticmethod
    def resolve_progress_percent(obj) -> int | None:
        return queries.shortfall_progress(obj)["percent"]


class NominateIn(Schema):
    village_code: str
    track: Track = Track.CREATE
    tag_ids: list[int] = []
    note: str = ""


class ReviewIn(Schema):
    approve: bool
    reason: str = ""


class ConfirmIn(Schema):
    confirm: bool = True
    reason: str = ""


class ResubmitIn(Schema):
    track: Track | None = None
    note: str | None = None


class TagsIn(Schema):
    tag_ids: list[int]


class ShortfallIn(Schema):
    indicator_id: int | None = None
    gap: str
    action_plan: str
    responsible_person: str
    due_date: date


class ShortfallPatch(Schema):
    indicator_id: int | None = None
    gap: str | None = None
    action_plan: str | None = None
    responsible_person: str | None = None
    due_date: date | None = None
    status: ShortfallStatus | None = None


class EnrollmentFilters(Schema):
    status: EnrollmentStatus | None = None
    track: Track | None = None
    tag: int | None = None
    region: str | None = None
    key_border: bool | None = None
    poverty: bool | None = None
    q: str | None = None


class RowErrorOut(Schema):
    row: int
    column: str
    reason: str


class NominationImportOut(Schema):
    ok: bool
    created: int
    errors: list[RowErrorOut]


def _campaign(year: int) -> Campaign:
    return get_object_or_404(Campaign, year=year)


def _enrollment(request, pk: int) -> Enrollment:
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    return get_object_or_404(Enrollment.objects.for_user(request.auth).select_related("village", "campaign"), pk=pk)


@router.get("/campaigns", response={200: list[CampaignOut], **ERRORS}, summary="年度创建列表")
def list_campaigns(request):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    return Campaign.objects.all()


@router.post("/campaigns", response={201: CampaignOut, **ERRORS}, summary="新建年度创建（省级管理员）")
def create_campaign(request, payload: CampaignIn):
    return Status(201, actions.do_create_campaign(acting_user=request.auth, **payload.dict()))


@router.get("/campaigns/{year}", response={200: CampaignOut, **ERRORS}, summary="年度创建详情")
def get_campaign(request, year: int):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    return _campaign(year)


@router.patch("/campaigns/{year}", response={200: CampaignOut, **ERRORS}, summary="修改目标（下限）、日期、比例、标准或提名开关（省级管理员）")
def update_campaign(request, year: int, payload: CampaignPatch):
    return actions.do_update_campaign(_campaign(year), acting_user=request.auth, **payload.dict(exclude_unset=True))


@router.get("/campaigns/{year}/overview", response={200: OverviewOut, **ERRORS}, summary="目标/名额与提名进度（按下级区划）")
def campaign_overview(request, year: int, region: str | None = None):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    campaign = _campaign(year)
    place = get_object_or_404(Region.objects.for_user(request.auth), code=region) if region else request.auth.scope
    data = queries.overview(campaign, place, request.auth)
    return {
        "region_code": place.code, "region_name": place.name, "target": data["target"], "allocated": data["allocated"],
        "short_of_target": data["short_of_target"], "totals": data["totals"],
        "rows": [
            {**{k: row[k] for k in queries.COUNTS}, "region_code": row["region"].code, "region_name": row["region"].name, "quota": row["quota"]}
            for row in data["rows"]
        ],
    }


@router.get("/campaigns/{year}/quotas", response={200: list[QuotaOut], **ERRORS}, summary="名额（按管辖范围）")
def list_quotas(request, year: int):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    from .models import Quota

    return Quota.objects.for_user(request.auth).filter(campaign=_campaign(year))


@router.put("/campaigns/{year}/quotas/{region_code}", response={200: QuotaOut, **ERRORS}, summary="分配名额（省→市，市→县）")
def set_quota(request, year: int, region_code: str, payload: QuotaIn):
    ensure_can(request.auth, Perm.QUOTA_ALLOCATE)
    region = get_object_or_404(Region.objects.for_user(request.auth), code=region_code)
    return actions.do_set_quota(_campaign(year), region, acting_user=request.auth, **payload.dict())


@router.get("/campaigns/{year}/enrollments", response={200: list[EnrollmentOut], **ERRORS}, summary="创建村名单（按管辖范围，可筛选）")
@paginate(PageNumberPagination, page_size=100)
def list_enrollments(request, year: int, filters: Query[EnrollmentFilters]):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    enrollments = Enrollment.objects.for_user(request.auth).filter(campaign=_campaign(year)).select_related("village", "campaign").prefetch_related("tags")
    params = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    return queries.filter_enrollments(enrollments, params).order_by("village_id")


@router.post("/campaigns/{year}/enrollments", response={201: EnrollmentOut, **ERRORS}, summary="县级提名一个村")
def nominate(request, year: int, payload: NominateIn):
    village = Region.objects.filter(code=payload.village_code, level=RegionLevel.VILLAGE).first()
    if village is None:
        raise DomainError(ErrorCode.INVALID, f"区划代码“{payload.village_code}”不是村", field="village_code")
    enrollment = actions.do_nominate(
        _campaign(year), village, acting_user=request.auth, track=payload.track, tag_ids=payload.tag_ids, note=payload.note
    )
    return Status(201, enrollment)


@router.post("/campaigns/{year}/enrollments/import", response={200: NominationImportOut, 422: NominationImportOut, **ERRORS},
             summary="Excel 批量提名（全部通过才导入；有错误行时 422 并逐行列出）")
def import_nominations(request, year: int, file: File[UploadedFile]):
    result = actions.do_import_nominations(_campaign(year), file, acting_user=request.auth)
    body = {"ok": result.ok, "created": len(result.created), "errors": result.errors}
    return Status(200 if result.ok else 422, body)


@router.get("/campaigns/{year}/enrollments/export", response={200: None, **ERRORS}, summary="导出创建村名单（Excel）")
def export_enrollments(request, year: int, filters: Query[EnrollmentFilters]):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    campaign = _campaign(year)
    params = {k: v for k, v in filters.dict().items() if v not in (None, "")}
    enrollments = queries.filter_enrollments(Enrollment.objects.for_user(request.auth).filter(campaign=campaign), params)
    response = HttpResponse(excel.export_enrollments(campaign, enrollments), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{year}-enrollments.xlsx"
    return response


@router.get("/enrollments/{enrollment_id}", response={200: EnrollmentDetailOut, **ERRORS}, summary="创建村详情、时间线与短板弱项")
def get_enrollment(request, enrollment_id: int):
    return _enrollment(request, enrollment_id)


@router.post("/enrollments/{enrollment_id}/review", response={200: EnrollmentOut, **ERRORS}, summary="市级审核：通过或退回")
def review(request, enrollment_id: int, payload: ReviewIn):
    return actions.do_review(_enrollment(request, enrollment_id), acting_user=request.auth, approve=payload.approve, reason=payload.reason)


@router.post("/enrollments/{enrollment_id}/confirm", response={200: EnrollmentOut, **ERRORS}, summary="省级确认或退回")
def confirm(request, enrollment_id: int, payload: ConfirmIn):
    return actions.do_confirm(_enrollment(request, enrollment_id), acting_user=request.auth, confirm=payload.confirm, reason=payload.reason)


@router.post("/enrollments/{enrollment_id}/resubmit", response={200: EnrollmentOut, **ERRORS}, summary="县级重新提名被退回的村")
def resubmit(request, enrollment_id: int, payload: ResubmitIn):
    return actions.do_resubmit(_enrollment(request, enrollment_id), acting_user=request.auth, **payload.dict(exclude_unset=True))


@router.put("/enrollments/{enrollment_id}/tags", response={200: EnrollmentOut, **ERRORS}, summary="设置标签（部门用户只能增减本部门主题）")
def set_tags(request, enrollment_id: int, payload: TagsIn):
    return actions.do_set_tags(_enrollment(request, enrollment_id), acting_user=request.auth, tag_ids=payload.tag_ids)


@router.post("/enrollments/{enrollment_id}/shortfalls", response={201: ShortfallOut, **ERRORS}, summary="添加短板弱项")
def add_shortfall(request, enrollment_id: int, payload: ShortfallIn):
    return Status(201, actions.do_add_shortfall(_enrollment(request, enrollment_id), acting_user=request.auth, **payload.dict()))


@router.patch("/shortfalls/{shortfall_id}", response={200: ShortfallOut, **ERRORS}, summary="修改短板弱项或其状态")
def update_shortfall(request, shortfall_id: int, payload: ShortfallPatch):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    item = get_object_or_404(ShortfallItem.objects.for_user(request.auth).select_related("enrollment__campaign"), pk=shortfall_id)
    return actions.do_update_shortfall(item, acting_user=request.auth, **payload.dict(exclude_unset=True))


@router.get("/tags", response={200: list[TagOut], **ERRORS}, summary="标签：村庄分类、示范创建+主题、试点、产业")
def list_tags(request):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    return Tag.objects.select_related("department")


@router.post("/tags", response={201: TagOut, **ERRORS}, summary="添加标签（省级管理员）")
def create_tag(request, payload: TagIn):
    return Status(201, actions.do_create_tag(acting_user=request.auth, **payload.dict()))
