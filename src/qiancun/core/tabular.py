"""Rows out of the spreadsheets offices actually send: .xlsx, .xls, .ods and CSV (UTF-8 or GBK).

Every upload of rows (households, nominations, a standard's indicators) reads through `read_table`:

* **Bombs are refused before anything reads the file.** An .xlsx or .ods is a zip: its entry count
  and the uncompressed sizes its directory declares are checked first, then every entry is inflated
  once, in 1 MB pieces counted as they come (a directory that lies about sizes gains nothing), while
  the worksheets are scanned for the extent of their cells. calamine allocates the whole rectangle
  from A1 to the farthest cell, so a 5 KB file with one cell at XFD1048576 would ask for 500 GB;
  the rectangle is checked against the cell limit before calamine sees the file. Limits:
  `QIANCUN_IMPORT_MAX_UNCOMPRESSED`, `QIANCUN_IMPORT_MAX_CELLS`, `QIANCUN_IMPORT_MAX_ENTRIES`
  (docs/operations.md, "Import limits"). An .xls and a CSV are held to the byte limit as they are;
  an .xls's cell records are scanned for the farthest cell the same way (`check_xls`).
* **The header row is found, not assumed**: the first `HEADER_SEARCH_ROWS` rows are scored by how many
  known headings (each column's name and its usual synonyms: 身份证号码, 联系电话 …) they hold, so
  title rows, 填报单位 lines and two-row headings above it do not matter; a missing required column
  is named with the headings that would have been accepted.
* **Cells are normalised**: full-width digits, letters and spaces become ASCII (their NFKC form; the
  text's own Chinese punctuation stays as typed), cells merged across
  rows take the merged value in each row (a 户号 merged over a household's members), and totals
  rows (合计/总计/小计), sign-off lines (填表人 …), column-number rows and repeated headers are
  skipped with a note naming the row.
"""

import codecs
import copy
import csv
import io
import re
import struct
import unicodedata
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from django.conf import settings

from .errors import DomainError, ErrorCode
from .text import UNSAFE_TEXT, clean_text

FORMATS = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")
FORMATS_TEXT = "Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或 CSV 文件"
HEADER_SEARCH_ROWS = 20
DEFAULT_MAX_UNCOMPRESSED = 200 * 1024 * 1024
DEFAULT_MAX_CELLS = 3_000_000
DEFAULT_MAX_ENTRIES = 1000
CHUNK = 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_TOTAL = re.compile(r"^(合计|总计|小计|共计|累计)")
_FOOTER = re.compile(r"^(填表人|填报人|制表人|审核人|负责人|联系人|统计人|经办人|填表日期|填报日期|制表日期|注[:：]|备注[:：]|说明[:：]|填表说明)")
_REMARK_START = frozenset("合总小共累填制审负联统经注备说")
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")
_UNSAFE_SEARCH = UNSAFE_TEXT.search


def max_uncompressed() -> int:
    return int(getattr(settings, "QIANCUN_IMPORT_MAX_UNCOMPRESSED", DEFAULT_MAX_UNCOMPRESSED))


def max_cells() -> int:
    return int(getattr(settings, "QIANCUN_IMPORT_MAX_CELLS", DEFAULT_MAX_CELLS))


def max_entries() -> int:
    return int(getattr(settings, "QIANCUN_IMPORT_MAX_ENTRIES", DEFAULT_MAX_ENTRIES))


class TableError(DomainError):
    """The file as a whole cannot be imported; `message` says why and what to do, in Chinese."""

    def __init__(self, message: str, *, field: str = "file"):
        super().__init__(ErrorCode.INVALID_FILE, message, field=field)


@dataclass(frozen=True)
class Column:
    """A column a reader wants: its field, the heading of the template and the other headings
    offices use for it (compared after NFKC, without spaces, asterisks or a bracketed remark)."""

    field: str
    label: str
    synonyms: tuple[str, ...] = ()
    required: bool = True

    @property
    def headings(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)


@dataclass
class Table:
    header_row: int  # as Excel numbers it
    columns: dict[str, int]  # field -> column index (0-based)
    headings: dict[str, str]  # field -> the heading found in the file
    rows: list[tuple[int, dict]]  # (row number, {field: text (see `text`) or the number/date the sheet stored})
    notes: list[str] = field(default_factory=list)  # rows skipped and why
    sheet: str = ""


# NFKC for what a Chinese input method types in full width where ASCII is meant: digits, Latin letters
# and the ideographic space. Not all of NFKC: it would turn the text's own punctuation （，：） into
# ASCII and change names, addresses and descriptions as stored.
_WIDTH = {code: unicodedata.normalize("NFKC", chr(code)) for code in (0x3000, *range(0xFF10, 0xFF1A), *range(0xFF21, 0xFF3B), *range(0xFF41, 0xFF5B))}


def text(value) -> str:
    """A cell as text: full-width digits, letters and spaces as ASCII (０-９, Ａ-Ｚ, ａ-ｚ), trimmed,
    whole numbers without '.0'."""
    if value.__class__ is str:  # most cells: ASCII needs no folding
        return value.strip() if value.isascii() else value.translate(_WIDTH).strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).translate(_WIDTH).strip()


def is_number(value) -> bool:
    """Whether the spreadsheet stored the cell as a number (not text)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _heading(value) -> str:
    cleaned = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text(value))).replace("*", "").replace("★", "")
    without = _BRACKETED.sub("", cleaned)
    return without or cleaned


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{max(1, size // 1024)} KB"


def _size(handle) -> int:
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(0)
    return size


def check_upload(uploaded_file, *, formats: tuple[str, ...] = FORMATS, what: str = FORMATS_TEXT, field: str = "file") -> str:
    """Refuse at upload what could never be imported: an empty file, another format, a file over the
    byte limit. Returns the file's name."""
    name = str(getattr(uploaded_file, "name", "") or "")
    if not name.lower().endswith(formats):
        raise DomainError(ErrorCode.INVALID_FILE, f"请上传{what}", field=field)
    size = getattr(uploaded_file, "size", None)
    if size is None:
        size = _size(uploaded_file)
    if not size:
        raise DomainError(ErrorCode.INVALID_FILE, f"上传的文件“{name}”是空文件（0 字节），请检查后重新上传", field=field)
    if size > max_uncompressed():
        raise DomainError(ErrorCode.INVALID_FILE, f"文件“{name}”有 {_mb(size)}，超过导入上限 {_mb(max_uncompressed())}，请分成几个文件导入", field=field)
    return name


# ---------------------------------------------------------------- bombs


def _too_big(size: int | None = None, *, unpacked: bool = True) -> TableError:
    what = ("文件解压后" if unpacked else "文件") + (f"有 {_mb(size)}，超过" if size else "的内容超过")
    return TableError(
        f"{what}导入上限 {_mb(max_uncompressed())}（文件可能含大量无关内容或已损坏）。"
        "请只保留需要导入的工作表和数据行，另存后重新上传"
    )


def _too_many_cells(rows: int, cols: int) -> TableError:
    return TableError(
        f"工作表的数据区域有 {rows} 行 × {cols} 列 = {rows * cols} 个单元格，超过导入上限 {max_cells()} 个"
        "（常因远处有格式或内容的空单元格）。请删除数据以外的行和列，或复制数据到新工作表后重新上传"
    )


class _XlsxExtent:
    """The farthest row and column of a worksheet's cells that hold something, from its XML as it streams.
    An empty cell (`<c r="Z9" s="1"/>`, formatting only) does not count: calamine leaves it out too."""

    # Every writer seen (Excel, WPS, LibreOffice, openpyxl) puts r first; the literal prefix keeps the
    # scan at C speed. A tag without "/" before ">" has a value inside.
    _CELL = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"[^>/]*>')
    _PREFIXED_CELL = re.compile(rb'<\w+:c r="([A-Z]{1,3})([0-9]{1,7})"[^>/]*>')  # <x:c …> of some .NET writers

    def __init__(self):
        self.rows = self.cols = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        data = self._tail + chunk
        cut = data.rfind(b"<")
        if cut == -1 or len(data) - cut > 4096:  # no tag is that long: the tail is text, not a cell
            self._tail = b""
        else:
            data, self._tail = data[:cut], data[cut:]
        self._scan(data)

    def close(self) -> None:
        self._scan(self._tail)
        self._tail = b""

    def _scan(self, data: bytes) -> None:
        cells = self._CELL.findall(data)
        if b':c r="' in data:
            cells += self._PREFIXED_CELL.findall(data)
        if not cells:
            return
        self.rows = max(self.rows, max(map(int, [row for _col, row in cells])))
        for letters in {col for col, _row in cells}:
            number = 0
            for letter in letters:
                number = number * 26 + letter - 64
            self.cols = max(self.cols, number)

    @property
    def extent(self) -> tuple[int, int]:
        return self.rows, self.cols


class _OdsExtent:
    """The same for an OpenDocument content.xml, where rows and cells carry repeat counts."""

    _TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0 "
    _OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0 "

    def __init__(self):
        self.rows = self.cols = 0
        self._row = self._col = self._last = 0
        self._repeat = 1
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end

    def _repeats(self, attrs, name: str) -> int:
        try:
            return max(1, int(attrs.get(self._TABLE + name, 1)))
        except ValueError:
            return 1

    def _start(self, tag, attrs):
        if tag == self._TABLE + "table":
            self._row = 0
        elif tag == self._TABLE + "table-row":
            self._col = self._last = 0
            self._repeat = self._repeats(attrs, "number-rows-repeated")
        elif tag in (self._TABLE + "table-cell", self._TABLE + "covered-table-cell"):
            self._col += self._repeats(attrs, "number-columns-repeated")
            if attrs.get(self._OFFICE + "value-type"):
                self._last = self._col

    def _end(self, tag):
        if tag == self._TABLE + "table-row":
            self._row += self._repeat
            if self._last:
                self.rows = max(self.rows, self._row)
                self.cols = max(self.cols, self._last)

    def feed(self, chunk: bytes) -> None:
        try:
            self._parser.Parse(chunk, False)
        except expat.ExpatError:
            raise TableError("文件已损坏（表格内容不是有效的 XML），请用 WPS 或 Excel 打开后另存再上传") from None

    def close(self) -> None:
        try:
            self._parser.Parse(b"", True)
        except expat.ExpatError:
            raise TableError("文件已损坏（表格内容不是有效的 XML），请用 WPS 或 Excel 打开后另存再上传") from None

    @property
    def extent(self) -> tuple[int, int]:
        return self.rows, self.cols


def check_archive(handle) -> str:
    """Check a zip-based workbook (.xlsx or .ods) against the limits before any reader opens it.
    Returns "xlsx" or "ods"."""
    limit = max_uncompressed()
    try:
        archive = zipfile.ZipFile(handle)
        entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise TableError("文件已损坏，无法打开（不是完整的 Excel/WPS 文件），请重新保存后上传") from None
    if len(entries) > max_entries():
        raise TableError(f"文件内部有 {len(entries)} 个部件，超过导入上限 {max_entries()} 个，不像是普通的表格文件，请另存后重新上传")
    declared = sum(entry.file_size for entry in entries)
    if declared > limit:
        raise _too_big(declared)
    names = {entry.filename for entry in entries}
    kind = "ods" if "content.xml" in names and "xl/workbook.xml" not in names else "xlsx"
    left = limit
    for entry in entries:
        if kind == "xlsx" and re.fullmatch(r"xl/worksheets/[^/]+\.xml", entry.filename):
            scanner = _XlsxExtent()
        elif kind == "ods" and entry.filename == "content.xml":
            scanner = _OdsExtent()
        else:
            scanner = None
        # Inflate with the remaining budget as the entry's size: the real stream is counted, whatever
        # the directory claims.
        probe = copy.copy(entry)
        probe.file_size = left + 1
        read = 0
        try:
            with archive.open(probe) as stream:
                while chunk := stream.read(CHUNK):
                    read += len(chunk)
                    left -= len(chunk)
                    if left < 0:
                        raise _too_big()
                    if scanner:
                        scanner.feed(chunk)
        except RuntimeError:  # an encrypted entry
            raise TableError("文件设置了密码，请在 Excel/WPS 中取消密码后另存再上传") from None
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, ValueError):
            # Cut off at the budget, an entry fails its CRC in the same read: it was too big.
            if probe.file_size - read <= CHUNK:
                raise _too_big() from None
            raise TableError("文件已损坏，无法打开（不是完整的 Excel/WPS 文件），请重新保存后上传") from None
        if scanner:
            scanner.close()
            rows, cols = scanner.extent
            if rows * cols > max_cells():
                raise _too_many_cells(rows, cols)
    handle.seek(0)
    return kind


_XLS_CELLS = {0x0006, 0x00BD, 0x00D6, 0x00FD, 0x0203, 0x0204, 0x0205, 0x027E}  # FORMULA MULRK RSTRING LABELSST NUMBER LABEL BOOLERR RK
_END = 0xFFFFFFFA  # sector numbers from here on are markers (end of chain, free, FAT …)


def _xls_damaged() -> TableError:
    return TableError("文件已损坏，无法读取（不是完整的 .xls 文件）。请用 Excel 或 WPS 打开后“另存为” .xlsx 再上传")


def _xls_workbook_stream(data: bytes) -> bytes:
    """The BIFF "Workbook" stream of an OLE2 compound file (MS-CFB): just enough of the format to
    find it — header, FAT (with DIFAT), directory, mini stream for a small workbook."""
    (shift, mini_shift, fat_count, dir_start, cutoff, mini_fat_start, mini_fat_count, difat_start, difat_count) = (
        struct.unpack_from("<HH", data, 30) + struct.unpack_from("<I", data, 44) + struct.unpack_from("<I", data, 48)
        + struct.unpack_from("<IIIII", data, 56))
    if not 7 <= shift <= 16 or not 1 <= mini_shift < shift:
        raise _xls_damaged()
    size, per = 1 << shift, (1 << shift) // 4

    def sector(number: int) -> bytes:
        start = (number + 1) * size
        if number >= _END or start + size > len(data) + size:
            raise _xls_damaged()
        return data[start : start + size]

    difat = list(struct.unpack_from("<109I", data, 76))
    number, seen = difat_start, 0
    while number < _END and seen < difat_count:
        entries = struct.unpack(f"<{per}I", sector(number).ljust(size, b"\0"))
        difat += entries[:-1]
        number, seen = entries[-1], seen + 1
    fat: list[int] = []
    for number in difat[:fat_count]:
        fat += struct.unpack(f"<{per}I", sector(number).ljust(size, b"\0"))

    def chain(start: int, table: list[int]) -> list[int]:
        out = []
        while start < _END:
            if start >= len(table) or len(out) > len(table):
                raise _xls_damaged()
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(sector(n) for n in chain(dir_start, fat))
    entries = [directory[at : at + 128] for at in range(0, len(directory) - 127, 128)]
    if not entries:
        raise _xls_damaged()
    for entry in entries:
        name_length = struct.unpack_from("<H", entry, 64)[0]
        name = entry[: max(0, name_length - 2)].decode("utf-16-le", errors="replace")
        if entry[66] == 2 and name in ("Workbook", "Book"):
            start, length = struct.unpack_from("<II", entry, 116)
            break
    else:
        raise _xls_damaged()
    if length >= cutoff:
        return b"".join(sector(n) for n in chain(start, fat))[:length]
    root_start = struct.unpack_from("<I", entries[0], 116)[0]
    mini_stream = b"".join(sector(n) for n in chain(root_start, fat))
    mini_fat: list[int] = []
    for number in chain(mini_fat_start, fat)[:mini_fat_count]:
        mini_fat += struct.unpack(f"<{per}I", sector(number).ljust(size, b"\0"))
    mini = 1 << mini_shift
    return b"".join(mini_stream[n * mini : (n + 1) * mini] for n in chain(start, mini_fat))[:length]


def check_xls(handle) -> None:
    """Check an .xls against the cell limit before calamine opens it: calamine allocates the rectangle
    from A1 to the farthest cell, and a 6 KB file with one cell at IV65536 cost the worker 1 GB. The
    cell records of the BIFF stream carry their row and column; the farthest is found without reading
    the values."""
    data = handle.read()
    handle.seek(0)
    try:
        stream = _xls_workbook_stream(data)
    except (struct.error, IndexError, ValueError):
        raise _xls_damaged() from None
    rows = cols = at = 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        body = at + 4
        if kind in _XLS_CELLS and length >= 6:
            row, col = struct.unpack_from("<HH", stream, body)
            if kind == 0x00BD:  # MULRK: the last column closes the record
                col = struct.unpack_from("<H", stream, body + length - 2)[0]
            rows, cols = max(rows, row + 1), max(cols, col + 1)
        at = body + length
    if rows * cols > max_cells():
        raise _too_many_cells(rows, cols)


# ---------------------------------------------------------------- reading


def _kind(handle, name: str) -> str:
    head = handle.read(8)
    handle.seek(0)
    if head.startswith(_ZIP_MAGIC):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "xls"
    lowered = name.lower()
    if lowered.endswith((".csv", ".txt")):
        return "csv"
    if head.lstrip().startswith(b"<"):
        raise TableError("该文件实际是网页（HTML）格式，只是扩展名为 Excel。请用 Excel 或 WPS 打开，“另存为” .xlsx 后重新上传")
    raise TableError(f"文件无法读取：不是有效的表格文件，请上传{FORMATS_TEXT}")


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")  # GBK and GB2312, what Excel writes for "CSV" on a Chinese Windows
    except UnicodeDecodeError:
        raise TableError("CSV 文件的编码无法识别（支持 UTF-8 和 GBK），请在 Excel 中“另存为”“CSV UTF-8”或 .xlsx 后重新上传") from None


def _csv_rows(handle) -> list[list]:
    data = handle.read()
    content = _decode(data)
    sample = content[:20000].splitlines()[:30]
    delimiter = max(",\t;", key=lambda d: sum(line.count(d) for line in sample))
    rows, cells = [], 0
    for values in csv.reader(io.StringIO(content, newline=""), delimiter=delimiter):
        cells += len(values)
        if cells > max_cells():
            raise TableError(f"文件的单元格超过导入上限 {max_cells()} 个，请分成几个文件导入")
        rows.append(values)
    return rows


def _sheet_rows(handle, kind: str, sheet_name: str | None) -> tuple[str, list[list]]:
    from python_calamine import CalamineWorkbook, PasswordError

    try:
        book = CalamineWorkbook.from_filelike(handle)
        visible = [m.name for m in book.sheets_metadata if str(m.visible).endswith("Visible") and str(m.typ).endswith("WorkSheet")]
        name = sheet_name if sheet_name in book.sheet_names else (visible or book.sheet_names)[0]
        sheet = book.get_sheet_by_name(name)
    except PasswordError:
        raise TableError("文件设置了密码，请在 Excel/WPS 中取消密码后另存再上传") from None
    except Exception:  # calamine raises several kinds for a damaged file
        raise TableError(f"文件无法读取（可能已损坏），请用 Excel 或 WPS 打开后另存再上传；支持{FORMATS_TEXT}") from None
    first_row, first_col = sheet.start or (0, 0)
    if sheet.height and sheet.width and (first_row + sheet.height) * (first_col + sheet.width) > max_cells():
        raise _too_many_cells(first_row + sheet.height, first_col + sheet.width)
    pad = [""] * first_col
    rows = [pad + values for values in sheet.iter_rows()] if first_col else list(sheet.iter_rows())
    # Cells merged over several rows (a 户号 over a household's members) hold their value in the
    # top-left cell only; every row of the merge gets it.
    for (top, left), (bottom, right) in sheet.merged_cell_ranges or []:
        if bottom <= top or top >= len(rows):
            continue
        value = rows[top][left] if left < len(rows[top]) else ""
        for r in range(top, min(bottom, len(rows) - 1) + 1):
            row = rows[r]
            if len(row) <= right:
                row.extend([""] * (right + 1 - len(row)))
            for c in range(left, right + 1):
                if row[c] in ("", None):
                    row[c] = value
    return name, rows


def _find_header(rows: list[list], columns: list[Column]) -> tuple[int, dict[str, int], dict[str, str]]:
    best: tuple[int, dict[str, int], dict[str, str]] = (-1, {}, {})
    rank = {}
    for column in columns:
        for priority, heading in enumerate(column.headings):
            rank.setdefault(_heading(heading), (column.field, priority))
    for index, values in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found: dict[str, tuple[int, int]] = {}
        headings: dict[str, str] = {}
        for position, value in enumerate(values):
            hit = rank.get(_heading(value))
            if hit is None:
                continue
            name, priority = hit
            if name not in found or priority < found[name][1]:
                found[name] = (position, priority)
                headings[name] = text(value)
        if len(found) > len(best[1]):
            best = (index, {k: v[0] for k, v in found.items()}, headings)
    return best


def read_table(handle, *, name: str, columns: list[Column], max_rows: int | None = None, sheet: str | None = None) -> Table:
    """The rows of a spreadsheet or CSV under its header row, keyed by the columns' fields.

    Raises TableError (a DomainError, code invalid_file) for a file that cannot be imported as a
    whole: over a limit, damaged, no header row, a required column missing.
    """
    if _size(handle) == 0:
        raise TableError("文件是空的（0 字节），请检查后重新上传")
    kind = _kind(handle, name)
    if kind == "zip":
        kind = check_archive(handle)
    elif _size(handle) > max_uncompressed():
        raise _too_big(_size(handle), unpacked=False)
    elif kind == "xls":
        check_xls(handle)
    if kind == "csv":
        sheet_name, rows = "", _csv_rows(handle)
    else:
        sheet_name, rows = _sheet_rows(handle, kind, sheet)

    header, positions, headings = _find_header(rows, columns)
    labels = "、".join(c.label for c in columns if c.required)
    if not positions:
        raise TableError(f"在前 {HEADER_SEARCH_ROWS} 行中没有找到表头，表头应包含：{labels}（请使用模板）")
    missing = [c for c in columns if c.required and c.field not in positions]
    if missing:
        what = "；".join(f"“{c.label}”" + (f"（也可写作：{'、'.join(c.synonyms)}）" if c.synonyms else "") for c in missing)
        raise TableError(f"表头（第 {header + 1} 行）缺少列：{what}")

    table = Table(header_row=header + 1, columns=positions, headings=headings, rows=[], sheet=sheet_name)
    header_texts = {text(rows[header][i]) for i in positions.values()}
    wanted = list(positions.items())
    for index in range(header + 1, len(rows)):
        values = rows[index]
        number = index + 1
        # _clean inlined: this loop runs for every wanted cell of the file.
        cells = {}
        size = len(values)
        for f, i in wanted:
            value = values[i] if i < size else ""
            if value.__class__ is str:
                value = value.strip() if value.isascii() else value.translate(_WIDTH).strip()
            elif value is None:
                value = ""
            cells[f] = value
        filled = [v for v in cells.values() if v != ""]
        if not filled:
            continue
        first = next((v for v in values if v not in ("", None)), "")
        if isinstance(first, str) and first.lstrip()[:1] in _REMARK_START:
            shown = re.sub(r"\s+", "", first)
            if _TOTAL.match(shown):
                table.notes.append(f"第 {number} 行是合计行（“{shown[:20]}”），已跳过")
                continue
            if _FOOTER.match(unicodedata.normalize("NFKC", shown)):
                table.notes.append(f"第 {number} 行是表尾（“{shown[:20]}”），已跳过")
                continue
        if index == header + 1:
            numbers = [t for t in (text(v) for v in values) if t]
            if len(numbers) > 1 and numbers == [str(n) for n in range(1, len(numbers) + 1)]:
                table.notes.append(f"第 {number} 行是列序号行，已跳过")
                continue
        if len(filled) > 1 and filled[0] in header_texts and {text(v) for v in filled} <= header_texts:
            table.notes.append(f"第 {number} 行重复了表头，已跳过")
            continue
        if _UNSAFE_SEARCH("".join(v for v in cells.values() if v.__class__ is str)):
            # What the input guard refuses everywhere else (core.text): stored, it broke the exports, and
            # PostgreSQL cannot hold a NUL at all. One row holding it stops the whole file.
            f = next(f for f, v in cells.items() if v.__class__ is str and _UNSAFE_SEARCH(v))
            raise TableError(f"第 {number} 行“{clean_text(headings[f])}”列含有控制字符或无效字符（如 ESC、NUL 或不成对的代理字符），"
                             "文件未导入；请在表格中删除这些字符后重新导入")
        table.rows.append((number, cells))
        if max_rows is not None and len(table.rows) > max_rows:
            raise TableError(f"一次最多导入 {max_rows} 行，请分成几个文件导入")
    return table
