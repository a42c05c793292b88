"""The streaming .xlsx writer: what it writes opens as an ordinary workbook, text stays text."""

import io
import zipfile

import pytest
from openpyxl import load_workbook

from qiancun.core.xlsx_stream import StreamingXlsxWriter, column_letter


def read(buffer: io.BytesIO):
    buffer.seek(0)
    return load_workbook(buffer)


def test_rows_come_back_as_written_with_a_bold_frozen_header_and_widths():
    buffer = io.BytesIO()
    with StreamingXlsxWriter(buffer, "农户", ["户号", "姓名", "积分"], [10, 12, 8]) as book:
        book.append(["001", "张三", 120])
        book.append(["002", None, 0])
    sheet = read(buffer)["农户"]
    assert list(sheet.iter_rows(values_only=True)) == [("户号", "姓名", "积分"), ("001", "张三", 120), ("002", None, 0)]
    assert sheet["A1"].font.b and sheet.freeze_panes == "A2" and sheet.column_dimensions["B"].width == 12
    assert book.rows_written == 2


def test_text_is_never_a_formula_and_characters_xml_forbids_are_dropped():
    buffer = io.BytesIO()
    with StreamingXlsxWriter(buffer, "t", ["a", "b", "c"]) as book:
        book.append(["=HYPERLINK(\"http://x\")", "  前后空格 ", "a\x00b\x1fc<&>\"'"])
    sheet = read(buffer)["t"]
    assert [c.value for c in sheet[2]] == ["=HYPERLINK(\"http://x\")", "  前后空格 ", "abc<&>\"'"]
    assert sheet["A2"].data_type == "s"  # a string, not a formula


def test_a_full_sheet_continues_on_the_next_with_the_header_repeated():
    buffer = io.BytesIO()
    with StreamingXlsxWriter(buffer, "农户", ["n"], max_rows=3) as book:
        for n in range(5):
            book.append([n])
    book_ = read(buffer)
    assert book_.sheetnames == ["农户", "农户（2）", "农户（3）"]
    assert [[r[0] for r in ws.iter_rows(values_only=True)] for ws in book_.worksheets] == [["n", 0, 1], ["n", 2, 3], ["n", 4]]


def test_an_empty_export_is_still_a_workbook_with_its_header():
    buffer = io.BytesIO()
    with StreamingXlsxWriter(buffer, "空", ["a", "b"]):
        pass
    assert list(read(buffer)["空"].iter_rows(values_only=True)) == [("a", "b")]
    buffer.seek(0)
    assert "[Content_Types].xml" in zipfile.ZipFile(buffer).namelist()


def test_column_letters():
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702)] == ["A", "Z", "AA", "AZ", "BA", "ZZ", "AAA"]


FORMULAS = ["=1+1", "+1", "-2+3", "@SUM(A1)", "=HYPERLINK(\"http://evil.example\")"]


def test_text_beginning_like_a_formula_is_marked_as_text_so_editing_it_in_excel_keeps_it_text():
    buffer = io.BytesIO()
    with StreamingXlsxWriter(buffer, "t", ["a"] * 6) as book:
        book.append([*FORMULAS, "1-2"])
    cells = read(buffer)["t"][2]
    assert [c.value for c in cells] == [*FORMULAS, "1-2"]
    assert [c.data_type for c in cells] == ["s"] * 6
    assert [c.quotePrefix for c in cells] == [True] * 5 + [False]


def test_delete_c1_controls_and_lone_surrogates_are_left_out_too():
    buffer = io.BytesIO()
    with StreamingXlsxWriter(buffer, "t", ["a"]) as book:
        book.append(["甲\x7f乙\x85丙\ud800丁\t戊\n"])
    assert read(buffer)["t"]["A2"].value == "甲乙丙丁\t戊\n"


@pytest.mark.parametrize("write_only", [False, True])
def test_openpyxl_sheets_follow_the_same_rules_through_append_row(write_only):
    from openpyxl import Workbook

    from qiancun.core.xlsx_stream import append_row, text_cell

    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("t") if write_only else book.active
    append_row(sheet, [text_cell(sheet, "标题"), None, 3])
    append_row(sheet, [*FORMULAS, "a\x1bb\x00c", 7])
    buffer = io.BytesIO()
    book.save(buffer)
    loaded = read(buffer).worksheets[0]
    assert [c.value for c in loaded[2]] == [*FORMULAS, "abc", 7]
    assert [c.data_type for c in loaded[2]][:6] == ["s"] * 6 and all(c.quotePrefix for c in loaded[2][:5])
    assert loaded["A1"].value == "标题" and loaded["C1"].value == 3
