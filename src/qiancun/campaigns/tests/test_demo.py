"""The demo's campaigns keep every rule the platform enforces (issue #13).

The full seeding (both years through the actions, about a minute on SQLite) runs with the long tests;
the allocation alone, which decides every quota and share, runs in the quick suite.
"""

from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from qiancun.accounts.gate import password_expired
from qiancun.accounts.models import User
from qiancun.campaigns import rules
from qiancun.campaigns.demo import SHANGHAI, _allocate, _create, _flag_villages, seed_campaigns
from qiancun.campaigns.models import Campaign, Enrollment, EnrollmentEvent, Quota, ShortfallItem
from qiancun.core.testing import client_for, province_admin
from qiancun.regions.models import Region

pytestmark = pytest.mark.django_db
# The full seeding runs on SQLite, the database of `make demo`; on PostgreSQL it cost CI 3 minutes more.
demo_database_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the demo is seeded on SQLite (make demo)")

YANJI = "222401"  # the demo's county login (yanji_staff) works here


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """seed_campaigns once for the module (about a minute on SQLite), rolled back at the end."""
    from django.db import transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            seed_campaigns(province_admin(), "Demo@2022qc")
            yield {campaign.year: campaign for campaign in Campaign.objects.all()}
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def test_the_demos_allocation_reaches_the_targets_and_leaves_every_county_room():
    import random

    from qiancun.standards.models import Standard

    admin = province_admin()
    _flag_villages(random.Random(52), admin)
    campaign = _create(admin, Standard.objects.filter(year=2022).first(), 2022, name="2022年“千村示范”创建",
                       target_total=1000, target_key_border=119, target_poverty=295)
    shares = _allocate(campaign, admin, "Demo@2022qc")
    assert rules.quota_problems(campaign) == []
    assert {key: sum(share[key] for share in shares.values()) for key in rules.KINDS} == {"total": 1000, "key_border": 119, "poverty": 295}
    quotas = {q.region_id: q for q in Quota.objects.filter(campaign=campaign, region__level="county")}
    assert len(quotas) == len(shares) and sum(q.total for q in quotas.values()) > 1100
    crowded = []  # counties whose share of the target would fill every place while villages are left
    for code, share in shares.items():
        villages = Region.objects.filter(level="village", village_type="rural").within(code).count()
        if quotas[code].total <= share["total"] < villages:
            crowded.append(code)
    assert crowded == []


@pytest.mark.long
@demo_database_only
def test_the_demo_breaks_no_quota_rule_and_reaches_its_targets(demo):
    assert sorted(demo) == [2021, 2022]
    for campaign in demo.values():
        assert Quota.objects.filter(campaign=campaign).count() > 60
        assert rules.quota_problems(campaign) == []
    c2022 = demo[2022]
    active = Enrollment.objects.filter(campaign=c2022).active()
    assert active.count() == 1000
    assert active.filter(village__is_key_border=True).count() == 119
    assert active.filter(village__is_poverty_alleviated=True).count() == 295


@pytest.mark.long
@demo_database_only
def test_every_county_of_the_demo_can_still_nominate_in_2022(demo):
    c2022 = demo[2022]
    assert c2022.nomination_open
    counties = Quota.objects.filter(campaign=c2022, region__level="county", total__gt=0)
    assert counties.count() > 40
    full = []  # counties with a village left to nominate but no place for it
    for quota in counties:
        used = Enrollment.objects.filter(campaign=c2022).active().within(quota.region_id).count()
        villages = Region.objects.filter(level="village", village_type="rural").within(quota.region_id).count()
        if used < villages and used >= quota.total:
            full.append(quota.region.name)
    assert full == []
    officers = User.objects.filter(username__regex=r"^(admin|staff)_[0-9]+$")
    assert officers.count() > 70
    assert [u.username for u in officers if password_expired(u)] == []  # made today, not in 2021
    staff = client_for(User.objects.get(username=f"staff_{YANJI}"))
    village = Region.objects.filter(code__startswith=YANJI, level="village", village_type="rural", is_key_border=False,
                                    is_poverty_alleviated=False).exclude(enrollments__campaign=c2022).order_by("code").first()
    response = staff.post(reverse("campaigns:nominate", args=[2022]), {"village": village.code, "track": "create"})
    assert response.status_code == 302
    assert Enrollment.objects.get(campaign=c2022, village=village).status == "nominated"


@pytest.mark.long
@demo_database_only
def test_the_demo_timeline_is_dated_in_its_campaign_year(demo):
    for year, campaign in demo.items():
        assert (campaign.starts_on, campaign.ends_on) == (date(year, 3, 1), date(year, 12, 31))
        events = EnrollmentEvent.objects.filter(enrollment__campaign=campaign)
        assert events.count() > 2000
        years = {at.astimezone(SHANGHAI).year for at in events.values_list("at", flat=True)}
        assert years == {year}
        nominated = {e.created_at.astimezone(SHANGHAI).year for e in Enrollment.objects.filter(campaign=campaign)}
        assert nominated == {year}
        due = {d.year for d in ShortfallItem.objects.filter(enrollment__campaign=campaign).values_list("due_date", flat=True)}
        assert due == {year}
    # The province confirms 2022 villages before the counties' self-checks start (20 May 2022).
    confirmed = EnrollmentEvent.objects.filter(enrollment__campaign=demo[2022], step="confirm").values_list("at", flat=True)
    assert max(at.astimezone(SHANGHAI).date() for at in confirmed) < date(2022, 5, 20)
    first = Enrollment.objects.filter(campaign=demo[2022], status="creating").order_by("village_id").first()
    steps = list(first.events.order_by("at").values_list("step", flat=True))
    assert steps == ["nominate", "approve", "confirm"]
