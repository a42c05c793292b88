"""Read helpers for acceptance: the circular, the province dashboard, coverage of a page of rounds."""

from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Substr
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from qiancun.campaigns.choices import EnrollmentStatus
from qiancun.campaigns.lifecycle import ACTIVE_STATUSES
from qiancun.campaigns.models import Enrollment
from qiancun.campaigns.queries import region_names
from qiancun.core import versioned_cache
from qiancun.rectification.models import Problem
from qiancun.rectification.queries import NOT_CLOSED
from qiancun.regions.choices import CHILD_LEVEL, CODE_LENGTH, RegionLevel
from qiancun.regions.models import Region

from . import actions
from .choices import RecordStatus, RevocationStatus, RoundKind, RoundStatus
from .models import InspectionRecord, InspectionRound, Revocation


def circular(campaign, user) -> dict:
    """通报: villages that failed the province's spot-check, and titles revoked, by city."""
    failures = list(
        InspectionRecord.objects.for_user(user).filter(
            round__campaign=campaign, round__kind=RoundKind.SPOT_CHECK, passed=False,
            enrollment__status=EnrollmentStatus.NOT_ACCEPTED,
        ).select_related("enrollment__village", "round")
    )
    revoked = list(
        Revocation.objects.for_user(user).filter(status=RevocationStatus.APPROVED)
        .filter(record__round__campaign=campaign).select_related("enrollment__village", "enrollment__campaign", "record__round")
    )
    names = region_names([r.enrollment.village_id for r in failures] + [r.enrollment.village_id for r in revoked])
    by_city: dict[str, dict] = {}
    for record in failures:
        code = record.enrollment.village_id
        by_city.setdefault(code[:4], {"failures": [], "revocations": []})["failures"].append(
            {"code": code, "village": record.enrollment.village.name, "county": names.get(code[:6], ""), "reason": record.summary}
        )
    for revocation in revoked:
        code = revocation.enrollment.village_id
        by_city.setdefault(code[:4], {"failures": [], "revocations": []})["revocations"].append(
            {"code": code, "village": revocation.enrollment.village.name, "county": names.get(code[:6], ""),
             "reason": revocation.reason, "year": revocation.enrollment.campaign.year}
        )
    return {"cities": [(code, names.get(code, code), rows) for code, rows in sorted(by_city.items())],
            "failure_count": len(failures), "revocation_count": len(revoked)}


def revocations_for(user):
    return Revocation.objects.for_user(user).select_related("enrollment__village", "enrollment__campaign", "record__round")


# ---------------------------------------------------------------- the province dashboard (验收进度总览)

# The three acceptance levels in the order the plan names them; the dashboard shows one column group each.
DASHBOARD_KINDS = [RoundKind.SELF_CHECK, RoundKind.RE_CHECK, RoundKind.SPOT_CHECK]
_SUBMITTED = Q(status=RecordStatus.SUBMITTED)


def _distinct_enrollments(condition: Q) -> Count:
    # COUNT(DISTINCT CASE …) rather than COUNT(DISTINCT …) FILTER (…), which SQLite refuses.
    return Count(Case(When(condition, then=F("enrollment_id"))), distinct=True)


def _percent(part: int, whole: int) -> float | None:
    return float(f"{100 * part / whole:.1f}") if whole else None


def _kind_figures(kind: str, eligible: int, records: dict, required: int) -> dict:
    """Coverage (distinct villages inspected over the villages the rule counts) and pass rate (records)."""
    inspected, submitted, passed = records.get("n_inspected", 0), records.get("n_submitted", 0), records.get("n_passed", 0)
    return {
        "kind": kind, "label": RoundKind(kind).label, "eligible": eligible, "inspected": inspected,
        "percent": _percent(inspected, eligible), "required": required,
        "met": eligible > 0 and inspected * 100 >= required * eligible,
        "submitted": submitted, "passed": passed, "pass_percent": _percent(passed, submitted),
    }


def _figures(campaign, enrollments: dict, records: dict, problems: dict) -> dict:
    """One row of the dashboard from the three grouped results (missing groups count as zero)."""
    statuses = {status: enrollments.get(f"status_{status}", 0) for status in EnrollmentStatus.values}
    confirmed = enrollments.get("confirmed", 0)
    signed_off = records.get(RoundKind.SELF_CHECK, {}).get("n_signed_off", 0)
    required = {RoundKind.SELF_CHECK: 100, RoundKind.RE_CHECK: campaign.recheck_percent, RoundKind.SPOT_CHECK: campaign.spot_check_percent}
    eligible = {RoundKind.SELF_CHECK: confirmed, RoundKind.RE_CHECK: signed_off, RoundKind.SPOT_CHECK: signed_off}
    kinds = {kind.value: _kind_figures(kind, eligible[kind], records.get(kind, {}), required[kind]) for kind in DASHBOARD_KINDS}
    return {
        "statuses": statuses,
        "status_counts": list(statuses.values()),  # in EnrollmentStatus order, for the table
        "nominated": enrollments.get("nominated", 0),
        "confirmed": confirmed,
        "kinds": kinds,
        "kind_list": list(kinds.values()),  # in DASHBOARD_KINDS order, for the page
        "problems": {"open": problems.get("open", 0), "overdue": problems.get("overdue", 0)},
    }


def _sum(groups) -> dict:
    """Add up grouped rows (dicts of counts, nested one level for the per-kind records)."""
    total: dict = {}
    for group in groups:
        for key, value in group.items():
            if isinstance(value, dict):
                inner = total.setdefault(key, {})
                for name, n in value.items():
                    inner[name] = inner.get(name, 0) + n
            else:
                total[key] = total.get(key, 0) + value
    return total


def dashboard_region(user, code: str | None) -> Region:
    """The region a dashboard shows: the one asked for (404 outside the scope), else the user's own."""
    if user.scope_code is None:
        raise Http404("未分配管辖区划")
    if code:
        return get_object_or_404(Region.objects.for_user(user), code=code)
    region = user.scope or Region.objects.filter(level=RegionLevel.PROVINCE).first()
    if region is None:
        raise Http404("尚未导入行政区划")
    return region


DASHBOARD_CACHE = "acceptance"


def dashboard(campaign, region: Region, user, today=None) -> dict:
    """The dashboard below, cached under the acceptance data's version: every save or delete of an
    enrollment, inspection round, inspection record or problem moves it on (inspections/signals.py), so
    a cached dashboard is never older than the last write, and the province's opens from the cache."""
    today = today or timezone.localdate()
    return versioned_cache.get_or_compute(DASHBOARD_CACHE, (campaign.pk, region.code, user.scope_code, today),
                                          lambda: _dashboard(campaign, region, user, today))


def _dashboard(campaign, region: Region, user, today) -> dict:
    """验收进度总览: per child region of `region` and in total, the enrollment status counts, coverage of
    the county self-check, city re-check and province spot-check against their rules, pass rates and open
    problems.

    Three grouped queries (enrollments, inspection records, problems; each grouped by the child region's
    code prefix, `Substr(village_id, 1, width)`) and one for the child regions' names, whatever the
    number of regions or rounds. Totals are the sums of the groups, not further queries.
    """
    child_level = CHILD_LEVEL.get(region.level)
    width = CODE_LENGTH[child_level] if child_level else len(region.code)

    # Counted per (child, status) and added up here: eleven conditional counts cost more to compile
    # than the query takes to run.
    enrollment_rows = (
        Enrollment.objects.for_user(user).filter(campaign=campaign).within(region.code)
        .annotate(child=Substr("village_id", 1, width)).values_list("child", "status").annotate(n=Count("pk")).order_by()
    )
    enrollments: dict[str, dict] = {}
    for child, status, n in enrollment_rows:
        counts = enrollments.setdefault(child, {"nominated": 0, "confirmed": 0})
        counts[f"status_{status}"] = n
        counts["nominated"] += n if status in ACTIVE_STATUSES else 0
        counts["confirmed"] += n if status in actions.CONFIRMED else 0

    record_rows = (
        InspectionRecord.objects.for_user(user).filter(round__campaign=campaign, round__kind__in=DASHBOARD_KINDS).within(region.code)
        .annotate(child=Substr("enrollment__village_id", 1, width)).values("child", "round__kind")
        .annotate(
            # (named n_… so that Q(passed=True) still means the record's field, not an aggregate)
            n_inspected=_distinct_enrollments(_SUBMITTED),
            n_submitted=Count("pk", filter=_SUBMITTED),
            n_passed=Count("pk", filter=_SUBMITTED & Q(passed=True)),
            # The villages re-checks and the spot-check sample from: self-check passed and signed off by the city.
            n_signed_off=_distinct_enrollments(_SUBMITTED & Q(passed=True, round__status=RoundStatus.LOCKED)),
        ).order_by()
    )
    records: dict[str, dict] = {}
    for row in record_rows:
        records.setdefault(row.pop("child"), {})[row.pop("round__kind")] = row

    problem_rows = (
        Problem.objects.for_user(user).filter(enrollment__campaign=campaign).within(region.code)
        .annotate(child=Substr("enrollment__village_id", 1, width)).values("child")
        .annotate(open=Count("pk", filter=NOT_CLOSED), overdue=Count("pk", filter=NOT_CLOSED & Q(deadline__lt=today))).order_by()
    )
    problems = {row.pop("child"): row for row in problem_rows}

    rows = []
    if child_level:
        children = Region.objects.for_user(user).filter(parent=region).order_by("code").only("code", "name", "level")
        if child_level == RegionLevel.VILLAGE:  # a township: only its villages that are in the campaign
            children = children.filter(code__in=list(enrollments))
        for child in children:
            rows.append({
                "region": child, "drillable": child_level in (RegionLevel.CITY, RegionLevel.COUNTY, RegionLevel.TOWNSHIP),
                **_figures(campaign, enrollments.get(child.code, {}), records.get(child.code, {}), problems.get(child.code, {})),
            })
    totals = _figures(campaign, _sum(enrollments.values()), _sum(records.values()), _sum(problems.values()))
    return {"campaign": campaign, "region": region, "child_level": child_level, "rows": rows, "totals": totals,
            "kinds": [(kind.value, kind.label) for kind in DASHBOARD_KINDS],
            "statuses": list(EnrollmentStatus.choices)}


# ---------------------------------------------------------------- coverage of a page of rounds


def _count(queryset) -> Coalesce:
    """A correlated COUNT(*) subquery (0 when nothing matches)."""
    counted = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("pk", distinct=True)).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def round_coverages(rounds) -> dict[int, dict]:
    """`actions.coverage` for every round of a list page in one query, not two per round (the N+1 the
    rounds list had): eligible villages and submitted inspections as correlated subqueries per round."""
    rounds = list(rounds)
    if not rounds:
        return {}
    in_region = Enrollment.objects.filter(campaign=OuterRef("campaign_id"), village__code__startswith=OuterRef("region_id"))
    eligible = Case(
        When(kind__in=[RoundKind.SELF_CHECK, RoundKind.LOOK_BACK, RoundKind.PATROL, RoundKind.CROSS],
             then=_count(in_region.filter(status__in=actions.CONFIRMED))),
        When(kind__in=list(actions.SAMPLED_KINDS), then=_count(in_region.filter(
            inspections__round__kind=RoundKind.SELF_CHECK, inspections__round__status=RoundStatus.LOCKED, inspections__passed=True))),
        default=_count(in_region.filter(status=EnrollmentStatus.ACCEPTED)),
    )
    inspected = _count(InspectionRecord.objects.filter(round=OuterRef("pk"), status=RecordStatus.SUBMITTED))
    counts = {
        pk: (total, done)
        for pk, total, done in InspectionRound.objects.filter(pk__in=[r.pk for r in rounds])
        .annotate(eligible_n=eligible, inspected_n=inspected).order_by().values_list("pk", "eligible_n", "inspected_n")
    }
    result = {}
    for round in rounds:
        total, done = counts.get(round.pk, (0, 0))
        need = actions.required_percent(round)
        result[round.pk] = {"eligible": total, "inspected": done, "percent": float(f"{100 * done / total:.1f}") if total else 0.0,
                            "required": need, "met": total > 0 and done * 100 >= need * total}
    return result
