from datetime import date, datetime

from django.db import DatabaseError, connection
from ninja import Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from qiancun.accounts.permissions import Perm, ensure_can

from .api_base import ERRORS
from .models import AuditEntry
from .views import filter_audit

router = Router(tags=["审计日志"])


class AuditEntryOut(Schema):
    id: int
    created_at: datetime
    actor_username: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    region_code: str
    changes: dict
    ip_address: str | None


class AuditFilters(Schema):
    user: str | None = None
    object_type: str | None = None
    object_id: str | None = None
    action: str | None = None
    since: date | None = None
    until: date | None = None


@router.get("/audit", response={200: list[AuditEntryOut], **ERRORS}, summary="审计日志（按管辖范围）")
@paginate(PageNumberPagination, page_size=50)
def list_audit(request, filters: Query[AuditFilters]):
    ensure_can(request.auth, Perm.AUDIT_VIEW)
    params = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in filters.dict().items() if v}
    return filter_audit(AuditEntry.objects.for_user(request.auth), params)


class HealthOut(Schema):
    status: str


@router.get("/health", auth=None, response={200: HealthOut, 503: HealthOut}, summary="健康检查（无需登录，不含任何数据）",
            tags=["运行状态"])
def health(request):
    """For load balancers, monitoring and the load test's baseline: the application answers and its
    database answers one trivial query. It reveals nothing, so it needs no login."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return Status(503, {"status": "unavailable"})
    return {"status": "ok"}
