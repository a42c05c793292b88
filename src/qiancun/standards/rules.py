"""The pass rule: does a village pass a standard, given a verdict on each of its indicators?

Which way round the verdicts go — the same for both kinds of indicator:

* ``met`` — the village meets the requirement. For a "有" (have) indicator: the thing is there.
  For a "无" (must-not) indicator: the problem was NOT found (e.g. 无垃圾乱倒 and no dumped rubbish).
* ``not_met`` — the village falls short. For a "无" indicator this means the problem WAS found.
* ``not_applicable`` — the indicator does not apply to this village (e.g. no river to pollute).

Rule ``all`` (the default, 九有全部达到且六无均未出现): passed when every indicator is met or not
applicable. ``score`` is None.

Rule ``score`` (总分达到分数线且无否决项): score = the weights of the met indicators, plus the weights of the
not-applicable ones (a village is not marked down for what does not apply to it); passed when
score ≥ pass_score and no veto indicator (is_veto) is not met.

`reasons` lists every shortfall in the indicators' order (even on a pass under the score rule, where
a few misses may still leave the score above the line), then the score line when it was missed.

Under both rules an indicator without a verdict means the village does not pass (it is listed in
``unjudged_indicators``): an unfinished inspection is never a pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from qiancun.core.errors import ValidationFailed

from .choices import IndicatorKind, PassRule, Verdict
from .models import Indicator, Standard


@dataclass
class Outcome:
    passed: bool
    score: int | None
    failed_indicators: list[Indicator]
    vetoed: bool
    reasons: list[str]
    unjudged_indicators: list[Indicator] = field(default_factory=list)


def _failure_text(indicator: Indicator) -> str:
    if indicator.kind == IndicatorKind.MUST_NOT:
        return f"{indicator.code} {indicator.title}：发现问题（未达到）"
    return f"{indicator.code} {indicator.title}：未达到"


def _clean_verdicts(standard: Standard, indicators: list[Indicator], verdicts: Mapping) -> dict[int, str]:
    known = {i.pk for i in indicators}
    cleaned = {}
    for key, value in verdicts.items():
        try:
            indicator_id = int(key)
        except (TypeError, ValueError):
            raise ValidationFailed(f"指标编号“{key}”无效", field="verdicts") from None
        if indicator_id not in known:
            raise ValidationFailed(f"指标 {indicator_id} 不属于标准“{standard.name}”（第 {standard.version} 版）", field="verdicts")
        value = getattr(value, "value", value)
        if value not in Verdict.values:
            raise ValidationFailed(f"指标 {indicator_id} 的判定“{value}”无效，须为 met、not_met 或 not_applicable", field="verdicts")
        cleaned[indicator_id] = value
    return cleaned


def evaluate(standard: Standard, verdicts: Mapping[int, Verdict | str]) -> Outcome:
    """Apply `standard`'s pass rule to one verdict per indicator (keyed by indicator id)."""
    indicators = list(standard.indicators.order_by("order", "id"))
    judged = _clean_verdicts(standard, indicators, verdicts)
    failed = [i for i in indicators if judged.get(i.pk) == Verdict.NOT_MET]
    unjudged = [i for i in indicators if i.pk not in judged]
    vetoes = [i for i in failed if i.is_veto]
    scoring = standard.pass_rule == PassRule.SCORE
    reasons = [
        f"否决项 {i.code} {i.title} 未达到，一票否决" if scoring and i.is_veto else _failure_text(i) for i in failed
    ]
    reasons += [f"{i.code} {i.title}：尚未判定" for i in unjudged]

    if scoring:
        score = sum(i.weight for i in indicators if judged.get(i.pk) in (Verdict.MET, Verdict.NOT_APPLICABLE))
        threshold = standard.pass_score or 0
        if score < threshold:
            reasons.append(f"得分 {score}，低于分数线 {threshold}")
        passed = score >= threshold and not vetoes and not unjudged
        return Outcome(passed, score, failed, bool(vetoes), reasons, unjudged)

    passed = not failed and not unjudged
    return Outcome(passed, None, failed, bool(vetoes), reasons, unjudged)
