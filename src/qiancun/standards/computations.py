"""Indicators the platform judges from its own data (judged_by = computed): a registry of computations.

An indicator with ``judged_by="computed"`` names a computation by key; the inspection domain runs it for
a village in a campaign and records the verdict it returns instead of asking the inspector.

Writing one (any domain may do this; the key is what indicators store, so never rename a key)::

    # qiancun/<domain>/computations.py
    from qiancun.standards.choices import Verdict
    from qiancun.standards.computations import ComputedResult, register

    @register("village_plan_approved", label="村庄规划已报批")
    def village_plan_approved(village, campaign) -> ComputedResult:
        plan = VillagePlan.objects.filter(village=village).order_by("-approved_at").first()
        if plan and plan.approved_at:
            return ComputedResult(Verdict.MET, f"规划已于 {plan.approved_at:%Y年%-m月%-d日} 批复")
        return ComputedResult(Verdict.NOT_MET, "尚无已批复的村庄规划")

A module named ``computations`` in any installed app is imported when Django starts
(``StandardsConfig.ready`` calls ``autodiscover_modules("computations")``), so registering is just
writing that file. The function takes the village (a ``regions.Region`` of level village) and the
campaign (``campaigns.Campaign``, or ``None`` when judged outside a campaign) and returns a
``ComputedResult``: the verdict and a Chinese sentence saying what data it was based on, which the
inspection record keeps. It must only read, never write.

Public names: ``ComputedResult``, ``Computation``, ``register``, ``get``, ``is_registered``,
``choices``, ``run``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .choices import Verdict

if TYPE_CHECKING:
    from qiancun.regions.models import Region

    from .models import Indicator


@dataclass(frozen=True)
class ComputedResult:
    """What a computation found: the verdict and, in Chinese, why."""

    verdict: Verdict
    detail: str


@dataclass(frozen=True)
class Computation:
    key: str
    label: str
    fn: Callable[[Region, Any], ComputedResult]

    def __call__(self, village: Region, campaign=None) -> ComputedResult:
        result = self.fn(village, campaign)
        if not isinstance(result, ComputedResult) or result.verdict not in Verdict.values:
            raise TypeError(f"computation {self.key} must return a ComputedResult with a Verdict, got {result!r}")
        return result


_REGISTRY: dict[str, Computation] = {}


def register(key: str, *, label: str):
    """Decorator: make `fn(village, campaign) -> ComputedResult` available to indicators as `key`."""

    if not key or len(key) > 60:
        raise ValueError("a computation key is 1–60 characters (it is stored in Indicator.computation)")

    def decorator(fn):
        existing = _REGISTRY.get(key)
        if existing is not None and existing.fn.__qualname__ != fn.__qualname__:
            raise ValueError(f"computation {key!r} is already registered by {existing.fn.__module__}")
        _REGISTRY[key] = Computation(key=key, label=label, fn=fn)
        return fn

    return decorator


def get(key: str) -> Computation:
    """The registered computation; KeyError when no domain registered `key`."""
    try:
        return _REGISTRY[key]
    except KeyError:
        raise KeyError(f"未注册的计算规则：{key}") from None


def is_registered(key: str) -> bool:
    return key in _REGISTRY


def choices() -> list[tuple[str, str]]:
    """(key, label) pairs, by label, for forms and the API."""
    return sorted(((c.key, c.label) for c in _REGISTRY.values()), key=lambda pair: pair[1])


def run(indicator: Indicator, village: Region, campaign=None) -> ComputedResult:
    """Judge one computed indicator for one village."""
    if not indicator.computation:
        raise ValueError(f"indicator {indicator.code} is not computed")
    return get(indicator.computation)(village, campaign)


# --- computations that need only the data the platform already holds -------------------------------


@register("village_location_recorded", label="村庄位置已登记（经纬度）")
def village_location_recorded(village: Region, campaign) -> ComputedResult:
    if village.longitude is not None and village.latitude is not None:
        return ComputedResult(Verdict.MET, f"村庄记录有经纬度（{village.longitude}，{village.latitude}）")
    return ComputedResult(Verdict.NOT_MET, "村庄记录缺少经纬度，请在“行政区划”中补录村庄位置")
