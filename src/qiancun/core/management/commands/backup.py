"""`manage.py backup OUTPUT.tar.gz`: a consistent snapshot of every table and the uploaded files.

Rows are read with Django's serializers inside one transaction (REPEATABLE READ on PostgreSQL, one
read transaction on SQLite), so the snapshot is one moment; the manifest holds row counts and SHA-256
per table and per file, and `restore` checks them.
"""

import hashlib
import io
import json
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand
from django.db import connection, transaction


def table_models():
    """Every concrete model in dependency order (as dumpdata sorts them)."""
    from django.core.serializers import sort_dependencies

    app_list = {app: None for app in apps.get_app_configs()}
    return [m for m in sort_dependencies(app_list.items(), allow_cycles=True) if m._meta.managed and not m._meta.proxy]


def dump_table(model) -> bytes:
    rows = model._base_manager.order_by("pk")
    return serializers.serialize("json", rows, indent=None).encode()


def table_manifest(model, data: bytes) -> dict:
    return {"rows": model._base_manager.count(), "sha256": hashlib.sha256(data).hexdigest()}


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def snapshot() -> tuple[dict[str, bytes], dict]:
    tables, manifest = {}, {"tables": {}, "files": {}}
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        for model in table_models():
            label = model._meta.label_lower
            data = dump_table(model)
            tables[label] = data
            manifest["tables"][label] = table_manifest(model, data)
    root = Path(settings.MEDIA_ROOT)
    for path in media_files():
        manifest["files"][str(path.relative_to(root))] = {"bytes": path.stat().st_size, "sha256": file_sha(path)}
    return tables, manifest


def _add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


class Command(BaseCommand):
    help = "备份数据库与上传文件到一个 .tar.gz（含每张表、每个文件的行数与 SHA-256 清单）"

    def add_arguments(self, parser):
        parser.add_argument("output")

    def handle(self, *args, output, **options):
        tables, manifest = snapshot()
        root = Path(settings.MEDIA_ROOT)
        with tarfile.open(output, "w:gz") as tar:
            _add(tar, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1).encode())
            order = list(tables)
            _add(tar, "tables/order.json", json.dumps(order).encode())
            for label, data in tables.items():
                _add(tar, f"tables/{label}.json", data)
            for name in manifest["files"]:
                tar.add(root / name, arcname=f"media/{name}")
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(f"已备份 {len(tables)} 张表（{rows} 行）、{len(manifest['files'])} 个文件到 {output}")
