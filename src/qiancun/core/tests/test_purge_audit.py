"""Audit retention: `purge_audit` deletes only entries older than the retention (≥180 days) and records itself."""

from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from qiancun.core.audit import record_audit
from qiancun.core.models import AuditAction, AuditEntry
from qiancun.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def auditor():
    return make_user("auditor", "22").username


def entry_aged(days: int) -> AuditEntry:
    # Recorded with the clock moved back: no one can back-date a row afterwards, the database refuses
    # any UPDATE of the audit log (core/tests/test_append_only.py).
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(days=days)):
        return record_audit(AuditAction.UPDATE, username="old", object_type="test.thing", object_id=str(days))


def test_purge_refuses_anything_younger_than_180_days_with_a_clear_message(auditor):
    too_recent = (timezone.localdate() - timedelta(days=179)).isoformat()
    with pytest.raises(CommandError, match="审计日志至少保留 180 天"):
        call_command("purge_audit", before=too_recent, operator=auditor)
    with pytest.raises(CommandError, match="日期格式须为 YYYY-MM-DD"):
        call_command("purge_audit", before="2024/01/01", operator=auditor)


def test_only_the_province_audit_administrator_purges(auditor):
    old = entry_aged(400)
    before = (timezone.localdate() - timedelta(days=200)).isoformat()
    for someone in (make_user("admin", "22").username, make_user("auditor", "2201").username):
        with pytest.raises(CommandError, match="只有省级审计管理员才能清理审计日志"):
            call_command("purge_audit", before=before, operator=someone)
    with pytest.raises(CommandError, match="账号 nobody 不存在或已停用"):
        call_command("purge_audit", before=before, operator="nobody")
    assert AuditEntry.objects.filter(pk=old.pk).exists()
    call_command("purge_audit", before=before, operator=auditor, stdout=StringIO())
    assert not AuditEntry.objects.filter(pk=old.pk).exists()
    assert AuditEntry.objects.latest("id").actor_username == auditor


def test_purge_deletes_older_entries_in_batches_and_records_itself(auditor):
    old = [entry_aged(400 + i) for i in range(7)]
    kept = entry_aged(100)
    out = StringIO()
    before = (timezone.localdate() - timedelta(days=200)).isoformat()
    call_command("purge_audit", before=before, batch_size=3, operator=auditor, stdout=out)
    assert "7 条" in out.getvalue()
    assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
    assert AuditEntry.objects.filter(pk=kept.pk).exists()
    purge = AuditEntry.objects.latest("id")
    assert purge.action == "audit_purge" and purge.changes["deleted"] == [None, 7]
    assert purge.changes["before"] == [None, before]


@override_settings(QIANCUN_AUDIT_RETENTION_DAYS=365)
def test_a_longer_configured_retention_is_respected(auditor):
    entry_aged(300)
    with pytest.raises(CommandError, match="至少保留 365 天"):
        call_command("purge_audit", before=(timezone.localdate() - timedelta(days=200)).isoformat(), operator=auditor)


def test_the_retention_setting_never_goes_below_180_days(monkeypatch):
    import importlib

    from qiancun.settings import base

    monkeypatch.setenv("QIANCUN_AUDIT_RETENTION_DAYS", "30")
    assert importlib.reload(base).QIANCUN_AUDIT_RETENTION_DAYS == 180
    monkeypatch.delenv("QIANCUN_AUDIT_RETENTION_DAYS")
    importlib.reload(base)


def test_audit_rows_cannot_be_changed_or_deleted_through_the_application():
    entry = entry_aged(1)
    entry.object_repr = "changed"
    with pytest.raises(RuntimeError, match="只能追加"):
        entry.save()
    with pytest.raises(RuntimeError, match="不能删除"):
        entry.delete()


def test_no_route_writes_audit_entries_directly():
    """The only audit route is a GET list; there is no Django admin."""
    from django.conf import settings

    from qiancun.api import api

    assert "django.contrib.admin" not in settings.INSTALLED_APPS
    schema = api.get_openapi_schema()
    audit_ops = {(path, method) for path, ops in schema["paths"].items() if "audit" in path for method in ops}
    assert audit_ops == {("/api/v1/audit", "get")}
