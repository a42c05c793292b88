"""Read helpers for problems. Every function takes querysets or users and stays inside the scope."""

from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import Substr
from django.utils import timezone

from qiancun.regions.choices import CHILD_LEVEL, CODE_LENGTH
from qiancun.regions.models import Region

from .choices import ProblemStatus

NOT_CLOSED = ~Q(status=ProblemStatus.CLOSED)


def _aggregates(today) -> dict:
    return {
        "total": Count("pk"),
        "open": Count("pk", filter=NOT_CLOSED),
        "overdue": Count("pk", filter=NOT_CLOSED & Q(deadline__lt=today)),
        "fix_submitted": Count("pk", filter=Q(status=ProblemStatus.FIX_SUBMITTED)),
        "closed": Count("pk", filter=Q(status=ProblemStatus.CLOSED)),
        "time_to_close": Avg(
            ExpressionWrapper(F("closed_at") - F("opened_at"), output_field=DurationField()),
            filter=Q(status=ProblemStatus.CLOSED),
        ),
    }


def _days(value) -> float | None:
    """Mean time to close as days with one decimal (None when nothing is closed yet)."""
    if value is None:
        return None
    if not isinstance(value, timedelta):  # some backends hand back microseconds
        value = timedelta(microseconds=float(value))
    return round(value.total_seconds() / 86400, 1)


def _counts(row: dict) -> dict:
    return {
        "total": row.get("total", 0), "open": row.get("open", 0), "overdue": row.get("overdue", 0),
        "fix_submitted": row.get("fix_submitted", 0), "closed": row.get("closed", 0),
        "mean_days_to_close": _days(row.get("time_to_close")),
    }


def summary(problems) -> dict:
    """Open, overdue and closed counts and the mean time to close (days) of a problem queryset."""
    return _counts(problems.aggregate(**_aggregates(timezone.localdate())))


def overview(problems, region: Region, user) -> dict:
    """Counts and mean time to close for `region` and per child region, in one grouped query."""
    problems = problems.within(region.code)
    today = timezone.localdate()
    totals = _counts(problems.aggregate(**_aggregates(today)))
    rows = []
    child_level = CHILD_LEVEL.get(region.level)
    if child_level:
        width = CODE_LENGTH[child_level]
        grouped = {
            row["child"]: row
            for row in problems.annotate(child=Substr("enrollment__village_id", 1, width)).values("child")
            .annotate(**_aggregates(today)).order_by()
        }
        children = Region.objects.for_user(user).filter(parent=region).order_by("code")
        if child_level == "village":  # only the villages that have problems, not every village of a township
            children = children.filter(code__in=list(grouped))
        for child in children:
            rows.append({"region": child, **_counts(grouped.get(child.code, {}))})
    return {"region": region, "totals": totals, "rows": rows, "child_level": child_level}


def filter_problems(queryset, params):
    """Filters shared by the list page, the overdue list and the API."""
    if params.get("status"):
        queryset = queryset.filter(status=params["status"])
    if params.get("overdue") in ("1", "true", True):
        queryset = queryset.overdue()
    if params.get("region"):
        queryset = queryset.within(str(params["region"]))
    if str(params.get("campaign") or "").isdigit():
        queryset = queryset.filter(enrollment__campaign__year=int(params["campaign"]))
    if str(params.get("enrollment") or "").isdigit():
        queryset = queryset.filter(enrollment_id=int(params["enrollment"]))
    if params.get("q"):
        q = str(params["q"]).strip()
        queryset = queryset.filter(
            Q(enrollment__village__name__contains=q) | Q(enrollment__village__code__startswith=q) | Q(description__contains=q)
        )
    return queryset
