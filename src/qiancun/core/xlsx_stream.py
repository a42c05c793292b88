"""A streaming .xlsx writer for exports too large for openpyxl: rows go straight into the zip.

Why not openpyxl: even in `write_only` mode it builds a cell object per value and writes it through
lxml, about 4,000–8,000 rows a second on the 2-core reference machine (xlsxwriter's
`constant_memory` is barely faster), so the province's 700,000 households would take minutes. This
writer formats each row as one string of SpreadsheetML and deflates it into the zip as it goes:
about 80,000 rows a second on the same machine, in memory that does not grow with the rows.

What it writes is a plain Office Open XML workbook (ECMA-376): one or more worksheets of inline
strings and integers, a bold frozen header row and column widths. A sheet that reaches Excel's
1,048,576 rows continues on the next sheet with the header repeated.

Every workbook the platform hands out follows the same two rules for text, here and, through
`append_row` / `set_cell`, in the openpyxl writers (standard, enrollment list, circular, templates,
error reports):

- text is always text: a value beginning with "=", "+", "-" or "@" is stored as a string marked with
  Excel's quote prefix, so it is neither a formula when opened nor becomes one when the cell is
  edited (formula injection, OWASP "CSV injection");
- control characters (C0 but tab, line feed and carriage return; DEL; C1), lone surrogates and the
  non-characters U+FFFE/U+FFFF are left out (`clean_text`): XML cannot hold most of them, and text
  stored before input was checked must not make an export fail.
"""

import zipfile
from functools import lru_cache
from xml.sax.saxutils import escape

from .text import clean_text

MAX_SHEET_ROWS = 1_048_576  # Excel's limit, the header row included
FORMULA_START = ("=", "+", "-", "@")
_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
_NS_R = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet {_NS}>'
    '<fonts count="2"><font><sz val="11"/><name val="等线"/></font><font><b/><sz val="11"/><name val="等线"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _inline(value: str, style: str) -> str:
    value = escape(value)
    space = ' xml:space="preserve"' if value[:1].isspace() or value[-1:].isspace() else ""
    return f'"{style} t="inlineStr"><is><t{space}>{value}</t></is></c>'


@lru_cache(maxsize=16384)  # names, relations, masked numbers repeat row after row: escape each once
def _text(value: str) -> str:
    """The rest of a data cell after its reference: `" t="inlineStr">…</c>`, quote-prefixed if it looks like a formula."""
    value = clean_text(value)
    return _inline(value, ' s="2"' if value.startswith(FORMULA_START) else "")


def set_cell(cell, value) -> None:
    """Give an openpyxl cell `value` by the same rules as the streaming writer: cleaned text, never a formula."""
    if isinstance(value, str):
        value = clean_text(value)
        cell.value = value
        if value.startswith(FORMULA_START):
            cell.data_type = "s"  # openpyxl made "=…" a formula
            cell.quotePrefix = True
    else:
        cell.value = value


def text_cell(sheet, value):
    """An openpyxl cell for `sheet.append` (ordinary or write-only sheet) holding `value` safely."""
    from openpyxl.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet)
    set_cell(cell, value)
    return cell


def append_row(sheet, values) -> None:
    """`sheet.append(values)` for openpyxl sheets, every value through `set_cell`; cells already made
    (a styled header from `text_cell`) pass as they are."""
    from openpyxl.cell.cell import Cell

    sheet.append([value if isinstance(value, Cell) else text_cell(sheet, value) for value in values])


class StreamingXlsxWriter:
    """`with StreamingXlsxWriter(file, "农户", header, widths) as book: book.append(row)`.

    `file` is a path or a binary file object (seekable: a temporary file, not a socket). Values are
    str, int or None (an empty cell); anything else is written as its str().
    """

    def __init__(self, file, title: str, header: list[str], widths: list[float] | None = None, *,
                 max_rows: int = MAX_SHEET_ROWS, buffer_rows: int = 2000):
        self._zip = zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1)
        self.title = title[:25]
        self.header = header
        self.widths = widths or []
        self.max_rows = max_rows
        self.buffer_rows = buffer_rows
        self._opens = [f'<c r="{column_letter(i)}' for i in range(len(header))]  # each cell starts '<c r="B7"…
        self._sheets = 0
        self._sheet = None
        self._row = 0
        self._buffer: list[str] = []
        self.rows_written = 0

    # ------------------------------------------------------------ rows

    def _cells(self, row, number: int, header: bool = False) -> str:
        # The hot loop of a 700,000-household export: plain concatenation, one class test per value.
        n = str(number)
        if len(row) > len(self._opens):
            self._opens += [f'<c r="{column_letter(i)}' for i in range(len(self._opens), len(row))]
        out = ['<row r="', n, '">']
        if header:
            out += [start + n + _inline(clean_text(str(value)), ' s="1"') for start, value in zip(self._opens, row) if value not in (None, "")]
            out.append("</row>")
            return "".join(out)
        for start, value in zip(self._opens, row):
            if value is None or value == "":
                continue
            kind = value.__class__
            if kind is str:
                out += (start, n, _text(value))
            elif kind is int:
                out += (start, n, '"><v>', str(value), "</v></c>")
            elif kind is bool:
                out += (start, n, '" t="b"><v>', "1" if value else "0", "</v></c>")
            else:
                out += (start, n, _text(str(value)))
        out.append("</row>")
        return "".join(out)

    def _open_sheet(self) -> None:
        self._sheets += 1
        self._sheet = self._zip.open(f"xl/worksheets/sheet{self._sheets}.xml", "w", force_zip64=True)
        cols = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>' for i, w in enumerate(self.widths, start=1))
        self._sheet.write((
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet {_NS} {_NS_R}>'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
            + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>"
            + self._cells(self.header, 1, header=True)
        ).encode())
        self._row = 1

    def _flush(self) -> None:
        if self._buffer:
            self._sheet.write("".join(self._buffer).encode())
            self._buffer = []

    def _close_sheet(self) -> None:
        self._flush()
        self._sheet.write(b"</sheetData></worksheet>")
        self._sheet.close()
        self._sheet = None

    def append(self, row) -> None:
        if self._sheet is None:
            self._open_sheet()
        elif self._row >= self.max_rows:
            self._close_sheet()
            self._open_sheet()
        self._row += 1
        self._buffer.append(self._cells(row, self._row))
        self.rows_written += 1
        if len(self._buffer) >= self.buffer_rows:
            self._flush()

    # ------------------------------------------------------------ the package around the sheets

    def close(self) -> None:
        if self._sheet is None and self._sheets == 0:
            self._open_sheet()  # an export with no rows is still a workbook with its header
        if self._sheet is not None:
            self._close_sheet()
        names = [self.title if n == 1 else f"{self.title}（{n}）" for n in range(1, self._sheets + 1)]
        sheets = "".join(f'<sheet name="{escape(clean_text(name))}" sheetId="{n}" r:id="rId{n}"/>' for n, name in enumerate(names, start=1))
        rels = "".join(
            f'<Relationship Id="rId{n}" Type="{_REL}/worksheet" Target="worksheets/sheet{n}.xml"/>' for n in range(1, self._sheets + 1)
        )
        overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_WORKSHEET}"/>' for n in range(1, self._sheets + 1))
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        self._zip.writestr("xl/workbook.xml", f'{head}<workbook {_NS} {_NS_R}><sheets>{sheets}</sheets></workbook>')
        self._zip.writestr("xl/_rels/workbook.xml.rels", (
            f'{head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}'
            f'<Relationship Id="rId{self._sheets + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        ))
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.writestr("_rels/.rels", (
            f'{head}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ))
        self._zip.writestr("[Content_Types].xml", (
            f'{head}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            f"{overrides}</Types>"
        ))
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.close()
        else:  # leave no half-written workbook that looks complete
            if self._sheet is not None:
                self._sheet.close()
            self._zip.close()
        return False
