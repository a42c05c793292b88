"""验收进度总览: status counts, coverage of the three acceptance levels against their rules, pass rates
and open problems, per city and per county, in a constant number of queries. And the rounds list
without its old N+1 (two coverage counts per round)."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiancun.core.testing import client_for, make_user
from qiancun.inspections import actions, queries
from qiancun.inspections.models import InspectionRound
from qiancun.regions.models import Region

from .factories import HUNCHUN, YANBIAN, YANJI, confirmed_campaign, drawn, inspect, self_check

pytestmark = pytest.mark.django_db


def acceptance_under_way():
    """4 villages each in 延吉 and 珲春, confirmed. 延吉's self-check is signed off with one failure,
    珲春's is inspected but not yet submitted; the city re-checks 2 of 延吉's 3 passed villages (one
    fails), the province spot-checks 1 of them (passes). Each failure opens one problem."""
    campaign, enrollments = confirmed_campaign(per_county=4)
    yanji = [e for e in enrollments if e.village_id.startswith(YANJI)]
    self_check(campaign, YANJI, failing_codes={yanji[0].village_id: {"无1"}})
    self_check(campaign, HUNCHUN, sign_off=False)
    city = make_user("staff", YANBIAN)
    recheck = actions.do_create_round(campaign, acting_user=city, kind="re_check", name="延边复验",
                                      starts_on=date(2022, 6, 11), ends_on=date(2022, 6, 20))
    drawn(recheck, city)
    rechecked = list(actions.targets(recheck))
    assert len(rechecked) == 2  # 50% of 延吉's 3 passed villages, rounded up
    inspect(recheck, rechecked[0], city, failing={"无2"})
    inspect(recheck, rechecked[1], city)
    province = make_user("staff", "22")
    spot = actions.do_create_round(campaign, acting_user=province, kind="spot_check", name="省级抽查",
                                   starts_on=date(2022, 6, 21), ends_on=date(2022, 6, 30))
    drawn(spot, province)
    inspect(spot, actions.targets(spot).get(), province)
    return campaign


def kind(figures, name):
    k = figures["kinds"][name]
    return (k["inspected"], k["eligible"], k["percent"], k["met"], k["passed"], k["submitted"])


def test_the_province_sees_each_city_with_coverage_against_the_rules_pass_rates_and_problems():
    campaign = acceptance_under_way()
    data = queries.dashboard(campaign, Region.objects.get(code="22"), make_user("leader", "22"))
    assert [row["region"].code for row in data["rows"]] == list(Region.objects.filter(parent_id="22").order_by("code").values_list("code", flat=True))
    yanbian = next(row for row in data["rows"] if row["region"].code == YANBIAN)
    assert yanbian["confirmed"] == 8 and yanbian["nominated"] == 8
    assert yanbian["statuses"]["self_checked"] == 3 and yanbian["statuses"]["creating"] == 5  # 1 failed, 4 not signed off
    assert kind(yanbian, "self_check") == (8, 8, 100.0, True, 7, 8)
    assert kind(yanbian, "re_check") == (2, 3, 66.7, True, 1, 2)      # of the 3 villages signed off as passed
    assert kind(yanbian, "spot_check") == (1, 3, 33.3, True, 1, 1)
    assert yanbian["kinds"]["re_check"]["required"] == 50 and yanbian["kinds"]["spot_check"]["required"] == 10
    assert yanbian["problems"] == {"open": 2, "overdue": 0}
    changchun = data["rows"][0]
    assert changchun["confirmed"] == 0 and changchun["kinds"]["self_check"]["percent"] is None
    assert data["totals"]["kinds"] == yanbian["kinds"] and data["totals"]["problems"] == yanbian["problems"]


def test_drilling_into_the_city_shows_its_counties_and_the_totals_add_up():
    campaign = acceptance_under_way()
    data = queries.dashboard(campaign, Region.objects.get(code=YANBIAN), make_user("staff", YANBIAN))
    rows = {row["region"].code: row for row in data["rows"]}
    assert kind(rows[YANJI], "self_check") == (4, 4, 100.0, True, 3, 4)
    assert kind(rows[YANJI], "re_check") == (2, 3, 66.7, True, 1, 2)
    assert kind(rows[HUNCHUN], "self_check") == (4, 4, 100.0, True, 4, 4)
    assert kind(rows[HUNCHUN], "re_check") == (0, 0, None, False, 0, 0)  # not signed off yet: nothing to re-check
    assert rows[YANJI]["drillable"] and rows[YANJI]["problems"]["open"] == 2 and rows[HUNCHUN]["problems"]["open"] == 0
    assert data["totals"]["confirmed"] == sum(row["confirmed"] for row in data["rows"]) == 8


def test_the_page_shows_the_numbers_and_refuses_a_region_outside_the_scope():
    campaign = acceptance_under_way()
    page = client_for(make_user("leader", "22")).get(reverse("inspections:dashboard", args=[campaign.year]), {"region": YANBIAN})
    html = page.content.decode()
    assert page.status_code == 200 and "验收进度总览" in html and "延吉市" in html
    assert 'data-chart="acceptance-dashboard"' in html and "66.7%" in html and "8/8" in html
    county = client_for(make_user("staff", YANJI))
    assert county.get(reverse("inspections:dashboard", args=[2022]), {"region": HUNCHUN}).status_code == 404
    own = county.get(reverse("inspections:dashboard", args=[2022]))
    assert own.context["data"]["region"].code == YANJI and own.context["data"]["totals"]["confirmed"] == 4
    assert client_for(make_user("leader", "22")).get(reverse("inspections:dashboard", args=[1999])).status_code == 404


def test_the_api_answers_the_same_figures_and_404_outside_the_scope():
    campaign = acceptance_under_way()
    body = client_for(make_user("leader", "22")).get(f"/api/v1/campaigns/{campaign.year}/dashboard", {"region": YANBIAN}).json()
    assert body["region_code"] == YANBIAN and body["child_level"] == "county" and body["campaign_year"] == 2022
    yanji = next(row for row in body["rows"] if row["code"] == YANJI)
    assert yanji["name"] == "延吉市" and yanji["kinds"]["re_check"] == {
        "kind": "re_check", "label": "市级复验", "eligible": 3, "inspected": 2, "percent": 66.7, "required": 50, "met": True,
        "submitted": 2, "passed": 1, "pass_percent": 50.0,
    }
    assert body["totals"]["statuses"]["creating"] == 5 and body["totals"]["problems"]["open"] == 2
    default = client_for(make_user("staff", YANBIAN)).get("/api/v1/campaigns/2022/dashboard").json()
    assert default["region_code"] == YANBIAN
    refused = client_for(make_user("staff", YANJI)).get("/api/v1/campaigns/2022/dashboard", {"region": HUNCHUN})
    assert refused.status_code == 404 and refused.json()["code"] == "not_found"


def test_the_dashboard_takes_four_queries_however_many_regions_rounds_and_records(django_assert_num_queries):
    campaign, _ = confirmed_campaign(per_county=2)
    user = make_user("leader", "22")
    province = Region.objects.get(code="22")
    with django_assert_num_queries(4):
        queries.dashboard(campaign, province, user)
    self_check(campaign, YANJI)
    self_check(campaign, HUNCHUN)
    for region in (province, Region.objects.get(code=YANBIAN), Region.objects.get(code=YANJI)):
        with django_assert_num_queries(4):  # enrollments, records, problems (grouped), child regions
            queries.dashboard(campaign, region, user)


def test_the_dashboard_api_request_does_not_grow_with_the_data():
    campaign, _ = confirmed_campaign(per_county=2)
    client = client_for(make_user("leader", "22"))

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/api/v1/campaigns/{campaign.year}/dashboard").status_code == 200
        return len(captured.captured_queries)

    before = count()
    self_check(campaign, YANJI)
    self_check(campaign, HUNCHUN)
    assert count() == before


def test_the_rounds_list_computes_every_coverage_in_one_query():
    campaign = acceptance_under_way()
    client = client_for(make_user("leader", "22"))

    def page():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("inspections:index"))
        return response, len(captured.captured_queries)

    first, few = page()
    patrol = actions.do_create_round(campaign, acting_user=make_user("staff", YANJI), kind="patrol", name="巡检",
                                     starts_on=date(2022, 7, 1), ends_on=date(2022, 7, 31))
    actions.do_create_round(campaign, acting_user=make_user("staff", HUNCHUN), kind="look_back", name="回头看",
                            starts_on=date(2022, 7, 1), ends_on=date(2022, 7, 31))
    second, more = page()
    assert more == few  # was two more queries per round
    rounds = list(second.context["page_obj"])
    assert len(rounds) == 6 and patrol.pk in [r.pk for r in rounds]
    for round in rounds:
        assert round.coverage == actions.coverage(round), round.name


def test_a_cached_dashboard_shows_the_next_action_at_once():
    campaign = acceptance_under_way()
    city, leader = Region.objects.get(code=YANBIAN), make_user("leader", "22")

    def hunchun():
        return next(row for row in queries.dashboard(campaign, city, leader)["rows"] if row["region"].code == HUNCHUN)

    before = hunchun()
    assert before["statuses"]["self_checked"] == 0 and hunchun() == before  # the second read comes from the cache
    with CaptureQueriesContext(connection) as cached:
        hunchun()
    assert len(cached) == 0

    # 珲春 submits its self-check and the city signs it off: the next read shows it, cache or not.
    round = InspectionRound.objects.get(campaign=campaign, region_id=HUNCHUN, kind="self_check")
    actions.do_submit_round(round, acting_user=make_user("staff", HUNCHUN))
    actions.do_sign_off(round, acting_user=make_user("staff", YANBIAN), accept=True)

    after = hunchun()
    assert after["statuses"]["self_checked"] == 4 and after["kinds"]["re_check"]["eligible"] == 4
