from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from qiancun.accounts.decorators import requires
from qiancun.accounts.permissions import Perm, can
from qiancun.core.errors import DomainError
from qiancun.core.forms import add_domain_error
from qiancun.core.models import AuditEntry
from qiancun.core.paging import paginate, sort_queryset

from . import actions, queries
from .choices import CHILD_LEVEL, RegionLevel
from .forms import RegionImportForm, VillageForm
from .models import Region, RegionImport


def _region_for(request, code: str) -> Region:
    return get_object_or_404(Region.objects.for_user(request.user), code=code)


@login_required
def index(request):
    if request.user.scope_code is None:
        raise Http404("未分配管辖区划")
    code = request.user.scope_code or Region.objects.filter(level=RegionLevel.PROVINCE).values_list("code", flat=True).first()
    if not code:
        raise Http404("尚未导入行政区划")
    return redirect("regions:detail", code=code)


@login_required
def detail(request, code: str):
    region = _region_for(request, code)
    context = {"region": region, "breadcrumbs": queries.breadcrumbs(region, request.user)}
    if region.is_village:
        context["history"] = AuditEntry.objects.filter(object_type="regions.region", object_id=region.code)[:20]
        context["can_edit"] = can(request.user, Perm.VILLAGE_EDIT)
        context["enrollments"] = region.enrollments.select_related("campaign").order_by("-campaign__year")
        return render(request, "regions/village_detail.html", context)
    children = Region.objects.for_user(request.user).filter(parent=region)
    children, sort = sort_queryset(request, children, {"code": "code", "name": "name_pinyin"}, "code")
    context.update(
        page_obj=paginate(request, children, 50),
        sort=sort,
        counts=queries.counts_beneath_labelled(region),
        child_level=RegionLevel(CHILD_LEVEL[region.level]).label,
    )
    return render(request, "regions/region_detail.html", context)


@login_required
def search(request):
    # Region pickers on other forms send their own input's name (`scope`, `village`).
    text = request.GET.get("q") or request.GET.get("scope") or request.GET.get("village") or ""
    regions = Region.objects.for_user(request.user)
    if request.GET.get("level") in RegionLevel.values:
        regions = regions.filter(level=request.GET["level"])
    results = queries.search(regions, text) if text.strip() else []
    if request.GET.get("format") == "options":
        template = "regions/_search_options.html"
    else:
        template = "regions/_search_results.html" if request.htmx else "regions/search.html"
    return render(request, template, {"q": text, "results": results})


@requires(Perm.VILLAGE_EDIT)
@require_http_methods(["GET", "POST"])
def village_edit(request, code: str):
    village = _region_for(request, code)
    if not village.is_village:
        raise Http404("只有村级区划可以编辑")
    if request.method == "POST":
        form = VillageForm(request.POST)
        if form.is_valid():
            try:
                actions.do_update_village(village, acting_user=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已保存 {village.name} 的村庄信息")
                return redirect("regions:detail", code=village.code)
    else:
        form = VillageForm(
            initial={
                "village_type": village.village_type,
                "is_key_border": village.is_key_border,
                "is_poverty_alleviated": village.is_poverty_alleviated,
                "longitude": village.longitude or "",
                "latitude": village.latitude or "",
            }
        )
    return render(
        request,
        "regions/village_edit.html",
        {"village": village, "form": form, "breadcrumbs": queries.breadcrumbs(village, request.user)},
    )


@requires(Perm.REGION_IMPORT)
@require_http_methods(["GET", "POST"])
def import_list(request):
    form = RegionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = actions.do_start_region_import(form.cleaned_data["file"], acting_user=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("regions:import_detail", pk=job.pk)
    jobs = RegionImport.objects.select_related("created_by")
    return render(request, "regions/import_list.html", {"form": form, "page_obj": paginate(request, jobs, 20)})


@requires(Perm.REGION_IMPORT)
def import_detail(request, pk: int):
    job = get_object_or_404(RegionImport.objects.select_related("rerun_of"), pk=pk)
    progress = cache.get(job.progress_key) if job.status in ("queued", "running") else None
    template = "regions/_import_status.html" if request.htmx else "regions/import_detail.html"
    return render(request, template, {"job": job, "progress": progress, "reruns": job.reruns.order_by("-pk")})


@requires(Perm.REGION_IMPORT)
@require_POST
def import_rerun(request, pk: int):
    job = get_object_or_404(RegionImport, pk=pk)
    try:
        rerun = actions.do_rerun_region_import(job, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("regions:import_detail", pk=job.pk)
    messages.success(request, f"已重新提交导入（#{rerun.pk}），后台正在处理")
    return redirect("regions:import_detail", pk=rerun.pk)


# Status colours of the village map (the legend and the points), in the lifecycle's order.
MAP_COLOURS = {
    "": "#9aa6b8", "nominated": "#8fb3e8", "returned": "#c7a27c", "under_review": "#4f86d6", "creating": "#1f4e9c",
    "self_checked": "#7b5cc4", "re_checked": "#a14fb0", "accepted": "#2e9d5b", "not_accepted": "#d9534f", "revoked": "#7a1f1f",
}


@requires(Perm.REGION_VIEW)
def village_map(request):
    """The villages of the user's scope on the county map, coloured by their status in a campaign;
    villages without a position are counted and listed (未标注位置) so that someone gives them one."""
    from qiancun.campaigns.choices import EnrollmentStatus
    from qiancun.campaigns.models import Campaign, Enrollment

    campaigns = list(Campaign.objects.only("year", "name"))
    year = request.GET.get("campaign", "")
    campaign = next((c for c in campaigns if str(c.year) == year), None) if year else (campaigns[0] if campaigns else None)
    if year and campaign is None:
        raise Http404("年度创建不存在")
    unlocated = queries.unlocated_villages(request.user)
    enrolled_only = campaign is not None and request.GET.get("enrolled") == "1"
    if enrolled_only:
        unlocated = unlocated.filter(enrollments__campaign=campaign)
    page_obj = paginate(request, unlocated.only("code", "name", "village_type"), 20)
    statuses = {}
    if campaign is not None:
        statuses = dict(Enrollment.objects.filter(campaign=campaign, village_id__in=[v.code for v in page_obj]).values_list("village_id", "status"))
    labels = dict(EnrollmentStatus.choices)
    for village in page_obj:
        village.status_label = labels.get(statuses.get(village.code), "")
    legend = [{"status": "", "label": "未参加本年度创建" if campaign else "村（社区）", "colour": MAP_COLOURS[""]}]
    if campaign is not None:
        legend += [{"status": value, "label": label, "colour": MAP_COLOURS[value]} for value, label in EnrollmentStatus.choices]
    api_url = reverse("api:villages_geojson") + (f"?campaign={campaign.year}" if campaign else "")
    return render(request, "regions/village_map.html", {
        "campaign": campaign, "campaigns": campaigns, "page_obj": page_obj, "enrolled_only": enrolled_only,
        "located_count": queries.located_villages(request.user).count(), "legend": legend, "api_url": api_url,
        "scope_code": request.user.scope_code or "", "can_edit": can(request.user, Perm.VILLAGE_EDIT),
    })
