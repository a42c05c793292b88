"""`manage.py restore INPUT.tar.gz`: bring a `backup` back into an empty, migrated database.

Refuses a database that already holds users or regions. Rows and files are checked against the
manifest (row counts and SHA-256) before the transaction commits.
"""

import hashlib
import json
import tarfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from .backup import dump_table, table_manifest


class Command(BaseCommand):
    help = "从 backup 生成的 .tar.gz 恢复到一个已迁移的空数据库（含上传文件）"

    def add_arguments(self, parser):
        parser.add_argument("input")

    def handle(self, *args, input, **options):
        from qiancun.accounts.models import User
        from qiancun.regions.models import Region

        if User.objects.exists() or Region.objects.exists():
            raise CommandError("目标数据库不是空的（已有用户或区划数据），拒绝恢复：请在新建并迁移好的空数据库上恢复")
        media = Path(settings.MEDIA_ROOT).resolve()
        with tarfile.open(input, "r:gz") as tar:
            manifest = json.loads(tar.extractfile("manifest.json").read())
            order = json.loads(tar.extractfile("tables/order.json").read())
            with transaction.atomic():
                self._clear_reference_rows(order)
                for label in order:
                    data = tar.extractfile(f"tables/{label}.json").read()
                    for obj in serializers.deserialize("json", data):
                        obj.save()
                self._reset_sequences(order)
                for label in order:
                    model = apps.get_model(label)
                    got = table_manifest(model, dump_table(model))
                    if got != manifest["tables"][label]:
                        raise CommandError(f"表 {label} 恢复后与备份清单不符（{got} ≠ {manifest['tables'][label]}），已回滚")
            for name, expected in manifest["files"].items():
                target = (media / name).resolve()
                if not target.is_relative_to(media) or ".." in PurePosixPath(name).parts:
                    raise CommandError(f"备份中的文件名不安全：{name}")
                data = tar.extractfile(f"media/{name}").read()
                if hashlib.sha256(data).hexdigest() != expected["sha256"]:
                    raise CommandError(f"文件 {name} 的校验值与清单不符")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
        self.stdout.write(f"已恢复 {len(order)} 张表、{len(manifest['files'])} 个文件")

    def _clear_reference_rows(self, order):
        with connection.cursor() as cursor:
            for label in reversed(order):
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(apps.get_model(label)._meta.db_table)}")

    def _reset_sequences(self, order):
        models = [apps.get_model(label) for label in order]
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(self.style, models):
                cursor.execute(sql)
