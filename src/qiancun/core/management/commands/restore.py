"""`manage.py restore BACKUP [--force]`: bring a `backup` back. The backup is verified first (a backup
that does not match its manifest is refused before anything changes); a database that already holds
users, regions or audit entries, or a media folder with files, is refused unless --force. Afterwards
every table's rows and checksum are compared with the manifest. Stop the web and worker processes
first (docs/operations.md)."""

from django.core.management.base import BaseCommand, CommandError

from qiancun.core.backup import BackupError, restore_backup


class Command(BaseCommand):
    help = "从 backup 生成的备份恢复数据库与上传文件（先校验备份；目标非空时需 --force）"

    def add_arguments(self, parser):
        parser.add_argument("input", help="备份文件")
        parser.add_argument("--force", action="store_true", help="目标数据库已有数据时仍然恢复（覆盖现有数据）")

    def handle(self, *args, input, force, **options):
        try:
            result = restore_backup(input, force=force)
        except BackupError as exc:
            raise CommandError(f"恢复失败：{exc}") from exc
        manifest = result.manifest
        self.stdout.write(f"已恢复 {len(manifest['tables'])} 张表（{result.rows} 行）、{len(manifest['files'])} 个文件，"
                          f"行数与校验值均与备份清单一致（备份于 {manifest['created_at']}）")
