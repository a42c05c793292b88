"""Spreadsheets as offices send them, built in the tests: .xlsx with titles and merges, .ods and .xls
written by hand (nothing in the venv writes them), CSV in GBK, and hostile zips."""

import io
import struct
import zipfile
from xml.sax.saxutils import escape

from openpyxl import Workbook

MB = 1024 * 1024


def full_width(value: str) -> str:
    """What a Chinese input method types: ２２０１…, Ｘ."""
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in value)


def xlsx(rows, *, merges=(), far_cell: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    for area in merges:
        sheet.merge_cells(area)
    if far_cell:
        sheet[far_cell] = "x"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_bytes(rows, encoding: str = "gbk") -> bytes:
    return "\r\n".join(",".join(str(v) for v in row) for row in rows).encode(encoding)


def ods(rows) -> bytes:
    """A minimal OpenDocument spreadsheet, as WPS or LibreOffice save one; the last row repeats an
    empty row to the bottom of the sheet the way LibreOffice does."""
    def cell(value):
        if value in (None, ""):
            return "<table:table-cell/>"
        return f'<table:table-cell office:value-type="string"><text:p>{escape(str(value))}</text:p></table:table-cell>'

    body = "".join("<table:table-row>" + "".join(cell(v) for v in row) + "</table:table-row>" for row in rows)
    body += '<table:table-row table:number-rows-repeated="1048000"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>'
    content = (
        '<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="Sheet1">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet", compress_type=zipfile.ZIP_STORED)
        archive.writestr("META-INF/manifest.xml", manifest, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("content.xml", content, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def with_huge_shared_strings(workbook: bytes, megabytes: int, *, declare_bytes: int | None = None) -> bytes:
    """The workbook with its shared strings replaced by `megabytes` MB of one repeated letter: a few
    hundred KB on disk. `declare_bytes` makes the zip's directories claim that size instead (a lying
    bomb)."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    name = "xl/sharedStrings.xml"
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for entry in source.infolist():
            if entry.filename != name:
                archive.writestr(entry, source.read(entry))
        info = zipfile.ZipInfo(name)
        info.compress_type = zipfile.ZIP_DEFLATED
        with archive.open(info, "w") as stream:
            stream.write(b'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>')
            for _ in range(megabytes):
                stream.write(b"A" * MB)
            stream.write(b"</t></si></sst>")
    data = bytearray(out.getvalue())
    if declare_bytes is not None:
        _declare_size(data, name, declare_bytes)
    return bytes(data)


def _declare_size(data: bytearray, name: str, size: int) -> None:
    """Rewrite the uncompressed size that the local header and the central directory give for `name`."""
    encoded = name.encode()
    for signature, name_at, size_at, fixed in ((b"PK\x03\x04", 26, 22, 30), (b"PK\x01\x02", 28, 24, 46)):
        at = 0
        while (at := data.find(signature, at)) != -1:
            (name_len,) = struct.unpack_from("<H", data, at + name_at)
            if bytes(data[at + fixed : at + fixed + name_len]) == encoded:
                struct.pack_into("<I", data, at + size_at, size)
            at += 4


def _rec(kind, body=b""):
    return struct.pack("<HH", kind, len(body)) + body

def _bof(dt):
    return _rec(0x0809, struct.pack("<HHHHII", 0x0600, dt, 0x0DBB, 0x07CC, 0, 0x06))

def _xlstr(text, cch_size="H"):
    data = text.encode("utf-16-le")
    return struct.pack("<" + cch_size, len(text)) + b"\x01" + data

def xls(rows) -> bytes:
    """A BIFF8 workbook (Excel 97–2003) in its OLE2 container, as old county systems still export: one
    sheet, text through the shared-string table, numbers as NUMBER records. Nothing in the venv writes
    .xls, so it is built here record by record."""
    strings, index = [], {}
    cells = b""
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value in (None, ""):
                continue
            if isinstance(value, int | float):
                cells += _rec(0x0203, struct.pack("<HHHd", r, c, 0, float(value)))
                continue
            if value not in index:
                index[value] = len(strings)
                strings.append(value)
            cells += _rec(0x00FD, struct.pack("<HHHI", r, c, 0, index[value]))
    width = max((len(r) for r in rows), default=0)
    sheet = _bof(0x0010) + _rec(0x0200, struct.pack("<IIHHH", 0, len(rows), 0, width, 0)) + cells + _rec(0x000A)
    sst = _rec(0x00FC, struct.pack("<II", len(strings), len(strings)) + b"".join(_xlstr(s) for s in strings))
    def globals_(offset):
        name = "Sheet1"
        bound = _rec(0x0085, struct.pack("<IBB", offset, 0, 0) + struct.pack("<B", len(name)) + b"\x01" + name.encode("utf-16-le"))
        return _bof(0x0005) + _rec(0x0042, struct.pack("<H", 1200)) + bound + sst + _rec(0x000A)
    head = globals_(0)
    stream = globals_(len(head)) + sheet
    stream += b"\x00" * max(0, 4096 - len(stream))
    stream += b"\x00" * (-len(stream) % 512)
    n = len(stream) // 512
    ENDOFCHAIN, FREESECT, FATSECT, NOSTREAM = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD, 0xFFFFFFFF
    fat = [FATSECT, ENDOFCHAIN] + [3 + i for i in range(n - 1)] + [ENDOFCHAIN]
    fat += [FREESECT] * (128 - len(fat))
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\x00" * 6
              + struct.pack("<IIIIIIIII", 0, 1, 1, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<109I", 0, *([FREESECT] * 108)))
    def entry(name, kind, child, start, size):
        raw = name.encode("utf-16-le") + b"\x00\x00" if name else b""
        return (raw.ljust(64, b"\x00") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", NOSTREAM, NOSTREAM, child)
                + b"\x00" * 16 + b"\x00" * 4 + b"\x00" * 16 + struct.pack("<IIi", start, size, 0))
    directory = (entry("Root Entry", 5, 1, ENDOFCHAIN, 0) + entry("Workbook", 2, NOSTREAM, 2, len(stream))
                 + entry("", 0, NOSTREAM, 0, 0) * 2)
    return header + struct.pack("<128I", *fat) + directory + stream
