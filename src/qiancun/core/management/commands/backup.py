"""`manage.py backup OUTPUT.tar[.gz]`: the database and the uploaded files as one consistent backup,
while users go on working. See `qiancun.core.backup` for the format and docs/operations.md for the
procedure (verify, schedule, retention)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from qiancun.core.backup import BackupError, make_backup, verified


class Command(BaseCommand):
    help = ("备份数据库与上传文件到一个 .tar（或 .tar.gz）文件：SQLite 用在线备份接口，PostgreSQL 用 pg_dump，"
            "不影响用户继续使用；清单含每张表的行数与 SHA-256、每个文件的 SHA-256")

    def add_arguments(self, parser):
        parser.add_argument("output", help="备份文件路径，如 /srv/backup/qiancun-20260101-0200.tar.gz")
        parser.add_argument("--verify", action="store_true", help="写完后立即按清单校验一遍（同 verify_backup）")

    def handle(self, *args, output, verify, **options):
        output = Path(output)
        if output.exists():
            raise CommandError(f"{output} 已存在，不覆盖：请换一个文件名")
        if not output.parent.is_dir():
            raise CommandError(f"目录 {output.parent} 不存在")
        try:
            result = make_backup(output)
            if verify:
                with verified(output):
                    pass
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        manifest = result.manifest
        self.stdout.write(f"已备份 {len(manifest['tables'])} 张表（{result.rows} 行）、{len(manifest['files'])} 个文件到 {output}"
                          + ("，并已校验" if verify else ""))
