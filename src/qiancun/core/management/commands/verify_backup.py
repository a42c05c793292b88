"""`manage.py verify_backup BACKUP`: check a backup without touching the platform: every member against
the manifest (sizes and SHA-256), and for SQLite every table's rows and checksum in the database copy
(for PostgreSQL the dump's table of contents; a full check is a restore into a scratch database)."""

from django.core.management.base import BaseCommand, CommandError

from qiancun.core.backup import BackupError, verified


class Command(BaseCommand):
    help = "校验备份文件：每个成员的大小与 SHA-256 与清单一致；SQLite 备份还逐表核对行数与校验值"

    def add_arguments(self, parser):
        parser.add_argument("backup")

    def handle(self, *args, backup, **options):
        try:
            with verified(backup) as result:
                manifest = result.manifest
        except BackupError as exc:
            raise CommandError(f"备份未通过校验：{exc}") from exc
        self.stdout.write(f"备份完好：{manifest['vendor']} 数据库，{len(manifest['tables'])} 张表（{result.rows} 行），"
                          f"{len(manifest['files'])} 个文件，备份于 {manifest['created_at']}")
