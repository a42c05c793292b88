"""Every household of a region in one Excel file: masked as on screen, streamed from a temporary file,
audited, inside the scope only, in a number of queries that does not grow with the households."""

import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from qiancun.core.models import AuditEntry
from qiancun.core.testing import HUNCHUN, HUNCHUN_VILLAGE, YANJI, YANJI_VILLAGE, client_for, make_user
from qiancun.participation import exports
from qiancun.participation.models import Household
from qiancun.regions.models import Region

from .factories import give_points, household, id_number

pytestmark = pytest.mark.django_db

OTHER_YANJI_VILLAGE = "222401100201"


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def rows(content: bytes) -> list[tuple]:
    return list(load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True))


def registry():
    """Two households in 小营村 (one of two members), one in another 延吉 village, one in 珲春."""
    first = household(YANJI_VILLAGE, number="001", head="张三", members=[
        {"name": "张三", "relation": "head", "id_number": id_number(501), "phone": "13800138000"},
        {"name": "李四", "relation": "spouse", "id_number": id_number(502), "phone": ""},
    ])
    give_points(first, 30)
    second = household(YANJI_VILLAGE, number="002", head="王五")
    third = household(OTHER_YANJI_VILLAGE, number="001", head="赵六")
    far = household(HUNCHUN_VILLAGE, number="001", head="孙七")
    return first, second, third, far


def test_a_county_exports_all_its_villages_masked_as_on_screen_and_the_export_is_audited():
    first, second, third, _far = registry()
    response = client_for(make_user("staff", YANJI)).get(f"/participation/regions/{YANJI}/households/export/")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == f'attachment; filename="households-{YANJI}.xlsx"'
    content = body(response)
    table = rows(content)
    assert table[0] == tuple(exports.COLUMNS)
    head, spouse = first.members.order_by("id")
    assert table[1] == ("延边朝鲜族自治州", "延吉市", "小营镇", "小营村委会", YANJI_VILLAGE, "001", "张三", "户主",
                        head.id_masked, "138****8000", None, None, 30)  # empty cells for no address, no group
    assert table[2][6:10] == ("李四", "配偶", spouse.id_masked, None)
    assert [r[4:7] for r in table[1:]] == [(YANJI_VILLAGE, "001", "张三"), (YANJI_VILLAGE, "001", "李四"),
                                          (YANJI_VILLAGE, "002", "王五"), (OTHER_YANJI_VILLAGE, "001", "赵六")]  # not 珲春's
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert head.reveal()["id_number"] not in sheet_xml and "13800138000" not in sheet_xml
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor.username == f"t_staff_{YANJI}" and entry.region_code == YANJI
    assert entry.changes == {"households": 3, "rows": 4} and "已脱敏" in entry.object_repr


def test_the_province_exports_through_the_api_and_a_region_outside_the_scope_is_404():
    registry()
    leader = client_for(make_user("leader", "22"))
    response = leader.get("/api/v1/participation/regions/22/households/export")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert len(rows(body(response))) == 1 + 5
    county = client_for(make_user("staff", YANJI))
    refused = county.get(f"/api/v1/participation/regions/{HUNCHUN}/households/export")
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"
    assert county.get(f"/participation/regions/{HUNCHUN}/households/export/").status_code == 404
    assert client_for(make_user("inspector", "22")).get("/participation/regions/22/households/export/").status_code == 403
    assert AuditEntry.objects.filter(action="export").count() == 1  # refusals export nothing


def test_the_temporary_file_is_gone_once_the_response_has_it():
    registry()
    export = exports.export_households(Region.objects.get(code=YANJI), acting_user=make_user("staff", YANJI))
    assert export.path.exists() and (export.households, export.rows) == (3, 4)
    response = exports.download(export)
    assert not export.path.exists()
    assert len(rows(body(response))) == 5


def test_the_export_takes_the_same_queries_for_four_households_or_forty():
    registry()
    client = client_for(make_user("leader", "22"))

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            body(client.get("/participation/regions/22/households/export/"))
        return len(captured.captured_queries)

    before = count()
    for n in range(36):
        household(OTHER_YANJI_VILLAGE, number=f"1{n:02d}")
    assert Household.objects.count() == 40
    assert count() == before


def test_the_region_page_offers_the_export():
    html = client_for(make_user("staff", YANJI)).get(f"/participation/?region={YANJI}").content.decode()
    assert f"/participation/regions/{YANJI}/households/export/" in html and "已脱敏" in html
