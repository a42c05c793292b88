"""Loading a division file (`code,name,level,parent_code`, UTF-8 CSV, optionally gzipped).

All or nothing: every line is checked first; if any is bad the report names each bad line
with its reason and nothing is written. Re-running the same file changes nothing.
"""

import csv
import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils import timezone

from qiancun.core.bulk import insert_rows
from qiancun.core.tabular import max_uncompressed

from .cache import tree_changed
from .choices import CODE_LENGTH, LEVEL_ORDER, PARENT_LEVEL, RegionLevel, VillageType
from .models import Region
from .pinyin import pinyin_many

REQUIRED_COLUMNS = ("code", "name", "level", "parent_code")
MAX_REPORTED_ERRORS = 1000
BATCH_SIZE = 5000
INSERT_FIELDS = [
    "code", "name", "level", "parent", "name_pinyin", "name_initials", "village_type",
    "is_key_border", "is_poverty_alleviated", "longitude", "latitude", "updated_at",
]

Progress = Callable[[str, int, int], None]


@dataclass
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"第 {self.line} 行：{self.reason}"


@dataclass
class ImportReport:
    total: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    error_count: int = 0

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        if not self.ok:
            return f"文件有 {self.error_count} 处错误，未导入任何数据"
        return f"共 {self.total} 行：新增 {self.added}，更新 {self.updated}，未变 {self.unchanged}"

    def as_dict(self) -> dict:
        return {
            "total": self.total,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "error_count": self.error_count,
            "errors": [{"line": e.line, "reason": e.reason} for e in self.errors],
            "summary": self.summary(),
        }


class RegionFileError(Exception):
    def __init__(self, report: ImportReport):
        super().__init__(report.summary())
        self.report = report


def derive_village_type(code: str, name: str) -> str:
    """Rural village or urban community, from the name's ending, else the NBS code band.

    Digits 10–12 of a village-level code: 001–199 residents' committees, 200–399 villagers'
    committees, 400–499 units like residents' committees, 500–599 units like villagers' ones.
    """
    if name.endswith(("村委会", "村民委员会", "村")):
        return VillageType.RURAL
    if name.endswith(("社区", "居委会", "社区居委会", "居民委员会")):
        return VillageType.URBAN
    band = int(code[9:12]) // 100 if code[9:12].isdigit() else 2
    return VillageType.URBAN if band in (0, 1, 4) else VillageType.RURAL


class UnpackedTooLarge(Exception):
    """A gzipped file unpacks to more than `QIANCUN_IMPORT_MAX_UNCOMPRESSED` (a 2 MB upload can hold 2 GB)."""


class _CountedGzip(io.RawIOBase):
    """The unpacked bytes of a gzip stream, counted as they come: past `limit`, UnpackedTooLarge."""

    def __init__(self, raw, limit: int):
        self.gzip = gzip.GzipFile(fileobj=raw)
        self.limit = limit
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self.gzip.readinto(buffer)
        self.count += n
        if self.count > self.limit:
            raise UnpackedTooLarge
        return n

    def close(self) -> None:
        self.gzip.close()
        super().close()


def open_text(source) -> io.TextIOBase:
    """A text reader over a path or a binary file object, gunzipping when the content is gzip (no more
    than `QIANCUN_IMPORT_MAX_UNCOMPRESSED` unpacked, counted while reading)."""
    raw = source if hasattr(source, "read") else Path(source).open("rb")
    magic = raw.read(2)
    raw.seek(0)
    if magic == b"\x1f\x8b":
        raw = io.BufferedReader(_CountedGzip(raw, max_uncompressed()))
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


class _Errors:
    def __init__(self, report: ImportReport):
        self.report = report

    def add(self, line: int, reason: str) -> None:
        self.report.error_count += 1
        if len(self.report.errors) < MAX_REPORTED_ERRORS:
            self.report.errors.append(LineError(line, reason))


def read_and_validate(path, progress: Progress | None = None) -> tuple[dict[str, tuple], ImportReport]:
    """Parse the file and check every line. Returns {code: (name, level, parent_code, line)}."""
    report = ImportReport()
    errors = _Errors(report)
    rows: dict[str, tuple] = {}
    reader = None
    try:
        with open_text(path) as handle:
            reader = csv.reader(handle)
            header = [h.strip() for h in next(reader, [])]
            missing = [c for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                errors.add(1, f"表头缺少列：{'、'.join(missing)}（应为 code,name,level,parent_code）")
                return rows, report
            idx = [header.index(c) for c in REQUIRED_COLUMNS]
            width = max(idx) + 1
            for line_no, record in enumerate(reader, start=2):
                if not record or not any(cell.strip() for cell in record):
                    continue
                report.total += 1
                if progress and report.total % 20000 == 0:
                    progress("validate", report.total, 0)
                if len(record) < width:
                    errors.add(line_no, f"列数不足：应有 {len(header)} 列，实有 {len(record)} 列")
                    continue
                code, name, level, parent = (record[i].strip() for i in idx)
                reason = _check_row(code, name, level, parent)
                if reason:
                    errors.add(line_no, reason)
                    continue
                if code in rows:
                    errors.add(line_no, f"区划代码 {code} 重复（第 {rows[code][3]} 行已出现）")
                    continue
                rows[code] = (name, level, parent or None, line_no)
    except UnicodeDecodeError as exc:
        errors.add(report.total + 2, f"文件不是 UTF-8 编码（{exc.reason}），请另存为 UTF-8 CSV")
        return rows, report
    except UnpackedTooLarge:
        errors.add(0, f"文件解压后超过导入上限 {max_uncompressed() // (1024 * 1024)} MB（文件可能含大量无关内容或已损坏），"
                      "未导入任何区划；请检查文件后重新上传")
        return rows, report
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        errors.add(0, f"无法读取文件：{exc}")
        return rows, report
    except csv.Error as exc:
        line = reader.line_num if reader is not None else report.total + 2
        if "field larger than field limit" in str(exc):
            errors.add(line, f"这一行有一项超过 {csv.field_size_limit()} 个字符，不是区划文件的内容（文件可能已损坏）")
        else:
            errors.add(line, "CSV 格式错误：这一行的引号或分隔符不正确，请另存为 UTF-8 CSV 后重新上传")
        return rows, report

    # Parents: in the file, or already in the database, and one level up.
    missing_parents = {p for (_, _, p, _) in rows.values() if p and p not in rows}
    known = dict(Region.objects.filter(code__in=missing_parents).values_list("code", "level")) if missing_parents else {}
    for code, (name, level, parent, line_no) in rows.items():
        if not parent:
            continue
        parent_level = rows[parent][1] if parent in rows else known.get(parent)
        if parent_level is None:
            errors.add(line_no, f"上级代码 {parent} 不存在（区划 {code} {name}）")
        elif parent_level != PARENT_LEVEL[level]:
            errors.add(line_no, f"上级 {parent} 的层级为 {parent_level}，应为 {PARENT_LEVEL[level]}")
    report.errors.sort(key=lambda e: e.line)
    return rows, report


def _check_row(code: str, name: str, level: str, parent: str) -> str | None:
    if level not in RegionLevel.values:
        return f"层级“{level}”无效，应为 {', '.join(RegionLevel.values)} 之一"
    if not code.isdigit():
        return f"区划代码“{code}”只能包含数字"
    expected = CODE_LENGTH[RegionLevel(level)]
    if len(code) != expected:
        return f"区划代码 {code} 长度为 {len(code)} 位，{RegionLevel(level).label}级应为 {expected} 位"
    if not name:
        return f"区划 {code} 缺少名称"
    if len(name) > 100:
        return f"区划 {code} 名称过长（{len(name)} 字，最多 100 字）"
    if level == RegionLevel.PROVINCE:
        return f"省级区划 {code} 不应有上级代码" if parent else None
    if not parent:
        return f"区划 {code} 缺少上级代码"
    if len(parent) != CODE_LENGTH[PARENT_LEVEL[RegionLevel(level)]] or not code.startswith(parent):
        return f"上级代码 {parent} 与区划代码 {code} 不对应（下级代码应以上级代码开头）"
    return None


def _existing(codes: list[str]) -> dict[str, tuple]:
    query = Region.objects.values_list("code", "name", "level", "parent_id")
    if len(codes) < BATCH_SIZE:  # a small file: look up just its codes
        query = query.filter(code__in=codes)
    return {code: (name, level, parent) for code, name, level, parent in query.iterator(chunk_size=20000)}


def apply_rows(rows: dict[str, tuple], report: ImportReport, progress: Progress | None = None,
               on_written: Callable[[ImportReport], None] | None = None) -> ImportReport:
    """Write validated rows in one transaction: insert new, update changed, leave the rest.

    `on_written(report)` runs inside that transaction (the audit entry, the job's outcome), so a crash
    at any moment leaves either all of it or none: never part of a file.
    """
    existing = _existing(list(rows))
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    new_rows: list[tuple] = []
    changed: list[Region] = []
    for code, (name, level, parent, _line) in rows.items():
        current = existing.get(code)
        if current == (name, level, parent):
            report.unchanged += 1
        elif current is None:
            new_rows.append((code, name, level, parent))
        else:
            changed.append(Region(code=code, name=name, level=level, parent_id=parent))
    names = pinyin_many([r[1] for r in new_rows] + [r.name for r in changed])
    if progress:
        progress("write", 0, len(new_rows) + len(changed))
    # Parents before children, so foreign keys hold at every insert.
    new_rows.sort(key=lambda r: (LEVEL_ORDER.index(r[2]), r[0]))
    to_add = [
        (code, name, level, parent, *names[name], derive_village_type(code, name) if level == RegionLevel.VILLAGE else "",
         False, False, None, None, stamp)
        for code, name, level, parent in new_rows
    ]
    for region in changed:
        region.name_pinyin, region.name_initials = names[region.name]
        region.updated_at = now
    with transaction.atomic():
        step = BATCH_SIZE * 10
        for start in range(0, len(to_add), step):
            batch = to_add[start : start + step]
            insert_rows(Region, INSERT_FIELDS, batch)
            if progress:
                progress("write", start + len(batch), len(to_add) + len(changed))
        if changed:
            # Village type, flags and location are curated by users; a re-import only fixes the tree.
            Region.objects.bulk_update(
                changed, ["name", "level", "parent", "name_pinyin", "name_initials", "updated_at"], batch_size=BATCH_SIZE
            )
        report.added = len(to_add)
        report.updated = len(changed)
        if to_add or changed:
            tree_changed()
        if on_written:
            on_written(report)
    return report


def import_file(path, progress: Progress | None = None,
                on_written: Callable[[ImportReport], None] | None = None) -> ImportReport:
    """Validate and load a division file; raises RegionFileError (nothing written) if any line is bad."""
    rows, report = read_and_validate(path, progress)
    if not report.ok:
        raise RegionFileError(report)
    return apply_rows(rows, report, progress, on_written)
