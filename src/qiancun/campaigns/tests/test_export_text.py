"""The enrollment list (issue #11): a tag whose name begins like a formula stays text in the workbook."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from qiancun.campaigns import actions
from qiancun.core.testing import client_for, make_user

from .factories import YANJI, campaign_2022, with_quotas, yanji_villages

pytestmark = pytest.mark.django_db


def test_a_tag_that_looks_like_a_formula_stays_text_in_the_enrollment_list():
    campaign = with_quotas(campaign_2022())
    tag = actions.do_create_tag(acting_user=make_user("admin", "22"), kind="village_class", name="=1+1")
    staff = make_user("staff", YANJI)
    enrollment = actions.do_nominate(campaign, yanji_villages(1)[0], acting_user=staff)
    actions.do_set_tags(enrollment, acting_user=staff, tag_ids=[tag.pk])
    sheet = load_workbook(io.BytesIO(client_for(staff).get(reverse("campaigns:enrollments_export", args=[2022])).content)).active
    cell = sheet.cell(row=3, column=10)
    assert cell.value == "=1+1" and cell.data_type == "s" and cell.quotePrefix
