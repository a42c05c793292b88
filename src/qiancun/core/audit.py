"""Recording the audit trail. Actions call `record_audit` inside their transaction."""

from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from .models import AuditAction, AuditEntry


@dataclass(frozen=True)
class RequestInfo:
    ip_address: str | None = None
    user_agent: str = ""


# Set by AuditContextMiddleware for the duration of a request; empty for commands and jobs.
current_request_info: ContextVar[RequestInfo] = ContextVar("current_request_info", default=RequestInfo())  # noqa: B039 (frozen, never mutated)


def _plain(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "pk"):
        return str(value.pk)
    return value


def snapshot(obj, fields: list[str]) -> dict:
    """The audited fields of `obj`, as JSON-friendly values, for a before/after comparison."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} for the fields that changed."""
    return {k: [before.get(k), after.get(k)] for k in after if before.get(k) != after.get(k)}


def record_audit(
    action: AuditAction | str,
    *,
    acting_user=None,
    obj=None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    region_code: str = "",
    changes: dict | None = None,
    username: str = "",
) -> AuditEntry:
    info = current_request_info.get()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
        region_code = region_code or getattr(obj, "audit_region_code", "")
    actor = acting_user if getattr(acting_user, "pk", None) else None
    return AuditEntry.objects.create(
        actor=actor,
        actor_username=(actor.username if actor else username)[:150],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        region_code=region_code,
        changes=changes or {},
        ip_address=info.ip_address,
        user_agent=info.user_agent[:300],
    )
