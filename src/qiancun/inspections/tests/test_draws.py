import hashlib
from datetime import UTC, date, datetime
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from qiancun.core.errors import DomainError
from qiancun.core.testing import client_for, make_user
from qiancun.inspections import actions, draws
from qiancun.inspections.models import Draw, DrawLink

from .factories import HUNCHUN, YANBIAN, YANJI, at, confirmed_campaign, drawn, inspect, self_check

pytestmark = pytest.mark.django_db

PUBLISHED = datetime(2022, 6, 11, 10, 0)  # the list goes out on 11 June …
DRAW_DAY = date(2022, 6, 12)  # … committed to the 福彩3D draw of 12 June (issue 2022163: day 163 of 2022, the earliest it can be drawn)
EVENING = datetime(2022, 6, 12, 21, 30)


def test_selection_is_the_smallest_hashes_per_stratum_and_anyone_can_recompute_it():
    strata = {"2224": [f"2224011002{i:02d}" for i in range(10)], "2201": ["220112102201", "220112102202"]}
    chosen = draws.select(strata, "fc3d:2022163:4,8,3", 50)
    assert len(chosen) == 5 + 1
    by_hand = sorted(strata["2224"], key=lambda c: hashlib.sha256(("fc3d:2022163:4,8,3" + c).encode()).hexdigest())[:5]
    assert set(by_hand) <= set(chosen)
    assert draws.select(strata, "fc3d:2022163:4,8,4", 50) != chosen
    assert draws.digest(strata) == draws.digest({k: list(reversed(v)) for k, v in reversed(list(strata.items()))})


def recheck_round(campaign):
    return actions.do_create_round(campaign, acting_user=make_user("staff", YANBIAN), kind="re_check", name="延边州复验",
                                   starts_on=date(2022, 6, 11), ends_on=date(2022, 6, 20))


def committed(round, user, *, moment=PUBLISHED, issue="2022163", draw_day=DRAW_DAY):
    with at(moment):
        return actions.do_publish_draw(round, acting_user=user, source="fc3d", source_issue=issue, source_date=draw_day)


def seeded(draw, user, numbers="4 8 3", *, moment=EVENING):
    with at(moment):
        return actions.do_perform_draw(draw, acting_user=user, numbers=numbers, source="fc3d", source_issue="2022163")


def test_the_seed_is_the_committed_lotterys_result_entered_on_or_after_its_draw_date(capsys):
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    self_check(campaign, HUNCHUN)
    round = recheck_round(campaign)
    city = make_user("staff", YANBIAN)
    draw = committed(round, city)
    assert set(draw.strata) == {YANJI, HUNCHUN} and draw.eligible_sha256 == draws.digest(draw.strata) and draw.result == []
    assert draw.committed_source == "中国福利彩票3D第2022163期（2022年6月12日开奖）"
    assert DrawLink.objects.get(draw=draw).kind == "commitment" and draw.commitment_sha256 == DrawLink.objects.get(draw=draw).sha256

    with pytest.raises(DomainError) as early:  # the evening before the draw: nobody may know the seed yet
        seeded(draw, city, moment=datetime(2022, 6, 11, 23, 59))
    assert early.value.field == "numbers" and early.value.message == "中国福利彩票3D第2022163期（2022年6月12日开奖）尚未开奖：2022年6月12日起才能输入种子"
    with at(EVENING), pytest.raises(DomainError) as other_source:
        actions.do_perform_draw(draw, acting_user=city, numbers="03 07 12 19 25 31 05", source="ssq", source_issue="2022163")
    assert other_source.value.field == "source" and "不能使用其他来源或其他期的号码" in other_source.value.message
    with at(EVENING), pytest.raises(DomainError) as other_issue:
        actions.do_perform_draw(draw, acting_user=city, numbers="4 8 3", source="fc3d", source_issue="2021158")
    assert other_issue.value.field == "source_issue"

    draw = seeded(draw, city, "483")
    assert draw.seed == "fc3d:2022163:4,8,3" and draw.seed_source == "中国福利彩票3D第2022163期（2022年6月12日开奖）开奖号码"
    assert len(draw.result) == 4  # 50% of 4 villages in each county
    assert draws.verify(draw).ok
    call_command("verify_draw", str(draw.pk))
    assert "验证一致" in capsys.readouterr().out
    with pytest.raises(DomainError) as again:
        seeded(draw, city, "1 2 3")
    assert again.value.code == "illegal_transition"


def test_a_commitment_names_a_listed_lottery_whose_draw_comes_after_the_publication():
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    round = recheck_round(campaign)
    city = make_user("staff", YANBIAN)
    refusals = [
        ({"source": "fc3d", "source_issue": "2022155", "source_date": date(2022, 6, 11)}, "source_date"),  # drawn the day of publication
        ({"source": "fc3d", "source_issue": "2021158", "source_date": date(2021, 6, 7)}, "source_date"),  # a 2021 lottery
        ({"source": "fc3d", "source_issue": "2021158", "source_date": DRAW_DAY}, "source_issue"),  # a 2021 issue dated 2022
        ({"source": "某市摇号", "source_issue": "2022163", "source_date": DRAW_DAY}, "source"),  # not a public national lottery
        ({"source": "fc3d", "source_issue": "第一期", "source_date": DRAW_DAY}, "source_issue"),
    ]
    for commitment, field in refusals:
        with at(PUBLISHED), pytest.raises(DomainError) as refused:
            actions.do_publish_draw(round, acting_user=city, **commitment)
        assert refused.value.field == field, commitment
    assert not round.draws.exists() and not DrawLink.objects.exists()


def test_a_commitment_to_an_issue_that_may_already_have_been_drawn_is_refused_so_nobody_can_pick_a_known_result():
    """福彩3D draws at most once a day from issue 001 on 1 January: issue 2026001 was drawn in January, whatever
    date is written next to it, and its numbers are public when the list goes out in December."""
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    round = recheck_round(campaign)
    city = make_user("staff", YANBIAN)
    december = datetime(2026, 12, 2, 10, 0)
    past = {"source": "fc3d", "source_issue": "2026001", "source_date": "2026-12-03"}
    with at(december):
        answer = client_for(city).post(f"/api/v1/rounds/{round.pk}/draws", past, content_type="application/json")
    assert answer.status_code == 400 and answer.json()["field"] == "source_issue"
    assert answer.json()["message"] == ("中国福利彩票3D第2026001期最早可能在2026年1月1日开奖，不晚于公布日期（2026年12月2日），"
                                        "可能已经开奖；请选择公布之后才开奖的期号")
    for source, issue in [("fc3d", "2026001"), ("kl8", "2026100"), ("pl3", "26336"), ("ssq", "2026001"), ("dlt", "2026140")]:
        with at(december), pytest.raises(DomainError) as refused:
            actions.do_publish_draw(round, acting_user=city, source=source, source_issue=issue, source_date=date(2026, 12, 3))
        assert refused.value.field == "source_issue" and "可能已经开奖" in refused.value.message, (source, issue)
    with at(december), pytest.raises(DomainError) as too_far:  # day 340 of 2026 is 6 December: not drawn on the 3rd
        actions.do_publish_draw(round, acting_user=city, source="fc3d", source_issue="2026340", source_date=date(2026, 12, 3))
    assert too_far.value.field == "source_issue" and "不可能在2026年12月3日开奖" in too_far.value.message
    assert not round.draws.exists()

    # A week after publication (the Spring Festival pause puts December's issue numbers about a week behind the day of the year).
    with at(december):
        draw = actions.do_publish_draw(round, acting_user=city, source="fc3d", source_issue="2026337", source_date=date(2026, 12, 10))
    assert draw.committed_source == "中国福利彩票3D第2026337期（2026年12月10日开奖）" and draws.verify(draw).ok
    # 双色球 draws on Tuesdays, Thursdays and Sundays: its 146th draw of 2026 comes no earlier than Sunday 6 December.
    assert draws.earliest_draw_date("ssq", 2026, 146) == date(2026, 12, 6)
    assert draws.earliest_draw_date("dlt", 2026, 1) == date(2026, 1, 3)  # 大乐透: Monday, Wednesday, Saturday


def test_the_verification_page_flags_a_recorded_commitment_to_an_issue_drawn_before_publication():
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    city = make_user("staff", YANBIAN)
    draw = committed(recheck_round(campaign), city)
    Draw.objects.filter(pk=draw.pk).update(source_issue="2022001")  # as recorded before the rule
    check = draws.verify(Draw.objects.prefetch_related("links").get(pk=draw.pk))
    assert not check.ok
    assert ("承诺的期号不合规则：中国福利彩票3D第2022001期最早可能在2022年1月1日开奖，不晚于公布日期（2022年6月11日），"
            "可能已经开奖；请选择公布之后才开奖的期号") in check.timing


def test_a_lottery_result_can_be_written_one_way_only_so_nobody_can_grind_spellings():
    spellings = ["4 8 3", "483", "4,8,3", "４８３", " 4-8-3 "]
    assert {draws.seed_text("fc3d", "2022163", draws.parse_numbers("fc3d", s)) for s in spellings} == {"fc3d:2022163:4,8,3"}
    assert draws.seed_text("ssq", "2022070", draws.parse_numbers("ssq", "31 07 25 03 19 12 + 05")) == "ssq:2022070:3,7,12,19,25,31+5"
    for source, text, message in [
        ("fc3d", "2022-06-12 3D 483", "收到 5 个号码"),  # a date in the seed is a second, choosable seed
        ("fc3d", "4 8", "收到 2 个号码"),
        ("ssq", "03 03 12 19 25 31 05", "有重复"),
        ("ssq", "03 07 12 19 25 34 05", "超出范围（1–33）"),
    ]:
        with pytest.raises(draws.SeedError, match=message):
            draws.parse_numbers(source, text)


def _drawn_recheck():
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    self_check(campaign, HUNCHUN)
    round = recheck_round(campaign)
    city = make_user("staff", YANBIAN)
    return seeded(committed(round, city), city), city


def test_an_insider_who_removes_a_drawn_village_and_rewrites_list_hash_and_result_is_caught_and_the_village_named():
    draw, _city = _drawn_recheck()
    removed = draw.result[0]
    strata = {k: [c for c in v if c != removed] for k, v in draw.strata.items()}
    rewritten = draws.select(strata, draw.seed, draw.percent)
    Draw.objects.filter(pk=draw.pk).update(strata=strata, eligible_sha256=draws.digest(strata), result=rewritten)
    draw = Draw.objects.prefetch_related("links").get(pk=draw.pk)
    check = draws.verify(draw)
    assert not check.ok
    assert check.removed == [removed] and removed in check.missing
    assert check.extra == sorted(set(rewritten) - set(check.recomputed))
    assert "候选名单" in check.changed and "名单摘要" in check.changed and "抽取结果" in check.changed

    page = Client().get(reverse("inspections:draw_detail", args=[draw.pk])).content.decode()
    assert "验证失败" in page and "验证一致" not in page
    assert f"承诺的候选名单中有 1 个村被删去：{removed}" in page and removed in page
    with pytest.raises(CommandError, match=f"被删去：{removed}"):
        call_command("verify_draw", str(draw.pk))


def test_rewriting_a_draw_together_with_its_public_records_breaks_the_chain_for_every_later_draw():
    draw, _city = _drawn_recheck()
    province = make_user("staff", "22")
    spot = actions.do_create_round(draw.round.campaign, acting_user=province, kind="spot_check", name="省级抽查",
                                   starts_on=date(2022, 6, 21), ends_on=date(2022, 6, 30))
    later = committed(spot, province, moment=datetime(2022, 6, 19, 10, 0), issue="2022171", draw_day=date(2022, 6, 20))
    assert list(DrawLink.objects.values_list("seq", "draw_id", "kind")) == [
        (1, draw.pk, "commitment"), (2, draw.pk, "result"), (3, later.pk, "commitment")]
    assert draws.verify(later).ok

    # An insider rewrites the first draw and its two links consistently, each link's hash recomputed.
    removed = draw.result[0]
    strata = {k: [c for c in v if c != removed] for k, v in draw.strata.items()}
    Draw.objects.filter(pk=draw.pk).update(strata=strata, eligible_sha256=draws.digest(strata),
                                           result=draws.select(strata, draw.seed, draw.percent))
    draw = Draw.objects.get(pk=draw.pk)
    previous = draws.GENESIS
    for link in DrawLink.objects.filter(draw=draw).order_by("seq"):
        payload = (draws.commitment_payload(draw, previous) if link.kind == "commitment"
                   else draws.result_payload(draw, previous, previous))
        text = draws.encode(payload)
        DrawLink.objects.filter(pk=link.pk).update(payload=text, sha256=draws.link_sha256(text), previous_sha256=previous)
        previous = draws.link_sha256(text)

    check = draws.verify(Draw.objects.prefetch_related("links").get(pk=later.pk))
    assert not check.ok and [(b.seq, b.draw_id) for b in check.chain] == [(3, later.pk)]
    assert check.problems() == [f"公示链第 3 条（抽取 #{later.pk} 的承诺）：没有接上前一条记录的摘要，之前的记录被改动、删除或插入过"]
    body = client_for(make_user("leader", "22")).get(f"/api/v1/draws/{later.pk}/verify").json()
    assert body["ok"] is False and body["chain_ok"] is False and body["problems"] == check.problems()


def test_a_tampered_result_fails_verification_naming_the_villages():
    draw, _city = _drawn_recheck()
    outside = sorted(set(draw.strata[YANJI]) - set(draw.result))[0]
    dropped = draw.result[0]
    Draw.objects.filter(pk=draw.pk).update(result=sorted([outside, *draw.result[1:]]))
    check = draws.verify(Draw.objects.prefetch_related("links").get(pk=draw.pk))
    assert not check.ok and check.list_matches and check.missing == [dropped] and check.extra == [outside]
    assert f"按承诺的名单和种子应抽中、记录中却没有的村：{dropped}" in check.problems()
    with pytest.raises(CommandError, match="不一致"):
        call_command("verify_draw", str(draw.pk))


def test_only_the_province_redraws_with_a_reason_and_redraws_are_counted_and_shown_with_the_replaced_result():
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    round = recheck_round(campaign)
    city = make_user("staff", YANBIAN)
    first = seeded(committed(round, city), city)
    commitment = {"source": "fc3d", "source_issue": "2022165", "source_date": date(2022, 6, 14)}
    with pytest.raises(DomainError) as silently:
        committed(round, city)
    assert silently.value.code == "conflict"
    with at(datetime(2022, 6, 13, 9, 0)):
        with pytest.raises(DomainError) as city_refused:
            actions.do_redraw(first, acting_user=city, reason="候选名单漏报一个村", **commitment)
        assert city_refused.value.code == "forbidden"
        province = make_user("staff", "22")
        with pytest.raises(DomainError) as no_reason:
            actions.do_redraw(first, acting_user=province, reason=" ", **commitment)
        assert no_reason.value.field == "reason"
        second = actions.do_redraw(first, acting_user=province, reason="候选名单漏报一个村", **commitment)
    assert list(round.draws.order_by("id")) == [first, second]
    first.refresh_from_db()
    assert not first.is_current and second.replaces == first and second.redraw_number == 1 and actions.current_draw(round) == second
    assert second.committed_source == "中国福利彩票3D第2022165期（2022年6月14日开奖）" and draws.verify(second).ok

    page = Client().get(reverse("inspections:draw_detail", args=[second.pk]))
    history = page.content.decode()
    assert page.context["redraws"] == 1 and "重抽 1 次" in history and "第 1 次重抽，理由：候选名单漏报一个村" in history
    replaced = page.context["history"][0]
    assert replaced["draw"] == first and [r["code"] for r in replaced["rows"]] == first.result
    assert "被取代的结果" in history and replaced["rows"][0]["name"] in history
    round_page = client_for(make_user("leader", "22")).get(reverse("inspections:round_detail", args=[round.pk])).content.decode()
    assert "本轮重抽 1 次" in round_page


def test_a_role_that_may_never_redraw_gets_403_not_409_even_when_the_draw_is_in_use():
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    round = recheck_round(campaign)
    city = make_user("staff", YANBIAN)
    draw = drawn(round, city)
    inspect(round, actions.targets(round).first(), city)  # a village inspected: the draw can no longer be replaced
    body = {"reason": "重抽", "source": "fc3d", "source_issue": "2099158", "source_date": "2099-06-15"}
    for role, scope in [("staff", YANBIAN), ("leader", "22"), ("admin", YANBIAN)]:
        answer = client_for(make_user(role, scope)).post(f"/api/v1/draws/{draw.pk}/redraw", body, content_type="application/json")
        assert answer.status_code == 403 and answer.json()["code"] == "forbidden", (role, scope, answer.content)
        page = client_for(make_user(role, scope)).post(reverse("inspections:draw_step", args=[draw.pk]), {"step": "redraw", **body})
        assert page.status_code == 403, (role, scope)
    province = client_for(make_user("staff", "22")).post(f"/api/v1/draws/{draw.pk}/redraw", body, content_type="application/json")
    assert province.status_code == 409 and province.json()["message"] == "已有村按这次抽取完成检查，不能重抽"


def test_anyone_can_open_the_verification_page_without_logging_in():
    draw, _city = _drawn_recheck()
    page = Client().get(reverse("inspections:draw_detail", args=[draw.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "验证一致" in html and draw.eligible_sha256 in html and draw.commitment_sha256 in html and draw.record_sha256 in html
    assert "中国福利彩票3D第2022163期（2022年6月12日开奖）" in html
    first = page.context["result_rows"][0]
    assert first["city"] == "延边朝鲜族自治州" and first["county"] in {"延吉市", "珲春市"} and first["name"]
    assert [(s["code"], s["name"]) for s in page.context["strata"]] == [(YANJI, "延吉市"), (HUNCHUN, "珲春市")]
    assert "核对办法" in html and "manage.py" not in html and "verify_draw" not in html
    assert 'name="numbers"' not in html and 'value="redraw"' not in html  # no forms for the public
    assert Client().post(reverse("inspections:draw_step", args=[draw.pk]), {"step": "redraw"}).status_code == 302  # to the login


def test_publishing_and_seeding_through_the_api_follow_the_same_rules():
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    round = recheck_round(campaign)
    user = make_user("staff", YANBIAN)

    def city():  # a fresh session each time: the clock jumps by hours, past the 30-minute idle limit
        return client_for(user)

    with at(PUBLISHED):
        published = city().post(f"/api/v1/rounds/{round.pk}/draws", {"source": "fc3d", "source_issue": "2022163", "source_date": "2022-06-12"},
                              content_type="application/json")
    assert published.status_code == 201 and published.json()["committed_source"] == "中国福利彩票3D第2022163期（2022年6月12日开奖）"
    draw_id = published.json()["id"]
    with at(datetime(2022, 6, 11, 20, 0)):
        early = city().post(f"/api/v1/draws/{draw_id}/seed", {"source": "fc3d", "source_issue": "2022163", "numbers": "4 8 3"},
                          content_type="application/json")
    assert early.status_code == 400 and early.json()["field"] == "numbers" and "尚未开奖" in early.json()["message"]
    with at(EVENING):
        done = city().post(f"/api/v1/draws/{draw_id}/seed", {"source": "fc3d", "source_issue": "2022163", "numbers": "4 8 3"},
                         content_type="application/json")
    assert done.status_code == 200 and done.json()["seed"] == "fc3d:2022163:4,8,3" and done.json()["record_sha256"]
    verified = city().get(f"/api/v1/draws/{draw_id}/verify").json()
    assert verified["ok"] is True and verified["problems"] == [] and verified["recomputed"] == done.json()["result"]


def test_draws_recorded_before_the_commitment_rule_are_linked_into_the_chain_and_say_so():
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    round = recheck_round(campaign)
    strata = actions._strata(round)
    legacy = Draw.objects.create(round=round, algorithm=draws.LEGACY_ALGORITHM, percent=50, strata=strata, eligible_sha256=draws.digest(strata),
                                 seed="2022-06-15 福彩3D 483", seed_source="2022年6月15日福彩3D开奖", status="drawn",
                                 result=draws.select(strata, "2022-06-15 福彩3D 483", 50), published_at=datetime(2022, 6, 11, 9, 0, 0, 654321, tzinfo=UTC),
                                 drawn_at=datetime(2022, 6, 15, 13, 0, 0, 123456, tzinfo=UTC))
    migration = import_module("qiancun.inspections.migrations.0002_draw_commitment_and_chain")
    migration.link_earlier_draws(django_apps, None)
    assert list(DrawLink.objects.values_list("seq", "kind")) == [(1, "commitment"), (2, "result")]
    check = draws.verify(Draw.objects.prefetch_related("links").get(pk=legacy.pk))
    assert check.ok and check.legacy
    page = Client().get(reverse("inspections:draw_detail", args=[legacy.pk])).content.decode()
    assert "验证一致" in page and "早于“先承诺、后开奖”规则" in page
    Draw.objects.filter(pk=legacy.pk).update(seed_source="2022年6月16日福彩3D开奖")  # the source text is covered too
    check = draws.verify(Draw.objects.prefetch_related("links").get(pk=legacy.pk))
    assert not check.ok and check.changed == ["种子来源"]
    with pytest.raises(DomainError) as no_commitment:
        actions.do_perform_draw(legacy, acting_user=make_user("staff", YANBIAN), numbers="1 2 3", source="fc3d", source_issue="2022163")
    assert no_commitment.value.code == "illegal_transition"

