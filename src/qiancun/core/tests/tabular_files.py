"""Spreadsheets as offices send them, built in the tests: .xlsx with titles and merges, .ods written by
hand (nothing in the venv writes .ods or .xls), CSV in GBK, and hostile zips."""

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
