"""The audit log is append-only in the database too, whoever connects (issue #11).

- UPDATE is refused, always.
- DELETE is refused for any entry younger than 180 days (the statutory minimum retention: 《网络安全法》
  第二十一条, logs kept at least six months). `manage.py purge_audit` removes older entries only, and
  records itself; the database holds the same floor even for a connection that skips the application.
- TRUNCATE is refused on PostgreSQL (a statement trigger); SQLite has no TRUNCATE.

In production the application's PostgreSQL role also lacks UPDATE, DELETE and TRUNCATE on this table and
does not own it, so it can neither drop the triggers nor the table (docs/security.md). Test databases are
emptied by `flush`, which suspends these triggers only under the test settings (core.append_only).
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER core_audit_no_update BEFORE UPDATE ON core_auditentry
       BEGIN SELECT RAISE(ABORT, '审计日志只能追加，不能修改'); END""",
    """CREATE TRIGGER core_audit_no_delete BEFORE DELETE ON core_auditentry
       WHEN OLD.created_at >= datetime('now', '-180 days')
       BEGIN SELECT RAISE(ABORT, '审计日志保存未满 180 天，不能删除'); END""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS core_audit_no_update", "DROP TRIGGER IF EXISTS core_audit_no_delete"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION core_audit_refuse_change() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' THEN
           RAISE EXCEPTION '审计日志只能追加，不能修改';
         ELSIF TG_OP = 'TRUNCATE' THEN
           RAISE EXCEPTION '审计日志不能清空';
         ELSIF OLD.created_at >= now() - interval '180 days' THEN
           RAISE EXCEPTION '审计日志保存未满 180 天，不能删除';
         END IF;
         RETURN OLD;
       END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_audit_no_update BEFORE UPDATE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_audit_refuse_change()""",
    """CREATE TRIGGER core_audit_no_delete BEFORE DELETE ON core_auditentry
       FOR EACH ROW EXECUTE FUNCTION core_audit_refuse_change()""",
    """CREATE TRIGGER core_audit_no_truncate BEFORE TRUNCATE ON core_auditentry
       FOR EACH STATEMENT EXECUTE FUNCTION core_audit_refuse_change()""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS core_audit_no_update ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_audit_no_delete ON core_auditentry",
    "DROP TRIGGER IF EXISTS core_audit_no_truncate ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_audit_refuse_change()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("core", "0004_audit_export_action")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE, "postgresql": POSTGRES}),
            _run({"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}),
        )
    ]
