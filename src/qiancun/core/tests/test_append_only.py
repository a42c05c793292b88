"""The audit log is append-only in the database itself (issue #11): a connection that skips the
application (raw SQL, another client) can neither change nor remove an entry, except entries older than
180 days (`purge_audit`). Runs on SQLite and on PostgreSQL; the ledger's: participation/tests."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.utils import timezone

from qiancun.core import append_only
from qiancun.core.audit import record_audit
from qiancun.core.models import AuditAction, AuditEntry


def audit_entry(days_old: int = 0) -> AuditEntry:
    """An entry recorded `days_old` days ago (the clock moved back, the row inserted as usual)."""
    with mock.patch("django.utils.timezone.now", return_value=timezone.now() - timedelta(days=days_old)):
        return record_audit(AuditAction.UPDATE, username="tester", object_type="test.thing", object_id=str(days_old))


def refused(sql: str, params, message: str):
    with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_the_database_refuses_to_change_any_audit_entry():
    entry = audit_entry(400)
    refused("UPDATE core_auditentry SET object_repr = 'changed' WHERE id = %s", [entry.pk], "审计日志只能追加，不能修改")
    refused("UPDATE core_auditentry SET created_at = created_at WHERE id = %s", [entry.pk], "审计日志只能追加，不能修改")
    entry.refresh_from_db()
    assert entry.object_repr == ""


@pytest.mark.django_db
def test_the_database_refuses_to_delete_audit_entries_younger_than_180_days_but_lets_older_ones_go():
    recent, almost, old = audit_entry(0), audit_entry(179), audit_entry(181)
    refused("DELETE FROM core_auditentry WHERE id = %s", [recent.pk], "审计日志保存未满 180 天，不能删除")
    refused("DELETE FROM core_auditentry WHERE id IN (%s, %s)", [almost.pk, old.pk], "审计日志保存未满 180 天，不能删除")
    assert AuditEntry.objects.filter(pk__in=[recent.pk, almost.pk, old.pk]).count() == 3  # all or nothing
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditentry WHERE id = %s", [old.pk])
    assert list(AuditEntry.objects.filter(pk__in=[recent.pk, almost.pk, old.pk]).values_list("pk", flat=True)) == [recent.pk, almost.pk]


@pytest.mark.django_db
def test_every_append_only_trigger_is_in_place():
    names = {name for name, _, _ in append_only.append_only_triggers(connection)}
    expected = {"core_audit_no_update", "core_audit_no_delete", "participation_ledger_no_update", "participation_ledger_no_delete"}
    if connection.vendor == "postgresql":
        expected |= {"core_audit_no_truncate", "participation_ledger_no_truncate"}
    assert names == expected


@pytest.mark.django_db(transaction=True)
def test_flush_empties_test_databases_and_leaves_the_triggers_on(jilin):
    audit_entry(0)
    before = append_only.append_only_triggers(connection)
    with override_settings(QIANCUN_FLUSH_APPEND_ONLY_TABLES=False), pytest.raises(CommandError):
        call_command("flush", interactive=False, verbosity=0)  # outside the test settings the triggers hold
    assert AuditEntry.objects.count() == 1

    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEntry.objects.exists()
    assert append_only.append_only_triggers(connection) == before
    entry = audit_entry(0)
    refused("DELETE FROM core_auditentry WHERE id = %s", [entry.pk], "审计日志保存未满 180 天，不能删除")
