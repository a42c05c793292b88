"""A standard's indicator sheet goes through the shared reader's limits (issue #11)."""

import pytest
from django.test import override_settings
from django.urls import reverse

from qiancun.core.testing import client_for, make_user
from qiancun.core.tests.tabular_files import MB, with_huge_shared_strings

from .factories import editable_copy, indicator_rows, upload

pytestmark = pytest.mark.django_db


@override_settings(QIANCUN_IMPORT_MAX_UNCOMPRESSED=8 * MB)
def test_an_indicator_sheet_that_is_a_zip_bomb_is_refused_and_changes_nothing():
    standard = editable_copy()
    before = indicator_rows(standard)
    client = client_for(make_user("admin", "22"))
    exported = client.get(reverse("standards:export", args=[standard.pk])).content
    response = client.post(f"/api/v1/standards/{standard.pk}/import", {"file": upload(with_huge_shared_strings(exported, 9))})
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid_file", "field": "file",
        "message": "文件解压后有 9 MB，超过导入上限 8 MB（文件可能含大量无关内容或已损坏）。请只保留需要导入的工作表和数据行，另存后重新上传",
    }
    assert indicator_rows(standard) == before
