from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.dateparse import parse_date

from qiancun.accounts.decorators import requires
from qiancun.accounts.permissions import Perm
from qiancun.regions.queries import counts_beneath_labelled

from .models import AuditAction, AuditEntry
from .paging import paginate


@login_required
def home(request):
    from qiancun.campaigns.models import Campaign
    from qiancun.regions.choices import RegionLevel

    user = request.user
    region = user.scope
    # Province, city and county users follow acceptance across their region: the latest year's dashboard.
    follows_acceptance = user.is_superuser or (region is not None and region.level in (RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY))
    return render(
        request,
        "core/home.html",
        {"region": region, "counts": counts_beneath_labelled(region) if region else [],
         "dashboard_campaign": Campaign.objects.only("year", "name").first() if follows_acceptance else None},
    )


def _date(text):
    try:
        return parse_date(text) if text else None
    except ValueError:  # 2022-02-30: a well-formed but impossible date filters nothing
        return None


def filter_audit(queryset, params):
    """Filters shared by the audit page and the audit API: user, object, action, date range."""
    if params.get("user"):
        queryset = queryset.filter(actor_username__icontains=params["user"])
    if params.get("object_type"):
        queryset = queryset.filter(object_type=params["object_type"])
    if params.get("object_id"):
        queryset = queryset.filter(object_id=params["object_id"])
    if params.get("action"):
        queryset = queryset.filter(action=params["action"])
    since, until = _date(params.get("since")), _date(params.get("until"))
    if since:
        queryset = queryset.filter(created_at__date__gte=since)
    if until:
        queryset = queryset.filter(created_at__date__lte=until)
    return queryset


@requires(Perm.AUDIT_VIEW)
def audit_list(request):
    entries = filter_audit(AuditEntry.objects.for_user(request.user).select_related("actor"), request.GET)
    return render(
        request,
        "core/audit_list.html",
        {"page_obj": paginate(request, entries, 50), "actions": AuditAction.choices, "filters": request.GET},
    )
