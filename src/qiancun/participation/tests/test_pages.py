"""Pages village staff and farmers use: groups, ratings, the bank, the counter, the farmer's own page."""

from datetime import date

import pytest

from qiancun.accounts.actions import do_create_api_token
from qiancun.core.testing import YANJI, YANJI_VILLAGE, client_for, make_user
from qiancun.participation import actions
from qiancun.participation.models import PointsAccount, Redemption
from qiancun.standards import computations

from .factories import county_criteria, give_points, goods, household, village_staff

pytestmark = pytest.mark.django_db


def test_groups_ratings_and_computed_coverage():
    county_criteria()
    staff = village_staff()
    a, b = household(), household()
    group = actions.do_create_group(a.village, acting_user=staff, name="第一组")
    assert computations.get("ten_household_group_coverage")(a.village).verdict == "not_met"
    actions.do_assign_households(group, [a.pk, b.pk], acting_user=staff)
    actions.do_set_group_leader(group, acting_user=staff, member_id=a.members.first().pk)
    assert computations.get("ten_household_group_coverage")(a.village).verdict == "met"
    rnd = actions.do_create_round(a.village, acting_user=staff, name="二季度", starts_on=date(2022, 4, 1), ends_on=date(2022, 6, 30), pass_score=80)
    criteria = list(actions.criteria_for(YANJI_VILLAGE))
    client = client_for(staff)
    client.post(f"/participation/ratings/{rnd.pk}/", {"household": a.pk, **{f"score_{c.pk}": c.max_score for c in criteria}})
    assert computations.get("clean_household_rating_coverage")(a.village).verdict == "not_met"
    actions.do_rate(rnd, b, acting_user=staff, scores={str(c.pk): 10 for c in criteria})
    result = computations.get("clean_household_rating_coverage")(a.village)
    assert result.verdict == "met" and "2/2" in result.detail
    client.post(f"/participation/ratings/{rnd.pk}/", {"publish": "1"})
    honour = client.get(f"/participation/ratings/{rnd.pk}/honour/").content.decode()
    assert a.head_name in honour and "光荣榜" in honour and rnd.ratings.filter(is_clean=True).count() == 1


def test_bank_and_supermarket_through_pages_and_indicators():
    staff = village_staff()
    hh = household()
    village = hh.village
    assert computations.get("moral_bank_in_operation")(village).verdict == "not_met"
    rule = actions.do_create_rule(village, acting_user=staff, name="义务清扫", points=5)
    client = client_for(staff)
    key = "page-key"
    for _ in range(2):  # a double submit proposes once
        client.post(f"/participation/households/{hh.pk}/propose/", {"household": hh.pk, "rule": rule.pk, "occurred_on": "2022-05-01", "idempotency_key": key})
    proposal = hh.proposals.get()
    client.post(f"/participation/proposals/{proposal.pk}/decide/", {"approve": "1"})
    assert PointsAccount.objects.get(pk=hh.pk).balance == 5
    assert computations.get("moral_bank_in_operation")(village).verdict == "met"
    item = goods(price=5, stock=2)
    found = client.get(f"/participation/villages/{YANJI_VILLAGE}/counter/", {"q": hh.members.first().id_masked[-4:]}).content.decode()
    assert hh.head_name in found
    response = client.post(f"/participation/villages/{YANJI_VILLAGE}/counter/", {"household": hh.pk, f"qty_{item.pk}": "1", "idempotency_key": "c1"})
    redemption = Redemption.objects.get()
    assert response["Location"].endswith(f"/participation/redemptions/{redemption.pk}/")
    assert redemption.receipt_no in client.get(response["Location"]).content.decode()
    assert computations.get("love_supermarket_in_operation")(village).verdict == "met"
    recon = client.get(f"/participation/villages/{YANJI_VILLAGE}/reconciliation/").content.decode()
    assert "相符" in recon
    ranking = client.get(f"/participation/villages/{YANJI_VILLAGE}/rankings/").content.decode()
    assert hh.head_name in ranking
    county = client_for(make_user("admin", YANJI)).get(f"/participation/?region={YANJI}").content.decode()
    assert village.name in county


def test_redemptions_and_postings_through_the_api_with_idempotency_keys(client):
    staff = village_staff()
    headers = {"Authorization": f"Bearer {do_create_api_token(acting_user=staff, name='t')[1]}"}
    hh = household()
    item = goods(price=4, stock=3)
    for _ in range(2):
        posted = client.post("/api/v1/participation/postings", {"household_id": hh.pk, "points": 10, "reason": "义务清扫"},
                             content_type="application/json", headers={**headers, "Idempotency-Key": "api-post-1"})
        assert posted.status_code == 201 and posted.json()["balance_after"] == 10
    body = {"household_id": hh.pk, "lines": [{"goods_id": item.pk, "quantity": 2}], "idempotency_key": "api-r-1"}
    first = client.post("/api/v1/participation/redemptions", body, content_type="application/json", headers=headers)
    second = client.post("/api/v1/participation/redemptions", body, content_type="application/json", headers=headers)
    assert first.json()["receipt_no"] == second.json()["receipt_no"] and first.json()["balance_after"] == 2
    too_much = client.post("/api/v1/participation/redemptions", {**body, "lines": [{"goods_id": item.pk, "quantity": 1}], "idempotency_key": "api-r-2"}, content_type="application/json", headers=headers)
    assert too_much.status_code == 409 and "余额不足" in too_much.json()["message"]


def test_farmer_page_by_link_shows_own_masked_data_and_stops_when_revoked(client):
    staff = village_staff()
    hh, other = household(head="张三"), household(head="李四")
    give_points(hh, 7)
    give_points(other, 9)
    link, token = actions.do_issue_link(hh, acting_user=staff)
    page = client.get(f"/participation/f/{token}/", follow=True)  # a link with the token in the path (as printed before #11)
    text = page.content.decode()
    assert page.status_code == 200 and "张三户" in text and hh.members.first().id_masked in text
    assert hh.members.first().reveal()["id_number"] not in text and "李四" not in text  # others only as 李**户
    staff_page = client_for(staff)
    staff_page.post(f"/participation/households/{hh.pk}/link/")
    assert "<svg" in staff_page.get(f"/participation/households/{hh.pk}/").content.decode()
    assert client.get(f"/participation/f/{token}/").status_code == 404  # re-issuing revoked the old link
    assert client.get(f"/participation/f/{token[:-2]}xx/").status_code == 404


@pytest.mark.django_db
def test_a_venue_activity_photo_must_be_a_real_image():
    from datetime import date

    from django.core.files.uploadedfile import SimpleUploadedFile

    from qiancun.core.errors import DomainError
    from qiancun.inspections.tests.factories import jpeg
    from qiancun.participation import actions as participation_actions

    from .factories import village_staff

    staff = village_staff()
    venue = participation_actions.do_create_venue(staff.scope, acting_user=staff, kind="library", name="农家书屋")
    renamed = SimpleUploadedFile("读书会.jpg", b"#!/bin/sh\nrm -rf /\n", content_type="image/jpeg")
    with pytest.raises(DomainError) as refused:
        participation_actions.do_record_activity(venue, acting_user=staff, held_on=date(2022, 7, 1), kind="reading",
                                                 title="读书会", participants=20, photo=renamed)
    assert refused.value.field == "photo" and "只接受 JPEG、PNG 或 HEIC" in refused.value.message
    activity = participation_actions.do_record_activity(venue, acting_user=staff, held_on=date(2022, 7, 1), kind="reading",
                                                        title="读书会", participants=20, photo=jpeg("../读书会.jpg"))
    assert ".." not in activity.photo.name and activity.photo.name.endswith(".jpg")


@pytest.mark.django_db
def test_the_counter_and_group_forms_answer_404_not_500_to_garbage_and_never_redirect_away():
    from django.urls import reverse

    from qiancun.core.testing import YANJI_VILLAGE, client_for
    from qiancun.participation import actions as participation_actions

    from .factories import household, village_staff

    staff = village_staff()
    hh = household()
    client = client_for(staff)
    counter = reverse("participation:counter", args=[YANJI_VILLAGE])
    assert client.get(counter, {"household": "abc"}).status_code == 404
    assert client.post(counter, {"household": "abc"}).status_code == 404
    group = participation_actions.do_create_group(hh.village, acting_user=staff, name="第一组")
    assert client.post(reverse("participation:group", args=[group.pk]), {"leader": "abc"}).status_code == 404
    rule = participation_actions.do_create_rule(hh.village, acting_user=staff, name="义务清扫", points=5)
    proposal = participation_actions.do_propose_points(hh, acting_user=staff, idempotency_key="redirect-1", rule_id=rule.pk)
    response = client.post(reverse("participation:proposal_decide", args=[proposal.pk]), {"approve": "1", "next": "//evil.example/phish"})
    assert "evil.example" not in response["Location"]
