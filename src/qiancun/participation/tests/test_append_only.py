"""The points ledger is append-only in the database itself (issue #11): raw SQL can neither change nor
remove an entry; test databases are still emptied between transactional tests. SQLite and PostgreSQL."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from qiancun.core import append_only
from qiancun.participation.models import LedgerEntry

from .factories import give_points, household


def refused(sql: str, params, message: str):
    with pytest.raises(DatabaseError, match=message), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_the_database_refuses_to_change_or_delete_ledger_entries():
    entry = give_points(household(), 10)
    refused("DELETE FROM participation_ledgerentry WHERE id = %s", [entry.pk], "积分台账只能追加，不能删除")
    refused("UPDATE participation_ledgerentry SET points = 1 WHERE id = %s", [entry.pk], "积分台账只能追加，不能修改")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # checks the test's deferred foreign keys now, else TRUNCATE waits on them
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        refused("TRUNCATE participation_ledgerentry CASCADE", None, "积分台账只能追加，不能删除")
    assert LedgerEntry.objects.get(pk=entry.pk).points == 10


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_ledger_of_a_test_database_only(jilin):
    entry = give_points(household(), 10)
    before = append_only.append_only_triggers(connection)
    with override_settings(QIANCUN_FLUSH_APPEND_ONLY_TABLES=False), pytest.raises(CommandError):
        call_command("flush", interactive=False, verbosity=0)
    assert LedgerEntry.objects.filter(pk=entry.pk).exists()
    call_command("flush", interactive=False, verbosity=0)
    assert not LedgerEntry.objects.exists()
    assert append_only.append_only_triggers(connection) == before  # on again after the flush
