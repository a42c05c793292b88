"""Targets are minimums, quotas are ceilings on nominations (total, key-border and poverty alike), issue #13."""

from datetime import date

import pytest
from django.urls import reverse

from qiancun.campaigns import actions, rules
from qiancun.campaigns.models import Campaign
from qiancun.core.errors import DomainError
from qiancun.core.models import AuditEntry
from qiancun.core.testing import api_token, client_for, make_user
from qiancun.regions.actions import do_update_village
from qiancun.regions.models import Region

from .factories import HUNCHUN, YANBIAN, YANJI, campaign_2022, with_quotas, yanji_villages

pytestmark = pytest.mark.django_db


def bearer(user) -> dict:
    return {"Authorization": f"Bearer {api_token(user)}"}


def flag(village, **flags):
    do_update_village(village, acting_user=make_user("admin", "22"), **flags)
    village.refresh_from_db()
    return village


def test_the_province_gives_the_cities_more_places_than_the_target_which_is_a_minimum():
    campaign = campaign_2022()  # 1000 以上, 其中 119 / 295
    province = make_user("admin", "22")
    actions.do_set_quota(campaign, Region.objects.get(code="2201"), acting_user=province, total=900, poverty=200)
    actions.do_set_quota(campaign, Region.objects.get(code=YANBIAN), acting_user=province, total=250, key_border=130, poverty=60)
    client = client_for(province)
    summary = client.get(reverse("campaigns:quotas", args=[2022])).content.decode()
    assert "已分配各市：<strong>示范村 1150 个、重点边境村 130 个、脱贫村 260 个</strong>" in summary
    assert "距目标还差：脱贫村 35 个。" in summary
    assert rules.RULE_SENTENCE in summary
    actions.do_set_quota(campaign, Region.objects.get(code="2202"), acting_user=province, total=40, poverty=35)
    assert '<span class="text-success" data-testid="quota-short">已达到目标。</span>' in client.get(reverse("campaigns:quotas", args=[2022])).content.decode()
    overview = client.get(reverse("campaigns:detail", args=[2022]))
    assert overview.context["data"]["allocated"] == {"total": 1190, "key_border": 130, "poverty": 295}
    assert "1000 个以上" in overview.content.decode() and rules.RULE_SENTENCE in overview.content.decode()


def test_a_city_gives_its_counties_no_more_than_it_has_and_the_message_has_the_numbers():
    campaign = with_quotas(campaign_2022(), city_total=100, county_total=60)
    city = make_user("admin", YANBIAN)
    with pytest.raises(DomainError) as caught:
        actions.do_set_quota(campaign, Region.objects.get(code=HUNCHUN), acting_user=city, total=41)
    assert caught.value.field == "total"
    assert caught.value.message == "示范村名额超出延边朝鲜族自治州的名额：已分配其他单位 60 个，本次 41 个，合计 101 个，延边朝鲜族自治州共 100 个"
    with pytest.raises(DomainError) as lower:  # nor can the province take back places the city has given out
        actions.do_set_quota(campaign, Region.objects.get(code=YANBIAN), acting_user=make_user("admin", "22"), total=59)
    assert lower.value.message == "示范村名额 59 个少于已分配给下级的 60 个"
    page = client_for(city).get(reverse("campaigns:quotas", args=[2022])).content.decode()
    assert "已分配各县：<strong>示范村 60 个、重点边境村 0 个、脱贫村 0 个</strong>；尚可分配：<strong data-testid=\"quota-left\">示范村 40 个、重点边境村 0 个、脱贫村 0 个</strong>" in page


def test_a_county_nominates_key_border_and_poverty_villages_only_within_those_places():
    campaign = campaign_2022()
    actions.do_set_quota(campaign, Region.objects.get(code=YANBIAN), acting_user=make_user("admin", "22"), total=100, key_border=10, poverty=10)
    actions.do_set_quota(campaign, Region.objects.get(code=HUNCHUN), acting_user=make_user("admin", YANBIAN), total=5, key_border=1, poverty=1)
    staff = make_user("staff", HUNCHUN)  # a border county
    hunchun = Region.objects.filter(code__startswith=HUNCHUN, level="village", village_type="rural").order_by("code")
    first_border, second_border, first_poor, second_poor, ordinary = hunchun[:5]
    flag(first_border, is_key_border=True)
    flag(second_border, is_key_border=True)
    flag(first_poor, is_poverty_alleviated=True)
    flag(second_poor, is_poverty_alleviated=True)
    actions.do_nominate(campaign, first_border, acting_user=staff)
    with pytest.raises(DomainError) as border:
        actions.do_nominate(campaign, second_border, acting_user=staff)
    assert border.value.message == f"{second_border.name}是重点边境村，本县重点边境村名额 1 个已用完，不能再提名（可请市级调增名额）"
    actions.do_nominate(campaign, first_poor, acting_user=staff)
    response = client_for(staff).post(reverse("campaigns:nominate", args=[2022]), {"village": second_poor.code, "track": "create"})
    assert response.context["form"].errors["village"] == [f"{second_poor.name}是脱贫村，本县脱贫村名额 1 个已用完，不能再提名（可请市级调增名额）"]
    actions.do_nominate(campaign, ordinary, acting_user=staff)  # ordinary villages still have places
    page = client_for(staff).get(reverse("campaigns:nominate", args=[2022])).content.decode()
    assert ("本县名额：示范村 5 个（已提名 3 个，尚余 2 个）；重点边境村 1 个（已提名 1 个，尚余 0 个）；"
            "脱贫村 1 个（已提名 1 个，尚余 0 个）。") in page
    assert rules.quota_problems(campaign) == ["各市示范村名额合计比全省目标少 900 个", "各市重点边境村名额合计比全省目标少 109 个",
                                              "各市脱贫村名额合计比全省目标少 285 个"]


def test_resubmitting_a_returned_nomination_needs_a_free_place():
    campaign = with_quotas(campaign_2022(), county_total=1)
    staff = make_user("staff", YANJI)
    returned, other = yanji_villages(2)
    enrollment = actions.do_nominate(campaign, returned, acting_user=staff)
    actions.do_review(enrollment, acting_user=make_user("staff", YANBIAN), approve=False, reason="材料不全")
    actions.do_nominate(campaign, other, acting_user=staff)  # the returned nomination freed its place
    with pytest.raises(DomainError) as full:
        actions.do_resubmit(enrollment, acting_user=staff)
    assert full.value.message == "本县示范村名额 1 个已用完，不能再提名（可请市级调增名额）"
    enrollment.refresh_from_db()
    assert enrollment.status == "returned"


def test_the_province_edits_targets_and_dates_on_the_campaign_page():
    campaign = with_quotas(campaign_2022(), city_total=100)
    province = client_for(make_user("admin", "22"))
    form = province.get(reverse("campaigns:edit", args=[2022]))
    assert form.status_code == 200 and form.context["form"]["target_total"].value() == 1000
    refused = province.post(reverse("campaigns:edit", args=[2022]), {
        "name": campaign.name, "target_total": 1100, "target_key_border": 120, "target_poverty": 300, "starts_on": "2022-05-17",
        "ends_on": "2022-03-01", "recheck_percent": 50, "spot_check_percent": 10, "document": campaign.document, "nomination_open": "on",
    })
    assert refused.context["form"].errors["ends_on"] == ["结束日期不能早于开始日期"]
    saved = province.post(reverse("campaigns:edit", args=[2022]), {
        "name": campaign.name, "target_total": 1100, "target_key_border": 120, "target_poverty": 300, "starts_on": "2022-05-17",
        "ends_on": "2022-12-31", "recheck_percent": 50, "spot_check_percent": 10, "document": "吉政办函〔2022〕52号", "nomination_open": "on",
    })
    assert saved["Location"] == reverse("campaigns:detail", args=[2022])
    campaign.refresh_from_db()
    assert (campaign.target_total, campaign.target_key_border, campaign.target_poverty) == (1100, 120, 300)
    assert (campaign.starts_on, campaign.ends_on, campaign.nomination_open) == (date(2022, 5, 17), date(2022, 12, 31), True)
    page = province.get(reverse("campaigns:detail", args=[2022])).content.decode()
    assert "2022年5月17日 至 2022年12月31日" in page and "1100 个以上" in page
    entry = AuditEntry.objects.filter(object_type__endswith="campaign").order_by("-id").first()
    assert entry.changes["target_total"] == [1000, 1100] and entry.changes["ends_on"] == [None, "2022-12-31"]
    assert client_for(make_user("admin", YANBIAN)).get(reverse("campaigns:edit", args=[2022])).status_code == 403


def test_targets_may_be_set_below_or_above_what_the_cities_were_given_through_the_api(client):
    campaign = with_quotas(campaign_2022(), city_total=100)
    headers = bearer(make_user("admin", "22"))
    lowered = client.patch("/api/v1/campaigns/2022", {"target_total": 50, "target_key_border": 0, "target_poverty": 0, "starts_on": "2022-03-01"},
                           content_type="application/json", headers=headers)
    assert lowered.status_code == 200
    assert (lowered.json()["target_total"], lowered.json()["starts_on"], lowered.json()["ends_on"]) == (50, "2022-03-01", None)
    overview = client.get("/api/v1/campaigns/2022/overview", headers=headers).json()
    assert overview["target"] == {"total": 50, "key_border": 0, "poverty": 0}
    assert overview["allocated"] == {"total": 100, "key_border": 0, "poverty": 0}
    assert overview["short_of_target"] == {"total": 0, "key_border": 0, "poverty": 0}
    client.patch("/api/v1/campaigns/2022", {"target_total": 1000}, content_type="application/json", headers=headers)
    overview = client.get("/api/v1/campaigns/2022/overview", headers=headers).json()
    assert overview["short_of_target"] == {"total": 900, "key_border": 0, "poverty": 0}
    city = client.get("/api/v1/campaigns/2022/overview", {"region": YANBIAN}, headers=headers).json()
    assert (city["target"]["total"], city["allocated"]["total"], city["short_of_target"]) == (1000, 100, None)
    wrong_year = client.patch("/api/v1/campaigns/2022", {"starts_on": "2021-12-01"}, content_type="application/json", headers=headers)
    assert wrong_year.status_code == 400 and wrong_year.json() == {"code": "invalid", "message": "开始日期须在 2022 年内", "field": "starts_on"}
    no_name = client.patch("/api/v1/campaigns/2022", {"name": None}, content_type="application/json", headers=headers)
    assert no_name.status_code == 400 and no_name.json()["message"] == "名称不能为空"
    assert Campaign.objects.get(year=2022).name == campaign.name
