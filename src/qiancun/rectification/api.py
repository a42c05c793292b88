"""Problems and their fix-on-find loop through /api/v1/, on the same actions and scoped querysets as the pages."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import PageNumberPagination, paginate

from qiancun.accounts.permissions import Perm, ensure_can
from qiancun.campaigns.models import Enrollment
from qiancun.core.api_base import ERRORS
from qiancun.core.errors import DomainError, ErrorCode, PermissionDeniedError
from qiancun.core.http import private_file
from qiancun.regions.models import Region
from qiancun.standards.models import Indicator

from . import actions, queries
from .choices import ProblemStatus
from .lifecycle import Step, allowed_steps, may
from .models import FixPhoto, Problem

router = Router(tags=["问题整改"])


class ProblemOut(Schema):
    id: int
    enrollment_id: int
    campaign_year: int
    village_code: str
    village_name: str
    indicator_id: int | None
    indicator_code: str | None
    record_id: int | None
    description: str
    responsible_unit: str
    responsible_person: str
    deadline: date
    status: ProblemStatus
    status_label: str
    is_overdue: bool
    reopen_count: int
    opened_at: datetime
    fix_submitted_at: datetime | None
    closed_at: datetime | None
    days_to_close: float | None

    @staticmethod
    def resolve_campaign_year(obj) -> int:
        return obj.enrollment.campaign.year

    @staticmethod
    def resolve_village_code(obj) -> str:
        return obj.enrollment.village_id

    @staticmethod
    def resolve_village_name(obj) -> str:
        return obj.enrollment.village.name

    @staticmethod
    def resolve_indicator_code(obj) -> str | None:
        return obj.indicator.code if obj.indicator_id else None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return obj.get_status_display()


class ProblemEventOut(Schema):
    at: datetime
    step: str
    step_label: str
    from_status: str
    to_status: str
    reason: str
    actor: str | None = None
    photo_ids: list[int]

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return obj.actor.username if obj.actor_id else None

    @staticmethod
    def resolve_photo_ids(obj) -> list[int]:
        return [p.pk for p in obj.photos.all()]


class PhotoOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    width: int
    height: int
    sha256: str
    uploaded_at: datetime


class ProblemDetailOut(ProblemOut):
    fix_note: str
    allowed_steps: list[str]
    events: list[ProblemEventOut]
    photos: list[PhotoOut]

    @staticmethod
    def resolve_allowed_steps(obj) -> list[str]:
        return [str(s) for s in allowed_steps(obj.status)]

    @staticmethod
    def resolve_events(obj) -> list:
        return list(obj.events.select_related("actor").prefetch_related("photos"))

    @staticmethod
    def resolve_photos(obj) -> list:
        return list(obj.photos.all())


class ProblemFilters(Schema):
    status: ProblemStatus | None = None
    overdue: bool | None = None
    region: str | None = None
    campaign: int | None = None
    enrollment: int | None = None
    q: str | None = None


class OpenIn(Schema):
    enrollment_id: int
    description: str
    indicator_id: int | None = None
    record_id: int | None = None
    responsible_unit: str = ""
    responsible_person: str = ""
    deadline: date | None = None


class AssignIn(Schema):
    responsible_unit: str
    responsible_person: str
    deadline: date


class VerifyIn(Schema):
    accept: bool
    reason: str = ""


class ProblemOverviewCountsOut(Schema):
    total: int
    open: int
    overdue: int
    fix_submitted: int
    closed: int
    mean_days_to_close: float | None


class ProblemOverviewRowOut(ProblemOverviewCountsOut):
    region_code: str
    region_name: str


class ProblemOverviewOut(Schema):
    region_code: str
    region_name: str
    totals: ProblemOverviewCountsOut
    rows: list[ProblemOverviewRowOut]


def _problems(request):
    ensure_can(request.auth, Perm.CAMPAIGN_VIEW)
    return Problem.objects.for_user(request.auth).select_related("enrollment__village", "enrollment__campaign", "indicator")


def _problem(request, pk: int, step: Step | None = None) -> Problem:
    if step is not None and not may(request.auth, step):
        raise PermissionDeniedError()
    return get_object_or_404(_problems(request), pk=pk)


@router.get("/problems", response={200: list[ProblemOut], **ERRORS}, summary="整改问题（按管辖范围，可按状态、逾期、区划、年度筛选）")
@paginate(PageNumberPagination, page_size=100)
def list_problems(request, filters: Query[ProblemFilters]):
    params = {k: v for k, v in filters.dict().items() if v not in (None, "", False)}
    return queries.filter_problems(_problems(request), params).order_by("enrollment__village_id", "deadline", "id")


@router.post("/problems", response={201: ProblemDetailOut, **ERRORS}, summary="登记整改问题（检查员、工作人员）")
def open_problem(request, payload: OpenIn):
    if not may(request.auth, Step.OPEN):
        raise PermissionDeniedError()
    enrollment = get_object_or_404(Enrollment.objects.for_user(request.auth).select_related("campaign", "village"), pk=payload.enrollment_id)
    indicator = None
    if payload.indicator_id is not None:
        indicator = Indicator.objects.filter(pk=payload.indicator_id).first()
        if indicator is None:
            raise DomainError(ErrorCode.INVALID, "指标不存在", field="indicator_id")
    record = None
    if payload.record_id is not None:
        from qiancun.inspections.models import InspectionRecord

        record = InspectionRecord.objects.for_user(request.auth).filter(pk=payload.record_id).first()
        if record is None:
            raise DomainError(ErrorCode.INVALID, "检查记录不存在或不在您的管辖范围内", field="record_id")
    problem = actions.do_open_problem(
        acting_user=request.auth, enrollment=enrollment, description=payload.description, indicator=indicator, record=record,
        responsible_unit=payload.responsible_unit, responsible_person=payload.responsible_person, deadline=payload.deadline,
    )
    return Status(201, problem)


@router.get("/problems/{problem_id}", response={200: ProblemDetailOut, **ERRORS}, summary="整改问题详情与整改记录")
def get_problem(request, problem_id: int):
    return _problem(request, problem_id)


@router.post("/problems/{problem_id}/assign", response={200: ProblemOut, **ERRORS}, summary="指定责任单位、责任人和整改时限")
def assign(request, problem_id: int, payload: AssignIn):
    return actions.do_assign(_problem(request, problem_id, Step.ASSIGN), acting_user=request.auth, **payload.dict())


@router.post("/problems/{problem_id}/start", response={200: ProblemOut, **ERRORS}, summary="开始整改")
def start(request, problem_id: int):
    return actions.do_start_fixing(_problem(request, problem_id, Step.START), acting_user=request.auth)


@router.post("/problems/{problem_id}/submit", response={200: ProblemDetailOut, **ERRORS},
             summary="提交整改（multipart：note 与 1–9 张 photos，JPEG/PNG，每张 ≤ 10 MB）")
def submit(request, problem_id: int, note: Form[str], photos: File[list[UploadedFile]]):
    return actions.do_submit_fix(_problem(request, problem_id, Step.SUBMIT), acting_user=request.auth, note=note, photos=photos)


@router.post("/problems/{problem_id}/verify", response={200: ProblemOut, **ERRORS}, summary="核验整改：通过销号，或退回重改（须填理由）")
def verify(request, problem_id: int, payload: VerifyIn):
    problem = _problem(request, problem_id, Step.ACCEPT if payload.accept else Step.REOPEN)
    return actions.do_verify(problem, acting_user=request.auth, accept=payload.accept, reason=payload.reason)


@router.get("/problems/{problem_id}/photos/{photo_id}", response={200: None, **ERRORS}, summary="整改后照片（原图）")
def get_photo(request, problem_id: int, photo_id: int):
    item = get_object_or_404(FixPhoto, problem=_problem(request, problem_id), pk=photo_id)
    return private_file(item.image, item.content_type)


@router.get("/rectification/overview", response={200: ProblemOverviewOut, **ERRORS}, summary="整改概况：未销号、逾期、平均整改用时（按下级区划）")
def overview(request, region: str | None = None, campaign: int | None = None):
    problems = queries.filter_problems(_problems(request), {"campaign": campaign})
    place = get_object_or_404(Region.objects.for_user(request.auth), code=region) if region else request.auth.scope
    if place is None:
        place = get_object_or_404(Region, level="province")
    data = queries.overview(problems, place, request.auth)
    return {
        "region_code": place.code, "region_name": place.name, "totals": data["totals"],
        "rows": [{**{k: v for k, v in row.items() if k != "region"}, "region_code": row["region"].code, "region_name": row["region"].name}
                 for row in data["rows"]],
    }
