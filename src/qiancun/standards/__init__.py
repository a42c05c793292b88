"""The creation standard (九有六无): versions per year, indicators, pass rule, publishing.

What other domains use (keep these names stable):

* models: ``Standard`` (year, version, name, is_provisional, pass_rule, pass_score, previous, frozen_at)
  and ``Indicator`` (standard, code, kind have|must_not, category, title, description,
  evidence_required, is_veto, judged_by inspector|computed, computation, weight, order).
* ``rules.evaluate(standard, verdicts: dict[indicator_id, Verdict]) -> Outcome`` — the pass rule.
  For must-not (无) indicators, ``met`` means the problem was NOT found.
* ``computations`` — ``@register(key, label=…)`` judges indicators from platform data; ``get``,
  ``is_registered``, ``choices``, ``run(indicator, village, campaign)``.
* ``actions.do_freeze_standard(standard, *, acting_user)`` — call when an inspection first uses a
  version; ``actions.do_create_revision(standard, *, acting_user) -> Standard``.
* ``queries.latest_for_year(year)``, ``queries.indicator_groups(standard)``.
"""
