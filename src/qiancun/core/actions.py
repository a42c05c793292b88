"""Platform-wide changes of state: purging the audit log past its retention (operators only)."""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .audit import record_audit
from .errors import PermissionDeniedError, ValidationFailed
from .models import AuditAction, AuditEntry


def earliest_allowed_purge_date(today: date | None = None) -> date:
    """The latest `before` date a purge may use: entries younger than the retention are always kept."""
    today = today or timezone.localdate()
    return today - timedelta(days=max(180, settings.QIANCUN_AUDIT_RETENTION_DAYS))


def do_purge_audit(*, before: date, acting_user, batch_size: int = 5000) -> int:
    """The province's audit administrator (三员分立: not the system administrator) removes audit entries
    recorded before `before` (local midnight), once they are older than the retention (at least 180
    days). Returns how many were deleted.

    AuditEntry.delete() refuses on purpose, so the application can never remove a row; this is the one
    deliberate exception and goes around it with a queryset delete, a batch per transaction so a large
    log does not hold one huge transaction. The purge itself is recorded (with the last batch, so a rerun
    after an interruption finishes the job and records it).
    """
    from qiancun.accounts.permissions import Perm, can

    if not can(acting_user, Perm.AUDIT_PURGE):
        raise PermissionDeniedError("只有省级审计管理员才能清理审计日志")
    limit = earliest_allowed_purge_date()
    if before > limit:
        raise ValidationFailed(
            f"审计日志至少保留 {max(180, settings.QIANCUN_AUDIT_RETENTION_DAYS)} 天："
            f"清理日期（--before）不能晚于 {limit:%Y-%m-%d}，收到 {before:%Y-%m-%d}",
            field="before",
        )
    if batch_size < 1:
        raise ValidationFailed("每批条数（--batch-size）须为正整数", field="batch_size")
    cutoff = timezone.make_aware(datetime.combine(before, time.min))
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                AuditEntry.objects.filter(created_at__lt=cutoff).order_by("id").values_list("id", flat=True)[:batch_size]
            )
            if ids:
                # QuerySet.delete() never calls AuditEntry.delete(): the deliberate bypass (see docstring).
                deleted += AuditEntry.objects.filter(id__in=ids).delete()[0]
            if len(ids) < batch_size:
                record_audit(
                    AuditAction.AUDIT_PURGE, acting_user=acting_user, object_type="core.auditentry",
                    object_repr=f"{before:%Y-%m-%d} 之前的审计日志",
                    changes={"before": [None, before.isoformat()], "deleted": [None, deleted],
                             "retention_days": [None, settings.QIANCUN_AUDIT_RETENTION_DAYS]},
                )
                return deleted
