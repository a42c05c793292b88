import gzip
from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from qiancun.core.models import AuditEntry
from qiancun.regions.importer import RegionFileError, derive_village_type, import_file
from qiancun.regions.models import Region

pytestmark = pytest.mark.django_db
JILIN_CSV = "data/regions/jilin.csv"


def write(tmp_path, text: str, name="regions.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_real_jilin_tree_is_loaded_with_every_level():
    counts = Counter(Region.objects.values_list("level", flat=True))
    assert counts == {"province": 1, "city": 9, "county": 69, "township": 1075, "village": 11860}
    assert Region.objects.get(code="222401").parent_id == "2224"


def test_reimporting_the_same_file_changes_nothing():
    before = Region.objects.order_by("code").values_list("code", "name", "updated_at")[:50]
    before = list(before)
    report = import_file(JILIN_CSV)
    assert (report.added, report.updated, report.unchanged) == (0, 0, 13014)
    assert list(Region.objects.order_by("code").values_list("code", "name", "updated_at")[:50]) == before


def test_a_bad_file_names_every_bad_line_and_writes_nothing(tmp_path):
    path = write(
        tmp_path,
        "code,name,level,parent_code\n"
        "222401100299,新建村,village,222401100\n"  # line 2: fine on its own
        "222401999201,孤儿村,village,222401999\n"  # line 3: unknown parent
        "22240110029,短码村,village,222401100\n"  # line 4: 11 digits
        "222401100299,重复村,village,222401100\n"  # line 5: duplicate of line 2
        "222401100298,错级村,township,222401100\n",  # line 6: township code must be 9 digits
    )
    with pytest.raises(RegionFileError) as caught:
        import_file(path)
    reasons = {e.line: e.reason for e in caught.value.report.errors}
    assert set(reasons) == {3, 4, 5, 6}
    assert "222401999" in reasons[3] and "不存在" in reasons[3]
    assert "11 位" in reasons[4] and "12 位" in reasons[4]
    assert "重复" in reasons[5] and "第 2 行" in reasons[5]
    assert not Region.objects.filter(code="222401100299").exists()


def test_missing_columns_and_non_utf8_files_are_refused(tmp_path):
    with pytest.raises(RegionFileError) as caught:
        import_file(write(tmp_path, "code,name\n22,吉林省\n"))
    assert "level" in caught.value.report.errors[0].reason
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("code,name,level,parent_code\n222401100297,新村,village,222401100\n".encode("gbk"))
    with pytest.raises(RegionFileError) as caught:
        import_file(gbk)
    assert "UTF-8" in caught.value.report.errors[0].reason


def test_a_renamed_unit_is_updated_and_its_curated_fields_are_kept(tmp_path):
    village = Region.objects.get(code="222401100200")
    Region.objects.filter(pk=village.pk).update(is_key_border=True)
    path = write(tmp_path, "code,name,level,parent_code\n222401100200,小营新村,village,222401100\n")
    report = import_file(path)
    assert (report.added, report.updated) == (0, 1)
    village.refresh_from_db()
    assert village.name == "小营新村"
    assert village.name_initials == "xyxc"
    assert village.is_key_border is True


def test_gzipped_files_load_and_new_units_get_pinyin(tmp_path):
    path = tmp_path / "more.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("code,name,level,parent_code\n222401100296,靖宇新村,village,222401100\n")
    assert import_file(path).added == 1
    created = Region.objects.get(code="222401100296")
    assert (created.name_pinyin, created.name_initials, created.village_type) == ("jingyuxincun", "jyxc", "rural")


def test_village_type_follows_the_name_then_the_code_band():
    assert derive_village_type("222401001001", "向阳社区") == "urban"
    assert derive_village_type("222401100200", "小营村委会") == "rural"
    assert derive_village_type("220122400598", "洼中高农场虚拟生活区") == "rural"  # 5xx: like a villagers' committee
    assert derive_village_type("220106400498", "开发区虚拟区") == "urban"  # 4xx: like a residents' committee


def test_the_command_prints_a_summary_and_audits_it(capsys):
    call_command("import_regions", JILIN_CSV)
    assert "未变 13014" in capsys.readouterr().out
    entry = AuditEntry.objects.filter(action="import").latest("id")
    assert entry.changes == {"added": 0, "updated": 0, "unchanged": 13014}


def test_the_command_lists_bad_lines_and_fails(tmp_path, capsys):
    path = write(tmp_path, "code,name,level,parent_code\n9,坏,province,\n")
    with pytest.raises(CommandError, match="1 处错误"):
        call_command("import_regions", str(path))
    assert "第 2 行" in capsys.readouterr().err


@override_settings(QIANCUN_IMPORT_MAX_UNCOMPRESSED=1024 * 1024)
@pytest.mark.parametrize("filler", [b"a" * 64 * 1024, b"\n" * 64 * 1024])
def test_a_gzip_that_unpacks_past_the_import_limit_is_refused_while_unpacking(tmp_path, filler):
    # A 2 MB .csv.gz held 2 GB: the worker grew to 4 GB, or spent six minutes on newlines.
    path = tmp_path / "bomb.csv.gz"
    with gzip.open(path, "wb") as handle:
        handle.write(b"code,name,level,parent_code\n")
        for _ in range(40):  # 2.5 MB unpacked
            handle.write(filler)
    with pytest.raises(RegionFileError) as caught:
        import_file(path)
    assert [(e.line, e.reason) for e in caught.value.report.errors] == [
        (0, "文件解压后超过导入上限 1 MB（文件可能含大量无关内容或已损坏），未导入任何区划；请检查文件后重新上传")
    ]


def test_a_field_over_the_csv_limit_is_named_by_its_line_in_chinese(tmp_path):
    path = write(tmp_path, "code,name,level,parent_code\n222401100296,靖宇新村,village,222401100\n" + "a" * 200_000 + "\n")
    with pytest.raises(RegionFileError) as caught:
        import_file(path)
    assert [(e.line, e.reason) for e in caught.value.report.errors] == [
        (3, "这一行有一项超过 131072 个字符，不是区划文件的内容（文件可能已损坏）")
    ]
