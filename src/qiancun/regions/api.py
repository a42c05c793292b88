import gzip
from datetime import datetime

from django.core.cache import cache
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic import Field as PydanticField

from qiancun.accounts.permissions import Perm, ensure_can
from qiancun.core.api_base import ERRORS

from . import actions, queries
from .cache import cached_page
from .choices import RegionLevel, VillageType
from .models import Region, RegionImport

router = Router(tags=["行政区划"])


class RegionOut(BaseModel):
    """A plain pydantic model rather than ninja.Schema: Schema wraps every input in a getter object,
    which was most of the time of a 100-row page; this reads dicts and model instances alike."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None = PydanticField(None, validation_alias="parent_id")
    village_type: str
    is_key_border: bool
    is_poverty_alleviated: bool
    longitude: float | None
    latitude: float | None


LIST_FIELDS = ["code", "name", "level", "parent_id", "village_type", "is_key_border", "is_poverty_alleviated", "longitude", "latitude"]


class RegionDetailOut(RegionOut):
    counts_beneath: dict[str, int] = Field(alias="counts")
    children: list[RegionOut] = Field(alias="children_list")


class RegionFilters(Schema):
    level: RegionLevel | None = None
    parent: str | None = None
    q: str | None = None
    page: int = Field(1, ge=1)


class VillagePatchIn(Schema):
    village_type: VillageType | None = None
    is_key_border: bool | None = None
    is_poverty_alleviated: bool | None = None
    longitude: float | None = None
    latitude: float | None = None


class RegionImportOut(Schema):
    id: int
    original_name: str
    status: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    report: dict
    rerun_of_id: int | None = None
    progress: dict | None = None


class RegionPageOut(BaseModel):
    items: list[RegionOut]
    count: int


PAGE_SIZE = 100
_PAGE = TypeAdapter(RegionPageOut)


@router.get("/regions", response={200: RegionPageOut, **ERRORS}, summary="区划列表（按层级、上级、名称或拼音筛选，每页 100 条）")
def list_regions(request, filters: Query[RegionFilters]):
    """The tree changes rarely and is read constantly: each page is cached under the tree's version
    (regions/cache.py), per scope and filters, so a page is never older than the last write."""
    page = filters.page

    def compute() -> bytes:
        regions = Region.objects.for_user(request.auth)
        if filters.level:
            regions = regions.filter(level=filters.level)
        if filters.parent:
            regions = regions.filter(parent_id=filters.parent)
        if filters.q:
            found = list(queries.search(regions, filters.q, limit=500))
            rows, count = found[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], len(found)
        else:
            # Plain rows: validating 100 dicts costs a fraction of reading 100 model instances.
            regions = regions.order_by("code")
            rows, count = list(regions.values(*LIST_FIELDS)[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]), regions.count()
        return _PAGE.dump_json(RegionPageOut(items=rows, count=count))

    body = cached_page((request.auth.scope_code, filters.level or "", filters.parent or "", filters.q or "", page), compute)
    return HttpResponse(body, content_type="application/json; charset=utf-8")


@router.get("/regions/imports/{import_id}", response={200: RegionImportOut, **ERRORS}, summary="区划导入任务的状态与进度")
def get_region_import(request, import_id: int):
    ensure_can(request.auth, Perm.REGION_IMPORT)
    job = get_object_or_404(RegionImport, pk=import_id)
    job.progress = cache.get(job.progress_key)
    return job


@router.post("/regions/imports", response={202: RegionImportOut, **ERRORS}, summary="上传区划文件，后台导入（仅省级管理员）")
def start_region_import(request, file: File[UploadedFile]):
    job = actions.do_start_region_import(file, acting_user=request.auth)
    return Status(202, job)


@router.post("/regions/imports/{import_id}/rerun", response={202: RegionImportOut, **ERRORS},
             summary="重新运行失败的区划导入（同一文件，仅省级管理员）")
def rerun_region_import(request, import_id: int):
    ensure_can(request.auth, Perm.REGION_IMPORT)
    job = actions.do_rerun_region_import(get_object_or_404(RegionImport, pk=import_id), acting_user=request.auth)
    return Status(202, job)


@router.get("/regions/villages.geojson", response={200: None, **ERRORS}, url_name="villages_geojson",
            summary="村庄位置（GeoJSON，按管辖范围；可附某年度创建状态）",
            description="有经纬度的村为 Point 要素，properties：code、name、type（rural/urban）、key_border、poverty、status"
            "（campaign 年度的创建状态，未参加为 null）；顶层 unlocated 为未标注位置的村数。")
def villages_geojson(request, campaign: int | None = None):
    from qiancun.campaigns.models import Campaign

    ensure_can(request.auth, Perm.REGION_VIEW)
    chosen = get_object_or_404(Campaign, year=campaign) if campaign is not None else None
    body = queries.village_geojson(request.auth, chosen)
    response = HttpResponse(content_type="application/geo+json")
    # 2.5 MB for the whole province, about a tenth of it compressed: worth the few milliseconds.
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        body = gzip.compress(body, compresslevel=5)
        response["Content-Encoding"] = "gzip"
    patch_vary_headers(response, ("Accept-Encoding",))
    response.content = body
    return response


@router.get("/regions/{code}", response={200: RegionDetailOut, **ERRORS}, summary="区划详情与下级")
def get_region(request, code: str):
    region = get_object_or_404(Region.objects.for_user(request.auth), code=code)
    region.children_list = list(Region.objects.for_user(request.auth).filter(parent=region).order_by("code"))
    region.counts = queries.counts_beneath(region)
    return region


@router.patch("/regions/{code}", response={200: RegionOut, **ERRORS}, summary="修改村庄信息（类型、边境村、脱贫村、位置）")
def update_village(request, code: str, payload: VillagePatchIn):
    village = get_object_or_404(Region.objects.for_user(request.auth), code=code)
    return actions.do_update_village(village, acting_user=request.auth, **payload.dict(exclude_unset=True))
