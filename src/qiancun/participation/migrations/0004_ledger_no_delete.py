"""The points ledger refuses DELETE (and, on PostgreSQL, TRUNCATE) in the database too, as it already
refused UPDATE (0002): a mistake is undone by a reversing entry, never by removing one (issue #11).

Test databases are emptied by `flush`, which suspends these triggers only under the test settings
(core.append_only); the production role grants are in docs/security.md.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER participation_ledger_no_delete BEFORE DELETE ON participation_ledgerentry
       BEGIN SELECT RAISE(ABORT, '积分台账只能追加，不能删除'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS participation_ledger_no_delete"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION participation_ledger_refuse_delete() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '积分台账只能追加，不能删除'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER participation_ledger_no_delete BEFORE DELETE ON participation_ledgerentry
       FOR EACH ROW EXECUTE FUNCTION participation_ledger_refuse_delete()""",
    """CREATE TRIGGER participation_ledger_no_truncate BEFORE TRUNCATE ON participation_ledgerentry
       FOR EACH STATEMENT EXECUTE FUNCTION participation_ledger_refuse_delete()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS participation_ledger_no_delete ON participation_ledgerentry",
    "DROP TRIGGER IF EXISTS participation_ledger_no_truncate ON participation_ledgerentry",
    "DROP FUNCTION IF EXISTS participation_ledger_refuse_delete()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("participation", "0003_import_worker_and_rerun")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
