"""The pass rule, and the computations indicators can be judged by."""

import pytest

from qiancun.core.errors import ValidationFailed
from qiancun.core.testing import YANJI_VILLAGE, client_for, make_user, province_admin
from qiancun.regions.actions import do_update_village
from qiancun.regions.models import Region
from qiancun.standards import computations
from qiancun.standards.actions import do_update_indicator
from qiancun.standards.choices import Verdict
from qiancun.standards.computations import ComputedResult
from qiancun.standards.rules import evaluate

from .factories import default_standard, editable_copy

pytestmark = pytest.mark.django_db


def verdicts(standard, default=Verdict.MET, **by_code):
    return {i.pk: by_code.get(i.code, default) for i in standard.indicators.all()}


def ids(indicators):
    return [i.code for i in indicators]


def by_code(standard, code):
    return standard.indicators.get(code=code)


def test_all_rule_passes_when_every_have_is_met_and_no_must_not_is_found():
    standard = default_standard()
    outcome = evaluate(standard, verdicts(standard))
    assert outcome.passed and outcome.score is None and outcome.reasons == [] and not outcome.vetoed


def test_all_rule_fails_on_a_missing_have_or_a_found_problem():
    standard = default_standard()
    missing_have = evaluate(standard, verdicts(standard, 有2=Verdict.NOT_MET))
    assert not missing_have.passed and ids(missing_have.failed_indicators) == ["有2"]
    assert missing_have.reasons == ["有2 有带动就业的融合产业：未达到"]
    # For a must-not indicator, not_met means the problem was found.
    rubbish = evaluate(standard, verdicts(standard, 无2=Verdict.NOT_MET))
    assert not rubbish.passed and rubbish.reasons == ["无2 无垃圾乱倒：发现问题（未达到）"]


def test_all_rule_allows_not_applicable_but_not_a_missing_verdict():
    standard = default_standard()
    assert evaluate(standard, verdicts(standard, 有2=Verdict.NOT_APPLICABLE, 无3=Verdict.NOT_APPLICABLE)).passed
    partial = verdicts(standard)
    partial.pop(by_code(standard, "有9").pk)
    outcome = evaluate(standard, partial)
    assert not outcome.passed and ids(outcome.unjudged_indicators) == ["有9"] and "尚未判定" in outcome.reasons[0]


def weighted_standard(pass_score=80):
    """Score rule: 有1–有9 weigh 8 each (72), 无1–无6 weigh 5 each (30); total 102. 有1 and 无6 are vetoes."""
    standard = editable_copy(pass_rule="score", pass_score=pass_score)
    for indicator in standard.indicators.all():
        indicator.weight = 8 if indicator.kind == "have" else 5
        indicator.save()
    return standard


def test_score_rule_sums_met_weights_against_the_threshold():
    standard = weighted_standard()
    full = evaluate(standard, verdicts(standard))
    assert full.passed and full.score == 102
    # Two non-veto shortfalls: 102 - 8 - 5 = 89 ≥ 80, still a pass, and the shortfalls are listed.
    two = evaluate(standard, verdicts(standard, 有2=Verdict.NOT_MET, 无1=Verdict.NOT_MET))
    assert two.passed and two.score == 89 and ids(two.failed_indicators) == ["有2", "无1"]
    many = evaluate(standard, verdicts(standard, 有2=Verdict.NOT_MET, 有3=Verdict.NOT_MET, 有4=Verdict.NOT_MET))
    assert not many.passed and many.score == 78 and many.reasons[-1] == "得分 78，低于分数线 80"


def test_score_rule_veto_fails_even_with_a_high_score():
    standard = weighted_standard(pass_score=50)
    outcome = evaluate(standard, verdicts(standard, 无6=Verdict.NOT_MET))
    assert outcome.score == 97 and outcome.vetoed and not outcome.passed
    assert "否决项 无6 无重大安全隐患 未达到，一票否决" in outcome.reasons


def test_score_rule_counts_not_applicable_at_full_weight():
    standard = weighted_standard(pass_score=102)
    outcome = evaluate(standard, verdicts(standard, 无3=Verdict.NOT_APPLICABLE))
    assert outcome.passed and outcome.score == 102 and outcome.failed_indicators == []


def test_verdicts_for_another_standards_indicators_are_refused():
    standard = default_standard()
    other = editable_copy()
    with pytest.raises(ValidationFailed, match="不属于"):
        evaluate(standard, verdicts(other))
    with pytest.raises(ValidationFailed, match="判定“maybe”无效"):
        evaluate(standard, {by_code(standard, "有1").pk: "maybe"})


def test_evaluate_through_the_api():
    standard = weighted_standard()
    client = client_for(make_user("inspector", "22"))
    body = {"verdicts": {str(k): v for k, v in verdicts(standard, 有2=Verdict.NOT_MET).items()}}
    outcome = client.post(f"/api/v1/standards/{standard.pk}/evaluate", body, content_type="application/json").json()
    assert outcome["passed"] is True and outcome["vetoed"] is False and outcome["score"] == 94
    assert [i["code"] for i in outcome["failed_indicators"]] == ["有2"]
    body = {"verdicts": {str(k): v for k, v in verdicts(standard, 有1=Verdict.NOT_MET).items()}}
    vetoed = client.post(f"/api/v1/standards/{standard.pk}/evaluate", body, content_type="application/json").json()
    assert vetoed["passed"] is False and vetoed["vetoed"] is True and vetoed["score"] == 94
    bad = client.post(f"/api/v1/standards/{standard.pk}/evaluate", {"verdicts": {"1": "maybe"}}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid"


def test_village_location_recorded_reads_the_village_record():
    village = Region.objects.get(code=YANJI_VILLAGE)
    check = computations.get("village_location_recorded")
    if village.longitude is not None:
        do_update_village(village, acting_user=province_admin(), longitude=None, latitude=None)
        village.refresh_from_db()
    assert check(village, None).verdict == Verdict.NOT_MET and "缺少经纬度" in check(village, None).detail
    do_update_village(village, acting_user=province_admin(), longitude="129.508", latitude="42.891")
    village.refresh_from_db()
    result = check(village, None)
    assert result.verdict == Verdict.MET and "129.508" in result.detail

    standard = editable_copy()
    indicator = do_update_indicator(
        standard.indicators.get(code="有4"), acting_user=province_admin(), judged_by="computed", computation="village_location_recorded"
    )
    assert computations.run(indicator, village, None) == result


def test_the_registry_lists_labels_and_refuses_a_second_owner_of_a_key():
    assert ("village_location_recorded", "村庄位置已登记（经纬度）") in computations.choices()
    assert computations.is_registered("village_location_recorded") and not computations.is_registered("nope")
    with pytest.raises(KeyError):
        computations.get("nope")
    with pytest.raises(ValueError, match="already registered"):
        computations.register("village_location_recorded", label="x")(lambda village, campaign: ComputedResult(Verdict.MET, ""))
    api = client_for(make_user("leader", "22")).get("/api/v1/standards/computations").json()
    assert {"key": "village_location_recorded", "label": "村庄位置已登记（经纬度）"} in api
