import pytest
from django.core.management import CommandError, call_command

from qiancun.core.errors import DomainError
from qiancun.core.testing import make_user
from qiancun.inspections import actions, draws
from qiancun.inspections.models import Draw

from .factories import HUNCHUN, YANBIAN, YANJI, confirmed_campaign, self_check

pytestmark = pytest.mark.django_db


def test_selection_is_the_smallest_hashes_per_stratum_and_anyone_can_recompute_it():
    strata = {"2224": [f"2224011002{i:02d}" for i in range(10)], "2201": ["220112102201", "220112102202"]}
    chosen = draws.select(strata, "2022-06-15 3D 483", 50)
    assert len(chosen) == 5 + 1
    by_hand = sorted(strata["2224"], key=lambda c: __import__("hashlib").sha256(("2022-06-15 3D 483" + c).encode()).hexdigest())[:5]
    assert set(by_hand) <= set(chosen)
    assert draws.select(strata, "another seed", 50) != chosen
    assert draws.digest(strata) == draws.digest({k: list(reversed(v)) for k, v in reversed(list(strata.items()))})


def recheck_round(campaign):
    from datetime import date

    return actions.do_create_round(campaign, acting_user=make_user("staff", YANBIAN), kind="re_check", name="延边州复验",
                                   starts_on=date(2022, 6, 11), ends_on=date(2022, 6, 20))


def test_a_city_draw_is_published_then_seeded_then_verified(capsys):
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    self_check(campaign, HUNCHUN)
    round = recheck_round(campaign)
    city = make_user("staff", YANBIAN)
    draw = actions.do_publish_draw(round, acting_user=city)
    assert set(draw.strata) == {YANJI, HUNCHUN} and draw.eligible_sha256 == draws.digest(draw.strata)
    assert draw.result == []
    draw = actions.do_perform_draw(draw, acting_user=city, seed="2022-06-15 福彩3D 483", seed_source="2022年6月15日福彩3D开奖")
    assert len(draw.result) == 4  # 50% of 4 villages in each county
    assert draws.verify(draw).ok
    call_command("verify_draw", str(draw.pk))
    assert "一致" in capsys.readouterr().out
    with pytest.raises(DomainError):
        actions.do_perform_draw(draw, acting_user=city, seed="again", seed_source="x")


def test_a_tampered_draw_fails_verification():
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    round = recheck_round(campaign)
    city = make_user("staff", YANBIAN)
    draw = actions.do_perform_draw(actions.do_publish_draw(round, acting_user=city), acting_user=city, seed="17", seed_source="测试")
    Draw.objects.filter(pk=draw.pk).update(result=sorted(draw.strata[YANJI])[:2])
    draw.refresh_from_db()
    if draws.verify(draw).result_matches:  # the tampered list happened to equal the real one: tamper differently
        Draw.objects.filter(pk=draw.pk).update(result=sorted(draw.strata[YANJI])[-2:])
        draw.refresh_from_db()
    assert not draws.verify(draw).ok
    with pytest.raises(CommandError, match="不一致"):
        call_command("verify_draw", str(draw.pk))
    Draw.objects.filter(pk=draw.pk).update(result=draws.select(draw.strata, draw.seed, draw.percent), strata={YANJI: draw.strata[YANJI][1:]})
    draw.refresh_from_db()
    assert not draws.verify(draw).list_matches


def test_a_redraw_needs_a_reason_and_both_draws_stay_visible():
    campaign, _ = confirmed_campaign()
    self_check(campaign, YANJI)
    round = recheck_round(campaign)
    city = make_user("staff", YANBIAN)
    first = actions.do_publish_draw(round, acting_user=city)
    with pytest.raises(DomainError) as silently:
        actions.do_publish_draw(round, acting_user=city)
    assert silently.value.code == "conflict"
    with pytest.raises(DomainError):
        actions.do_redraw(first, acting_user=city, reason="")
    second = actions.do_redraw(first, acting_user=city, reason="候选名单漏报一个村")
    assert list(round.draws.order_by("id")) == [first, second]
    first.refresh_from_db()
    assert not first.is_current and second.replaces == first and actions.current_draw(round) == second
