"""Backups of the database and the uploaded files, made with each database's own tools.

A backup is one tar file (gzip-compressed when its name ends in .gz):

    manifest.json        format, time, database vendor, row count and SHA-256 of every table,
                         size and SHA-256 of the database file and of every uploaded file
    database.sqlite3     SQLite: a page-for-page copy by SQLite's online backup API
    database.pgdump      PostgreSQL: `pg_dump --format=custom` of the same snapshot the checksums read
    media/<name>         every file under MEDIA_ROOT

Why not Django's serialisers: they cut timestamps to milliseconds, so a restored table never matched
its checksum; and on SQLite the long read ran inside an IMMEDIATE transaction, which held the write
lock for the whole dump: sessions could not be saved (users got 400) and the worker died with
"database is locked". SQLite's backup API reads in one read transaction, which in WAL mode blocks no
writer; pg_dump reads an exported snapshot and blocks nobody either.

A table's checksum is computed by the database over a canonical text of each row in primary-key
order (`quote()` of each column on SQLite, the row's text form under fixed settings on PostgreSQL), so
it is the same whichever connection reads it and catches any changed value, microseconds included.
"""

import contextlib
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

FORMAT = "qiancun-backup/2"
MANIFEST = "manifest.json"
DATABASE_FILES = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
CHUNK = 1 << 20


class BackupError(Exception):
    """A backup that cannot be made, verified or restored; the message (Chinese) says why."""


# ---------------------------------------------------------------------------------------------------
# Table checksums


def _sqlite_tables(cursor) -> list[str]:
    cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [row[0] for row in cursor.fetchall()]


def _sqlite_rows_sql(cursor, table: str) -> str:
    quote = connection.ops.quote_name
    cursor.execute(f"PRAGMA table_info({quote(table)})")
    columns = cursor.fetchall()  # cid, name, type, notnull, default, pk
    values = ", ".join(f"quote({quote(c[1])}) AS c{i}" for i, c in enumerate(columns))
    keys = [quote(c[1]) for c in sorted((c for c in columns if c[5]), key=lambda c: c[5])]
    order = ", ".join(keys) if keys else "rowid"
    return f"SELECT {values} FROM {quote(table)} ORDER BY {order}"


def _pg_tables(cursor) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    return [row[0] for row in cursor.fetchall()]


def _pg_rows_sql(cursor, table: str) -> str:
    quote = connection.ops.quote_name
    cursor.execute(
        "SELECT a.attname FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
        "WHERE i.indrelid = %s::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)",
        [quote(table)],
    )
    keys = [quote(row[0]) for row in cursor.fetchall()]
    order = ", ".join(f"r.{k}" for k in keys) if keys else "1"
    return f"SELECT ROW(r.*)::text FROM {quote(table)} AS r ORDER BY {order}"


def _digest_rows(cursor, sql: str) -> dict:
    digest, rows = hashlib.sha256(), 0
    cursor.execute(sql)
    while batch := cursor.fetchmany(5000):
        for row in batch:
            digest.update("\x1f".join("\\N" if v is None else str(v) for v in row).encode())
            digest.update(b"\n")
        rows += len(batch)
    return {"rows": rows, "sha256": digest.hexdigest()}


def sqlite_checksums(conn) -> dict[str, dict]:
    """Row count and SHA-256 of every table of an SQLite connection (Django's or a plain sqlite3 one)."""
    cursor = conn.cursor()
    try:
        return {table: _digest_rows(cursor, _sqlite_rows_sql(cursor, table)) for table in _sqlite_tables(cursor)}
    finally:
        cursor.close()


def pg_checksums() -> dict[str, dict]:
    """Row count and SHA-256 of every table of the current PostgreSQL transaction's snapshot."""
    with connection.cursor() as cursor:
        # The row's text form depends on these: fix them, so every session reads the same text.
        cursor.execute("SET LOCAL TimeZone = 'UTC'; SET LOCAL DateStyle = 'ISO, YMD'; SET LOCAL IntervalStyle = 'postgres';"
                       "SET LOCAL extra_float_digits = 3; SET LOCAL bytea_output = 'hex'")
        tables = _pg_tables(cursor)
        queries = {table: _pg_rows_sql(cursor, table) for table in tables}
    result = {}
    for table, sql in queries.items():
        with connection.chunked_cursor() as cursor:
            result[table] = _digest_rows(cursor, sql)
    return result


def live_checksums() -> dict[str, dict]:
    """Row count and SHA-256 of every table of the platform's database, as it is now."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return sqlite_checksums(connection.connection)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        return pg_checksums()


# ---------------------------------------------------------------------------------------------------
# Files


def file_sha(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def media_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()) if root.exists() else []


def safe_name(name: str) -> bool:
    """A member name that stays inside the folder it is extracted to."""
    path = PurePosixPath(name)
    return bool(name) and not path.is_absolute() and ".." not in path.parts and "\\" not in name and "\x00" not in name


# ---------------------------------------------------------------------------------------------------
# PostgreSQL's own tools


def pg_environment() -> dict[str, str]:
    """The connection of the platform for pg_dump/pg_restore, through libpq's variables (the password
    is not on the command line, where `ps` would show it)."""
    db = connection.settings_dict
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, name in (("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"), ("PGHOST", "HOST"), ("PGPORT", "PORT")):
        if db.get(name):
            env[key] = str(db[name])
    options = db.get("OPTIONS") or {}
    for key, name in (("PGSSLMODE", "sslmode"), ("PGSSLROOTCERT", "sslrootcert"), ("PGSSLCERT", "sslcert"),
                      ("PGSSLKEY", "sslkey")):
        if options.get(name):
            env[key] = str(options[name])
    return env


def pg_tool(name: str) -> str:
    folder = os.environ.get("QIANCUN_PG_BIN_DIR")
    path = str(Path(folder) / name) if folder else shutil.which(name)
    if not path or not Path(path).exists():
        raise BackupError(f"找不到 {name}：请安装与数据库服务器同一主版本的 PostgreSQL 客户端（如 postgresql-client-15），"
                          "或用环境变量 QIANCUN_PG_BIN_DIR 指明其所在目录")
    return path


def run_tool(args: list[str], what: str) -> None:
    done = subprocess.run(args, env=pg_environment(), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BackupError(f"{what}失败（{Path(args[0]).name} 退出码 {done.returncode}）：{done.stderr.strip()[-2000:]}")


# ---------------------------------------------------------------------------------------------------
# Backup


def _snapshot_sqlite(target: Path) -> dict[str, dict]:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): one read transaction, the copy is one moment; in WAL mode writers go on.
        connection.connection.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("数据库副本未通过 SQLite 完整性检查（PRAGMA integrity_check），备份未完成")
        return sqlite_checksums(copy)
    finally:
        copy.close()


def _snapshot_postgresql(target: Path) -> dict[str, dict]:
    pg_dump = pg_tool("pg_dump")
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
        # pg_dump reads the snapshot this transaction holds open: the dump and the checksums are one moment.
        run_tool([pg_dump, "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
                  f"--file={target}"], "pg_dump 导出数据库")
        tables = pg_checksums()
    run_tool([pg_tool("pg_restore"), "--list", str(target)], "检查导出文件（pg_restore --list）")
    return tables


@dataclass
class BackupResult:
    path: Path
    manifest: dict = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"].values())


def make_backup(output: Path) -> BackupResult:
    """Write a backup of the database and MEDIA_ROOT to `output` (written under a temporary name, then
    renamed, so a backup cut short never looks complete; readable by its owner only)."""
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise BackupError(f"不支持备份 {vendor} 数据库（仅支持 SQLite 与 PostgreSQL）")
    output = Path(output)
    partial = output.with_name(output.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="qiancun-backup-", dir=output.parent) as work:
        database = Path(work) / DATABASE_FILES[vendor]
        tables = _snapshot_sqlite(database) if vendor == "sqlite" else _snapshot_postgresql(database)
        root = Path(settings.MEDIA_ROOT)
        files = {}
        for path in media_files():
            files[path.relative_to(root).as_posix()] = {"bytes": path.stat().st_size, "sha256": file_sha(path)}
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "database": {"name": database.name, "bytes": database.stat().st_size, "sha256": file_sha(database)},
            "tables": tables,
            "files": files,
        }
        try:
            _write_archive(partial, manifest, database, root)
            os.replace(partial, output)
        finally:
            partial.unlink(missing_ok=True)
    return BackupResult(output, manifest)


class _HashingReader:
    """A file read into the tar, hashed on the way: what is written is what the manifest says."""

    def __init__(self, handle):
        self.handle, self.digest = handle, hashlib.sha256()

    def read(self, size=-1):
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk


def _write_archive(path: Path, manifest: dict, database: Path, root: Path) -> None:
    mode = "w:gz" if path.name.removesuffix(".partial").endswith((".gz", ".tgz")) else "w"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode=mode) as tar:
        data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
        info = tarfile.TarInfo(MANIFEST)
        info.size, info.mtime, info.mode = len(data), int(timezone.now().timestamp()), 0o600
        tar.addfile(info, io.BytesIO(data))
        tar.add(database, arcname=database.name)
        for name, expected in manifest["files"].items():
            source = root / name
            info = tar.gettarinfo(source, arcname=f"media/{name}")
            with source.open("rb") as handle:
                reader = _HashingReader(handle)
                if info.size != expected["bytes"]:
                    raise BackupError(f"文件 {name} 在备份过程中被修改，请重新备份")
                tar.addfile(info, reader)
                if reader.digest.hexdigest() != expected["sha256"]:
                    raise BackupError(f"文件 {name} 在备份过程中被修改，请重新备份")


# ---------------------------------------------------------------------------------------------------
# Verify


@dataclass
class Verified:
    """A backup whose every member matched its manifest; `database` is the extracted database file."""

    manifest: dict
    database: Path
    work: Path

    @property
    def rows(self) -> int:
        return sum(t["rows"] for t in self.manifest["tables"].values())


def _read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.next()  # `backup` writes the manifest first
        if member is None or member.name != MANIFEST:
            raise BackupError(f"不是本平台的备份文件：第一个成员不是 {MANIFEST}")
        manifest = json.loads(tar.extractfile(member).read())
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"备份文件不完整或已损坏：{exc}") from exc
    except (AttributeError, ValueError) as exc:
        raise BackupError(f"不是本平台的备份文件：缺少或无法读取 {MANIFEST}") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"备份格式为 {manifest.get('format') or '旧版（按表导出的 JSON）'}，"
                          f"本版本只能验证和恢复 {FORMAT} 格式的备份")
    return manifest


@contextlib.contextmanager
def verified(path: Path, *, check_tables: bool = True):
    """Open a backup, check every member against the manifest (unknown, missing, unsafe or changed
    members are refused) and, for SQLite, every table's rows and checksum in the database copy.
    Yields a `Verified` whose database file lives until the block ends. Raises BackupError."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件 {path}")
    with tempfile.TemporaryDirectory(prefix="qiancun-verify-") as work:
        work = Path(work)
        try:
            tar = tarfile.open(path, "r:*")
        except (tarfile.TarError, OSError) as exc:
            raise BackupError(f"备份文件 {path.name} 无法读取（不是完整的 tar 文件）：{exc}") from exc
        with tar:
            manifest = _read_manifest(tar)
            database_name = manifest["database"]["name"]
            expected = {database_name: manifest["database"],
                        **{f"media/{name}": entry for name, entry in manifest["files"].items()}}
            seen = set()
            try:
                for member in tar:
                    if member.name == MANIFEST:
                        continue
                    if member.name not in expected or not safe_name(member.name) or not member.isfile():
                        raise BackupError(f"备份中有清单之外或不安全的成员：{member.name}")
                    if member.name in seen:
                        raise BackupError(f"备份中的成员重复出现：{member.name}")
                    seen.add(member.name)
                    target = work / member.name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    digest, size = hashlib.sha256(), 0
                    with tar.extractfile(member) as source, target.open("wb") as out:
                        while chunk := source.read(CHUNK):
                            digest.update(chunk)
                            size += len(chunk)
                            out.write(chunk)
                    entry = expected[member.name]
                    if size != entry["bytes"] or digest.hexdigest() != entry["sha256"]:
                        raise BackupError(f"{member.name} 的大小或 SHA-256 与清单不符：备份文件已损坏或被改动")
            except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
                raise BackupError(f"备份文件 {path.name} 不完整或已损坏：{exc}") from exc
            missing = sorted(set(expected) - seen)
            if missing:
                raise BackupError(f"备份中缺少清单所列的 {len(missing)} 个成员，如：{missing[0]}")
        database = work / database_name
        if check_tables and manifest["vendor"] == "sqlite":
            copy = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
            try:
                if copy.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                    raise BackupError("备份中的数据库未通过 SQLite 完整性检查")
                _compare_tables(manifest["tables"], sqlite_checksums(copy), "备份中的数据库")
            finally:
                copy.close()
        elif check_tables:
            run_tool([pg_tool("pg_restore"), "--list", str(database)], "读取备份中的 PostgreSQL 导出文件")
        yield Verified(manifest, database, work)


def _compare_tables(expected: dict, got: dict, where: str) -> None:
    for table in sorted(set(expected) | set(got)):
        if table not in got:
            raise BackupError(f"{where}缺少表 {table}")
        if table not in expected:
            raise BackupError(f"{where}多出清单之外的表 {table}")
        if got[table] != expected[table]:
            raise BackupError(f"{where}的表 {table} 与备份清单不符：{got[table]['rows']} 行（清单 {expected[table]['rows']} 行），"
                              f"校验值{'相同' if got[table]['sha256'] == expected[table]['sha256'] else '不同'}")


# ---------------------------------------------------------------------------------------------------
# Restore


def holds_data() -> list[str]:
    """What in the platform's database and MEDIA_ROOT a restore would overwrite (empty: nothing)."""
    from django.apps import apps

    found = []
    for label, what in (("accounts.User", "用户"), ("regions.Region", "行政区划"), ("core.AuditEntry", "审计日志")):
        model = apps.get_model(label)
        if model._base_manager.exists():
            found.append(what)
    if media_files():
        found.append(f"上传文件（{settings.MEDIA_ROOT}）")
    return found


def restore_backup(path: Path, *, force: bool = False) -> Verified:
    """Restore a verified backup into the platform's database and MEDIA_ROOT, then check that every
    table's rows and checksum and every file are as the manifest says."""
    with verified(path) as backup:
        manifest = backup.manifest
        if manifest["vendor"] != connection.vendor:
            raise BackupError(f"这是 {manifest['vendor']} 数据库的备份，不能恢复到 {connection.vendor} 数据库")
        if not force:
            found = holds_data()
            if found:
                raise BackupError(f"目标不是空的（已有{'、'.join(found)}），拒绝恢复：请在新建并迁移好的空数据库上恢复，"
                                  "或确认要覆盖现有数据后加 --force")
        if manifest["vendor"] == "sqlite":
            _restore_sqlite(backup.database)
        else:
            _restore_postgresql(backup.database)
        # Cached pages are keyed by versions kept in the cache, which the restore did not move back.
        cache.clear()
        restored = live_checksums()
        # A table a newer migration created and the dump does not know stays, empty: not a difference.
        _compare_tables(manifest["tables"], {t: e for t, e in restored.items() if t in manifest["tables"] or e["rows"]},
                        "恢复后的数据库")
        _restore_media(backup)
        return backup


def _restore_sqlite(database: Path) -> None:
    connection.close()
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        # Replaces every page of the platform's database in one step, as one write transaction.
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


def _restore_postgresql(database: Path) -> None:
    connection.close()
    # --clean drops what a migrate created and the dump then recreates schema and rows as they were
    # backed up, in one transaction: any error and nothing has changed.
    run_tool([pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
              "--exit-on-error", f"--dbname={connection.settings_dict['NAME']}", str(database)], "pg_restore 恢复数据库")


def _restore_media(backup: Verified) -> None:
    root = Path(settings.MEDIA_ROOT)
    for name, entry in backup.manifest["files"].items():
        source, target = backup.work / "media" / name, root / name
        if not target.resolve().is_relative_to(root.resolve()):
            raise BackupError(f"备份中的文件名不安全：{name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".restoring")
        shutil.copyfile(source, partial)
        if file_sha(partial) != entry["sha256"]:
            partial.unlink()
            raise BackupError(f"文件 {name} 写入后校验值与清单不符（磁盘错误？），恢复未完成")
        os.replace(partial, target)
