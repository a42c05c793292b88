import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from qiancun.core.models import AuditEntry
from qiancun.core.testing import HUNCHUN, HUNCHUN_VILLAGE, YANJI, YANJI_VILLAGE, client_for, make_user
from qiancun.regions.models import Region, RegionImport

pytestmark = pytest.mark.django_db


def test_county_staff_browse_their_county_and_nothing_else():
    client = client_for(make_user("staff", YANJI))
    index = client.get(reverse("regions:index"))
    assert index.status_code == 302 and index["Location"] == reverse("regions:detail", args=[YANJI])
    page = client.get(reverse("regions:detail", args=[YANJI]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "小营镇" in content and "依兰镇" in content
    assert page.context["page_obj"].paginator.count == 14
    assert client.get(reverse("regions:detail", args=[HUNCHUN_VILLAGE])).status_code == 404
    assert client.get(reverse("regions:detail", args=["2224"])).status_code == 404  # the prefecture above


def test_breadcrumbs_show_ancestors_above_the_scope_without_links():
    client = client_for(make_user("staff", YANJI))
    crumbs = client.get(reverse("regions:detail", args=[YANJI_VILLAGE])).context["breadcrumbs"]
    assert [c["name"] for c in crumbs] == ["吉林省", "延边朝鲜族自治州", "延吉市", "小营镇", "小营村委会"]
    assert [c["linked"] for c in crumbs] == [False, False, True, True, False]


def test_children_sort_by_name_and_page():
    client = client_for(make_user("staff", "22"))
    page = client.get(reverse("regions:detail", args=["2201"]), {"sort": "-code"})
    codes = [r.code for r in page.context["page_obj"]]
    assert codes == sorted(codes, reverse=True)
    townships = client.get(reverse("regions:detail", args=["220112"]), {"page": 1})
    assert townships.status_code == 200


@pytest.mark.parametrize(
    ("text", "expected"),
    [("jyx", "靖宇县"), ("jingyu", "靖宇县"), ("靖宇", "靖宇县"), ("222401", "延吉市")],
)
def test_search_by_name_pinyin_initials_or_code(text, expected):
    client = client_for(make_user("staff", "22"))
    response = client.get(reverse("regions:search"), {"q": text})
    assert expected in [r.name for r in response.context["results"]]


def test_search_stays_inside_the_scope():
    client = client_for(make_user("staff", YANJI))
    names = [r.name for r in client.get(reverse("regions:search"), {"q": "jyx"}).context["results"]]
    assert "靖宇县" not in names
    partial = client.get(reverse("regions:search"), {"q": "xiaoying"}, headers={"HX-Request": "true"})
    assert "小营村委会" in partial.content.decode() and "<html" not in partial.content.decode()


def test_village_staff_correct_a_village_and_the_change_is_audited():
    user = make_user("staff", HUNCHUN)
    client = client_for(user)
    response = client.post(
        reverse("regions:village_edit", args=[HUNCHUN_VILLAGE]),
        {"village_type": "rural", "is_key_border": "on", "longitude": "130.3658", "latitude": "42.8624"},
    )
    assert response.status_code == 302
    village = Region.objects.get(code=HUNCHUN_VILLAGE)
    assert village.is_key_border and str(village.longitude) == "130.365800"
    entry = AuditEntry.objects.filter(object_id=HUNCHUN_VILLAGE, action="update").latest("id")
    assert entry.actor == user and entry.changes["is_key_border"] == [False, True]
    detail = client.get(reverse("regions:detail", args=[HUNCHUN_VILLAGE])).content.decode()
    assert "重点边境村" in detail and "否 → 是" in detail


def test_key_border_villages_lie_only_in_border_counties():
    client = client_for(make_user("staff", YANJI))
    response = client.post(reverse("regions:village_edit", args=[YANJI_VILLAGE]), {"village_type": "rural", "is_key_border": "on"})
    assert "边境县" in response.context["form"].errors["is_key_border"][0]
    assert Region.objects.get(code=YANJI_VILLAGE).is_key_border is False


def test_a_bad_coordinate_is_named_in_chinese_and_nothing_is_saved():
    client = client_for(make_user("staff", YANJI))
    response = client.post(
        reverse("regions:village_edit", args=[YANJI_VILLAGE]),
        {"village_type": "rural", "is_poverty_alleviated": "on", "longitude": "429.5", "latitude": "42.9"},
    )
    assert response.status_code == 200
    assert "经度" in response.context["form"].errors["longitude"][0]
    assert Region.objects.get(code=YANJI_VILLAGE).is_poverty_alleviated is False


def test_leaders_read_but_cannot_edit_villages():
    client = client_for(make_user("leader", "22"))
    assert client.get(reverse("regions:detail", args=[YANJI_VILLAGE])).status_code == 200
    assert client.get(reverse("regions:village_edit", args=[YANJI_VILLAGE])).status_code == 403


def test_province_admin_imports_a_file_in_the_background_and_reads_the_result(django_capture_on_commit_callbacks):
    client = client_for(make_user("admin", "22"))
    upload = SimpleUploadedFile("new.csv", "code,name,level,parent_code\n222401100295,试点新村,village,222401100\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("regions:import_list"), {"file": upload})
    job = RegionImport.objects.latest("id")
    assert response["Location"] == reverse("regions:import_detail", args=[job.pk])
    assert job.status == "succeeded" and job.report["added"] == 1
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and "新增 1" in page
    assert Region.objects.filter(code="222401100295").exists()


def test_a_failed_background_import_lists_the_bad_lines(django_capture_on_commit_callbacks):
    client = client_for(make_user("admin", "22"))
    upload = SimpleUploadedFile("bad.csv", "code,name,level,parent_code\n2224011002,坏,village,222401100\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("regions:import_list"), {"file": upload})
    job = RegionImport.objects.latest("id")
    assert job.status == "failed"
    page = client.get(reverse("regions:import_detail", args=[job.pk])).content.decode()
    assert "未导入任何数据" in page and "10 位" in page


def test_only_the_province_administrator_imports_regions():
    assert client_for(make_user("admin", "2201")).get(reverse("regions:import_list")).status_code == 403
