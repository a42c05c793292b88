"""Household imports of registers as county offices send them (issue #11): title rows, merged cells,
the headings offices use, IDs typed in full width or turned into numbers by Excel, totals rows, GBK CSV,
.ods, an old .xls, and files that would exhaust the worker (zip bombs, a cell at the far corner of the sheet)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from qiancun.accounts.actions import do_create_api_token
from qiancun.core.testing import YANJI_VILLAGE, client_for, give_second_factor, make_user
from qiancun.core.tests.tabular_files import MB, csv_bytes, full_width, ods, with_huge_shared_strings, xls, xlsx
from qiancun.participation import personal_data as pd
from qiancun.participation.models import Household, HouseholdImport, Member
from qiancun.regions.models import RegionImport

from .factories import id_number, village_staff

pytestmark = pytest.mark.django_db

HEADER = ["户号", "姓名", "与户主关系", "身份证号", "手机号", "住址", "十户一组"]
COUNTY_HEADER = ["户号", "姓名", "与户主关系", "身份证号码", "联系电话", "家庭住址", "十户一组"]
TITLE = ["延吉市小营镇小营村农户信息登记表"]
UNIT = ["填报单位：小营村村民委员会", "", "", "", "填报日期：2026年3月1日"]


def _import(content: bytes, name: str, capture, mode: str = "good_rows") -> HouseholdImport:
    staff = client_for(village_staff())
    with capture(execute=True):
        response = staff.post(f"/participation/villages/{YANJI_VILLAGE}/households/import/",
                              {"file": SimpleUploadedFile(name, content), "mode": mode})
    assert response.status_code == 302, response.content.decode()[:500]
    job = HouseholdImport.objects.latest("pk")
    page = staff.get(f"/participation/imports/{job.pk}/").content.decode()
    assert job.report["summary"] in page
    return job


def _members() -> dict[str, list[tuple[str, str, str]]]:
    out: dict[str, list] = {}
    for member in Member.objects.select_related("household").order_by("household__number", "pk"):
        shown = member.reveal()
        out.setdefault(member.household.number, []).append((member.name, shown["id_number"], shown["phone"]))
    return out


def test_a_county_register_under_a_title_with_its_own_headings_merged_numbers_and_a_totals_row_loads(django_capture_on_commit_callbacks):
    rows = [
        TITLE,
        UNIT,
        COUNTY_HEADER,
        ["１０１", "赵一", "户主", full_width(id_number(201)), full_width("13900000001"), "一组（东）１号", "第一组"],
        [None, "钱二", "配偶", id_number(202).lower(), "", "", ""],
        ["102", "孙三", "户主", f" {id_number(203)} ", "", "一组2号", "第一组"],
        ["合计：2户3人", "", "", "", "", "", ""],
        ["填表人：李会计", "", "", "审核人：王书记"],
    ]
    job = _import(xlsx(rows, merges=["A1:G1", "A4:A5"]), "小营村农户登记表.xlsx", django_capture_on_commit_callbacks)
    assert job.status == "succeeded", job.report
    assert job.report["summary"] == "新增 2 户，0 户未变，新增成员 3 人"
    assert job.report["notes"] == ["第 7 行是合计行（“合计：2户3人”），已跳过", "第 8 行是表尾（“填表人：李会计”），已跳过"]
    assert _members() == {
        "101": [("赵一", id_number(201), "13900000001"), ("钱二", id_number(202), "")],
        "102": [("孙三", id_number(203), "")],
    }
    assert Household.objects.get(number="101").address == "一组（东）1号"  # digits folded, the text's own punctuation kept
    page = client_for(village_staff()).get(f"/participation/imports/{job.pk}/").content.decode()
    assert "第 7 行是合计行（“合计：2户3人”），已跳过" in page


def test_a_missing_column_is_named_exactly_and_columns_present_are_not(django_capture_on_commit_callbacks):
    rows = [TITLE, ["户号", "姓名", "与户主关系", "联系电话", "家庭住址"], ["101", "赵一", "户主", "13900000001", "一组1号"]]
    job = _import(xlsx(rows), "登记表.xlsx", django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert job.report["summary"] == (
        "表头（第 2 行）缺少列：“身份证号”（也可写作：身份证号码、公民身份号码、公民身份证号码、身份证件号码、身份证、证件号码）"
    )
    assert not Household.objects.exists()


def test_a_register_of_heads_only_headed_huzhu_xingming_loads_every_row_as_a_head(django_capture_on_commit_callbacks):
    rows = [TITLE, ["序号", "户号", "户主姓名", "身份证号码", "联系电话"],
            ["1", "201", "周一", id_number(211), "13900000011"], ["2", "202", "吴二", id_number(212), ""]]
    job = _import(xlsx(rows), "户主名册.xlsx", django_capture_on_commit_callbacks)
    assert job.status == "succeeded", job.report
    assert job.report["summary"] == "新增 2 户，0 户未变，新增成员 2 人"
    assert set(Member.objects.values_list("name", "relation")) == {("周一", "head"), ("吴二", "head")}
    assert job.report["notes"] == [
        "表头为“户主姓名”且没有“与户主关系”列：每行按户主导入",
        "文件没有“住址”列，各户的住址未导入",
        "文件没有“十户一组”列，各户的十户一组未导入",
    ]


def test_ids_that_excel_stored_as_numbers_are_named_as_such_not_as_wrong_check_digits(django_capture_on_commit_callbacks):
    as_number = int(pd.with_check_digit("22240119800101123")[:17] + "0")
    rows = [HEADER, ["301", "郑一", "户主", as_number, "", "", ""], ["302", "王二", "户主", id_number(302), "", "", ""]]
    job = _import(xlsx(rows), "numbers.xlsx", django_capture_on_commit_callbacks, mode="all_or_nothing")
    assert job.status == "failed"
    assert job.report["errors"] == [{"row": 2, "column": "身份证号", "reason": pd.EXCEL_NUMBER}]


def test_a_gbk_csv_saved_by_excel_loads_and_its_mangled_ids_say_what_happened(django_capture_on_commit_callbacks):
    # The 17 digits Excel keeps, then 000 where the last three were: the check digit cannot be 0 here.
    zeros = next(f"22240119800101{n}000" for n in range(10) if pd.with_check_digit(f"22240119800101{n}00")[-1] != "0")
    rows = [
        ["延吉市小营镇小营村农户信息登记表"],
        COUNTY_HEADER,
        ["401", "冯一", "户主", full_width(id_number(401)), "13900000041", "二组1号", "第二组"],
        ["402", "陈二", "户主", "2.22401E+17", "", "", ""],
        ["403", "褚三", "户主", zeros, "", "", ""],
        ["总计", "", "", "", "", "", ""],
    ]
    job = _import(csv_bytes(rows, "gbk"), "登记表.csv", django_capture_on_commit_callbacks)
    assert job.status == "succeeded", job.report
    assert job.report["errors"] == [
        {"row": 4, "column": "身份证号", "reason": pd.EXCEL_NUMBER},
        {"row": 5, "column": "身份证号", "reason": "身份证号校验位不正确，且末三位是 000：很可能是 Excel 把它当成数字保存，丢掉了后三位。"
                                                 "请把该列设置为“文本”格式，重新录入这些身份证号后再导入"},
    ]
    assert job.report["notes"] == ["第 6 行是合计行（“总计”），已跳过"]
    assert _members() == {"401": [("冯一", id_number(401), "13900000041")]}


def test_an_ods_register_loads(django_capture_on_commit_callbacks):
    rows = [TITLE, COUNTY_HEADER, ["501", "卫一", "户主", id_number(501), "", "三组1号", ""]]
    job = _import(ods(rows), "登记表.ods", django_capture_on_commit_callbacks)
    assert job.status == "succeeded", job.report
    assert _members() == {"501": [("卫一", id_number(501), "")]}


def test_an_old_xls_register_loads_and_its_number_typed_ids_are_named(django_capture_on_commit_callbacks):
    rows = [TITLE, COUNTY_HEADER,
            ["601", "蒋一", "户主", id_number(601), "", "四组1号", ""],
            ["602", "沈二", "户主", float(id_number(602)[:17] + "0"), "", "", ""],  # typed in a number cell
            ["合计", "", "", "", "", "", ""]]
    job = _import(xls(rows), "2019年登记表.xls", django_capture_on_commit_callbacks)
    assert job.status == "succeeded", job.report
    assert job.report["errors"] == [{"row": 4, "column": "身份证号", "reason": pd.EXCEL_NUMBER}]
    assert job.report["notes"] == ["第 5 行是合计行（“合计”），已跳过"]
    assert _members() == {"601": [("蒋一", id_number(601), "")]}


def test_a_file_with_only_a_header_is_an_error_not_an_empty_success(django_capture_on_commit_callbacks):
    job = _import(xlsx([TITLE, HEADER]), "empty.xlsx", django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert job.report["summary"] == "文件中没有农户数据：表头（第 2 行）下面没有任何成员行"


def test_the_summary_counts_every_row_left_out(django_capture_on_commit_callbacks):
    rows = [
        HEADER,
        ["201", "赵一", "户主", id_number(601), "", "", ""],
        ["201", "钱二", "配偶", "", "12345", "", ""],  # bad phone: the whole household stays out
        ["201", "孙三", "子女", "", "", "", ""],
        ["202", "李四", "户主", "", "", "", ""],  # two heads
        ["202", "周五", "户主", "", "", "", ""],
        ["203", "吴六", "户主", "", "", "", ""],
        ["", "郑七", "子女", "", "", "", ""],  # no 户号
    ]
    job = _import(xlsx(rows), "mixed.xlsx", django_capture_on_commit_callbacks)
    assert job.status == "succeeded"
    assert [(e["row"], e["column"]) for e in job.report["errors"]] == [(3, "手机号"), (5, "与户主关系"), (8, "户号")]
    assert job.report["summary"] == "新增 1 户，0 户未变，新增成员 1 人；6 行未导入（3 行有错误，涉及 2 户）"
    assert job.report["rejected_rows"] == 6
    all_or_nothing = _import(xlsx(rows), "mixed.xlsx", django_capture_on_commit_callbacks, mode="all_or_nothing")
    assert all_or_nothing.report["summary"] == "文件中 3 行有错误（共 3 处），未导入任何农户（全部正确才导入）"


def test_a_zip_bomb_over_the_default_limit_is_refused_before_it_is_read(django_capture_on_commit_callbacks):
    bomb = with_huge_shared_strings(xlsx([HEADER, ["701", "甲", "户主", "", "", "", ""]]), 201)
    assert len(bomb) < 400 * 1024
    job = _import(bomb, "bomb.xlsx", django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert job.report["summary"] == ("文件解压后有 201 MB，超过导入上限 200 MB（文件可能含大量无关内容或已损坏）。"
                                     "请只保留需要导入的工作表和数据行，另存后重新上传")
    assert not Household.objects.exists()


@override_settings(QIANCUN_IMPORT_MAX_UNCOMPRESSED=8 * MB)
def test_a_zip_bomb_whose_directory_lies_about_its_size_is_refused_as_it_inflates(django_capture_on_commit_callbacks):
    bomb = with_huge_shared_strings(xlsx([HEADER, ["701", "甲", "户主", "", "", "", ""]]), 9, declare_bytes=1000)
    job = _import(bomb, "bomb.xlsx", django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert job.report["summary"].startswith("文件解压后的内容超过导入上限 8 MB")


def test_a_cell_at_the_far_corner_of_the_sheet_is_refused_before_the_sheet_is_read(django_capture_on_commit_callbacks):
    # calamine would allocate every cell from A1 to XFD1048576 (500 GB) and abort the worker.
    job = _import(xlsx([HEADER, ["801", "乙", "户主", "", "", "", ""]], far_cell="XFD1048576"), "far.xlsx", django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert job.report["summary"].startswith("工作表的数据区域有 1048576 行 × 16384 列 = 17179869184 个单元格，超过导入上限 3000000 个")


def test_an_xls_with_a_cell_at_its_far_corner_is_refused_before_calamine_opens_it(django_capture_on_commit_callbacks, monkeypatch):
    # 6 KB: calamine would hold all 65,536 × 256 cells (1 GB of the worker) before anything could look.
    import python_calamine

    def opened(*args, **kwargs):
        raise AssertionError("calamine opened a file over the cell limit")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_filelike", opened)
    far = xls([HEADER, *[[]] * 65534, [""] * 255 + ["x"]])
    assert len(far) < 10 * 1024
    job = _import(far, "far.xls", django_capture_on_commit_callbacks)
    assert job.status == "failed"
    assert job.report["summary"].startswith("工作表的数据区域有 65536 行 × 256 列 = 16777216 个单元格，超过导入上限 3000000 个")


def test_an_empty_upload_is_refused_at_upload_not_queued(client):
    token = do_create_api_token(acting_user=village_staff(), name="t")[1]
    response = client.post("/api/v1/participation/households/import",
                           {"file": SimpleUploadedFile("households.xlsx", b""), "village_code": YANJI_VILLAGE},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_file", "field": "file", "message": "上传的文件“households.xlsx”是空文件（0 字节），请检查后重新上传"}
    assert not HouseholdImport.objects.exists()


def test_an_empty_region_file_is_refused_at_upload_not_queued(client):
    admin = make_user("admin", "22")
    give_second_factor(admin)
    token = do_create_api_token(acting_user=admin, name="t")[1]
    response = client.post("/api/v1/regions/imports", {"file": SimpleUploadedFile("regions.csv", b"")},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.json() == {"code": "invalid_file", "field": "file", "message": "上传的文件“regions.csv”是空文件（0 字节），请检查后重新上传"}
    assert not RegionImport.objects.exists()


@pytest.mark.parametrize("mode", ["good_rows", "all_or_nothing"])
def test_control_characters_in_a_register_are_refused_naming_row_and_column_and_nothing_is_written(django_capture_on_commit_callbacks, mode):
    # The input guard refuses ESC, NUL, VT, DEL and U+FFFF in anything typed; an imported file stored them.
    rows = [
        HEADER,
        ["301", "赵一", "户主", "", "", "一组1号", ""],
        ["302", "a\x1bb", "户主", "", "", "x\x00y", ""],
        ["303", "c\x0bd", "户主", "", "", "\x7fz", ""],
        ["304", "\uffffF", "户主", "", "", "", ""],
    ]
    job = _import(csv_bytes(rows, "utf-8"), "controls.csv", django_capture_on_commit_callbacks, mode=mode)
    assert job.status == "failed"
    assert job.report["summary"] == ("第 3 行“姓名”列含有控制字符或无效字符（如 ESC、NUL 或不成对的代理字符），"
                                     "文件未导入；请在表格中删除这些字符后重新导入")
    assert Household.objects.count() == 0 and Member.objects.count() == 0
    only_address = [HEADER, ["301", "赵一", "户主", "", "", "一组1号", ""], ["305", "钱二", "户主", "", "", "东\x7f街", ""]]
    job = _import(csv_bytes(only_address, "utf-8"), "controls.csv", django_capture_on_commit_callbacks, mode=mode)
    assert job.report["summary"].startswith("第 3 行“住址”列含有控制字符或无效字符")
    assert Household.objects.count() == 0
