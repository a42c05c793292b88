"""Append-only tables: the audit log (core_auditentry) and the points ledger (participation_ledgerentry)
refuse UPDATE and DELETE in the database itself, by triggers their migrations create (core 0005,
participation 0002 and 0004): the audit log lets only entries older than 180 days go (`purge_audit`),
the ledger nothing. Their names end in `_no_update`, `_no_delete` or `_no_truncate`.

The only code that goes around them is `suspended()`, for emptying a test database: Django empties it
between transactional tests with `flush` (DELETE on SQLite, which the triggers refuse). `manage.py flush`
uses it only when the test-only setting QIANCUN_FLUSH_APPEND_ONLY_TABLES is true (settings/test.py);
everywhere else flush meets the triggers like any other statement.
"""

from contextlib import contextmanager

from django.db import transaction

SUFFIXES = ("_no_update", "_no_delete", "_no_truncate")


def append_only_triggers(connection) -> list[tuple[str, str, str]]:
    """(trigger, table, definition) of every append-only trigger in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal ORDER BY t.tgname"
            )
        else:
            return []
        return [row for row in cursor.fetchall() if row[0].endswith(SUFFIXES)]


@contextmanager
def suspended(connection):
    """Inside one transaction: the append-only triggers are off, and on again (as they were) at the end.
    For emptying test databases only; a rollback restores them too, the DDL being transactional."""
    triggers = append_only_triggers(connection)
    quote = connection.ops.quote_name
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        for name, table, _ in triggers:
            if connection.vendor == "sqlite":
                cursor.execute(f"DROP TRIGGER {quote(name)}")
            else:
                cursor.execute(f"ALTER TABLE {quote(table)} DISABLE TRIGGER {quote(name)}")
        yield
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE waits for no deferred foreign-key check
        for name, table, definition in triggers:
            if connection.vendor == "sqlite":
                cursor.execute(definition)
            else:
                cursor.execute(f"ALTER TABLE {quote(table)} ENABLE TRIGGER {quote(name)}")
