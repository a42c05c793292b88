"""Nomination sheets as counties keep them (issue #11): a title above the header, the codes' usual
heading, CSV; and the import limits that protect the server."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from qiancun.campaigns.models import Enrollment
from qiancun.core.testing import client_for, make_user
from qiancun.core.tests.tabular_files import MB, csv_bytes, with_huge_shared_strings, xlsx

from .factories import YANJI, campaign_2022, with_quotas, yanji_villages

pytestmark = pytest.mark.django_db


def _post(content: bytes, name: str):
    client = client_for(make_user("staff", YANJI))
    return client.post(reverse("campaigns:nominations_import", args=[2022]), {"file": SimpleUploadedFile(name, content)})


def test_a_nomination_sheet_under_a_title_with_a_region_code_heading_and_a_totals_row_is_imported():
    campaign = with_quotas(campaign_2022())
    codes = [v.code for v in yanji_villages(2)]
    rows = [["延吉市2022年“千村示范”创建村推荐名单"], ["区划代码", "类型", "标签", "备注"],
            [int(codes[0]), "创建", "", ""], [codes[1], "创建", "", ""], ["合计", "2个村"]]
    response = _post(xlsx(rows, merges=["A1:D1"]), "推荐名单.xlsx")
    assert response.status_code == 302, response.content.decode()[:300]
    assert sorted(Enrollment.objects.filter(campaign=campaign).values_list("village_id", flat=True)) == sorted(codes)


def test_a_gbk_csv_nomination_sheet_is_imported():
    campaign = with_quotas(campaign_2022())
    code = yanji_villages(1)[0].code
    response = _post(csv_bytes([["村区划代码", "类型", "标签", "说明"], [code, "创建", "", "示范带"]], "gbk"), "提名.csv")
    assert response.status_code == 302, response.content.decode()[:300]
    assert list(Enrollment.objects.filter(campaign=campaign).values_list("village_id", flat=True)) == [code]


@override_settings(QIANCUN_IMPORT_MAX_UNCOMPRESSED=8 * MB)
def test_a_zip_bomb_nomination_sheet_is_refused_before_it_is_read():
    with_quotas(campaign_2022())
    bomb = with_huge_shared_strings(xlsx([["村区划代码", "类型", "标签", "说明"]]), 9)
    response = _post(bomb, "提名.xlsx")
    assert response.status_code == 400
    assert response.context["import_form"].errors["file"] == [
        "文件解压后有 9 MB，超过导入上限 8 MB（文件可能含大量无关内容或已损坏）。请只保留需要导入的工作表和数据行，另存后重新上传"
    ]
