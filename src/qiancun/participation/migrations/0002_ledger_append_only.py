"""The points ledger is append-only in the database too: UPDATE on it is refused by a trigger.

(DELETE is left to the application, which refuses it, and to PROTECT foreign keys: test databases
are emptied with DELETE on SQLite.)
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER participation_ledger_no_update BEFORE UPDATE ON participation_ledgerentry
       BEGIN SELECT RAISE(ABORT, '积分台账只能追加，不能修改'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS participation_ledger_no_update"]
POSTGRES = [
    """CREATE OR REPLACE FUNCTION participation_ledger_refuse_update() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '积分台账只能追加，不能修改'; END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER participation_ledger_no_update BEFORE UPDATE ON participation_ledgerentry
       FOR EACH ROW EXECUTE FUNCTION participation_ledger_refuse_update()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS participation_ledger_no_update ON participation_ledgerentry",
    "DROP FUNCTION IF EXISTS participation_ledger_refuse_update()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("participation", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
