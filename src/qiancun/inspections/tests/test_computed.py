"""A standard whose 十户一组 indicator is computed: the inspection takes the verdict from the village's own data."""

from datetime import date

import pytest

from qiancun.campaigns.tests.factories import campaign_2022
from qiancun.core.errors import DomainError
from qiancun.core.testing import make_user
from qiancun.inspections import actions
from qiancun.participation import actions as participation
from qiancun.standards import actions as standards
from qiancun.standards.models import Standard

from .factories import YANJI, confirmed_campaign, evidence

pytestmark = pytest.mark.django_db


def computed_standard() -> Standard:
    admin = make_user("admin", "22")
    revision = standards.do_create_revision(Standard.objects.get(year=2022, version=1), acting_user=admin)
    grid = revision.indicators.get(code="有6")
    standards.do_update_indicator(grid, acting_user=admin, judged_by="computed", computation="ten_household_group_coverage")
    return revision


def test_ten_household_groups_decide_the_indicator_at_inspection_time():
    campaign_2022(standard_id=computed_standard().pk)
    campaign, _ = confirmed_campaign(per_county=2)
    staff = make_user("staff", YANJI)
    round = actions.do_create_round(campaign, acting_user=staff, kind="self_check", name="自查", starts_on=date(2022, 5, 20), ends_on=date(2022, 6, 10))
    grouped, ungrouped = actions.eligible(round).order_by("village_id")
    for enrollment, in_groups in ((grouped, True), (ungrouped, False)):
        village_staff = make_user("staff", enrollment.village_id)
        homes = [participation.do_create_household(enrollment.village, acting_user=village_staff, number=f"{n:03d}", head_name=f"户主{n}") for n in range(3)]
        if in_groups:
            group = participation.do_create_group(enrollment.village, acting_user=village_staff, name="第一组")
            participation.do_assign_households(group, [h.pk for h in homes], acting_user=village_staff)
    manual = {i.pk: "met" for i in campaign.standard.indicators.exclude(judged_by="computed")}
    results = {}
    for enrollment in (grouped, ungrouped):
        record = actions.do_record_inspection(round, enrollment, acting_user=staff, verdicts=manual, photos=evidence(campaign))
        verdict = record.verdicts.get(indicator__code="有6")
        results[enrollment.pk] = (record.passed, verdict.verdict, verdict.computed, verdict.note)
    assert results[grouped.pk][:3] == (True, "met", True) and "3 户中 3 户" in results[grouped.pk][3]
    assert results[ungrouped.pk][:3] == (False, "not_met", True)
    assert ungrouped.problems.filter(indicator__code="有6").exists()  # and it is a problem to fix
    patrol = actions.do_create_round(campaign, acting_user=staff, kind="patrol", name="巡检", starts_on=date(2022, 7, 1), ends_on=date(2022, 7, 2))
    draft = actions.do_start_inspection(patrol, ungrouped, acting_user=staff)
    with pytest.raises(DomainError) as overrule:  # an inspector cannot overrule a computed indicator
        actions.do_save_verdict(draft, campaign.standard.indicators.get(code="有6").pk, acting_user=staff, verdict="met")
    assert "自动计算" in overrule.value.message
