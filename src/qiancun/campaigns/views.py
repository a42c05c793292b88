
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from qiancun.accounts.decorators import requires
from qiancun.accounts.permissions import Perm, can
from qiancun.core.errors import DomainError
from qiancun.core.forms import add_domain_error
from qiancun.core.http import safe_next
from qiancun.core.paging import paginate, sort_queryset
from qiancun.rectification import queries as rectification_queries
from qiancun.rectification.models import Problem
from qiancun.regions.choices import RegionLevel
from qiancun.regions.models import Region
from qiancun.regions.queries import breadcrumbs

from . import actions, excel, queries, rules
from .choices import EnrollmentStatus, TagKind, Track
from .forms import (
    CampaignEditForm,
    CampaignForm,
    ImportForm,
    NominateForm,
    ReasonForm,
    ShortfallForm,
    ShortfallStatusForm,
    TagForm,
    TagsForm,
)
from .lifecycle import allowed_steps
from .models import Campaign, Enrollment, Quota, ShortfallItem, Tag

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _home_region(request) -> Region:
    region = request.user.scope or Region.objects.filter(level=RegionLevel.PROVINCE).first()
    if region is None:
        raise Http404("尚未导入行政区划")
    return region


def _campaign(year: int) -> Campaign:
    return get_object_or_404(Campaign.objects.select_related("standard"), year=year)


@requires(Perm.CAMPAIGN_VIEW)
def campaign_list(request):
    campaigns = Campaign.objects.select_related("standard")
    return render(request, "campaigns/campaign_list.html", {"campaigns": campaigns, "can_manage": can(request.user, Perm.CAMPAIGN_MANAGE)})


@requires(Perm.CAMPAIGN_MANAGE)
@require_http_methods(["GET", "POST"])
def campaign_create(request):
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["standard_id"] = data.pop("standard").pk
        try:
            campaign = actions.do_create_campaign(acting_user=request.user, **data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已创建{campaign.name}")
            return redirect("campaigns:detail", year=campaign.year)
    return render(request, "campaigns/campaign_form.html", {"form": form})


@requires(Perm.CAMPAIGN_MANAGE)
@require_http_methods(["GET", "POST"])
def campaign_edit(request, year: int):
    """The province changes a campaign's name, targets (minimums), dates, check ratios and nomination switch."""
    campaign = _campaign(year)
    initial = {name: getattr(campaign, name) for name in CampaignEditForm.base_fields if hasattr(campaign, name)}
    form = CampaignEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_campaign(campaign, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已保存{campaign.name}")
            return redirect("campaigns:detail", year=campaign.year)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": campaign})


@requires(Perm.CAMPAIGN_VIEW)
def campaign_detail(request, year: int):
    """Campaign overview for a region (the user's own by default), with drill-down to its children."""
    campaign = _campaign(year)
    code = request.GET.get("region")
    region = get_object_or_404(Region.objects.for_user(request.user), code=code) if code else _home_region(request)
    if region.level == RegionLevel.VILLAGE:
        return redirect(reverse("campaigns:enrollments", args=[year]) + f"?region={region.code}")
    data = queries.overview(campaign, region, request.user)
    chart = {
        "labels": [row["region"].name for row in data["rows"]],
        "codes": [row["region"].code if row["drillable"] else "" for row in data["rows"]],
        "quota": [row["quota"].total if row["quota"] else 0 for row in data["rows"]],
        "nominated": [row["nominated"] for row in data["rows"]],
        "confirmed": [row["confirmed"] for row in data["rows"]],
    }
    return render(request, "campaigns/campaign_detail.html", {
        "campaign": campaign, "data": data, "breadcrumbs": breadcrumbs(region, request.user),
        "chart": chart,
        "can_allocate": can(request.user, Perm.QUOTA_ALLOCATE) and region == request.user.scope,
        "can_nominate": can(request.user, Perm.ENROLLMENT_NOMINATE),
        "can_manage": can(request.user, Perm.CAMPAIGN_MANAGE),
        "rule": rules.RULE_SENTENCE,
        "short_text": rules.describe(data["short_of_target"], skip_zero=True) if data["short_of_target"] else "",
        "rectification": rectification_queries.summary(
            Problem.objects.for_user(request.user).within(region.code).filter(enrollment__campaign=campaign)
        ),
    })


@requires(Perm.QUOTA_ALLOCATE)
@require_http_methods(["GET", "POST"])
def quotas(request, year: int):
    """The province fills in each city's places; a city fills in each county's."""
    campaign = _campaign(year)
    region = request.user.scope
    errors = {}
    if request.method == "POST":
        for row in queries.quota_rows(campaign, region, request.user):
            child = row["region"]
            raw = {key: request.POST.get(f"{key}-{child.code}", "").strip() for key in actions.QUOTA_FIELDS}
            if not any(raw.values()) and row["quota"] is None:
                continue
            try:
                values = {key: int(value or 0) for key, value in raw.items()}
                current = row["quota"]
                if current and all(getattr(current, k) == v for k, v in values.items()):
                    continue
                actions.do_set_quota(campaign, child, acting_user=request.user, **values)
            except ValueError:
                errors[child.code] = "名额须为整数"
            except DomainError as exc:
                errors[child.code] = exc.message
        if not errors:
            messages.success(request, "名额已保存")
            return redirect("campaigns:quotas", year=year)
    rows = queries.quota_rows(campaign, region, request.user)
    for row in rows:
        row["error"] = errors.get(row["region"].code)
        if errors and request.method == "POST":
            row["posted"] = {key: request.POST.get(f"{key}-{row['region'].code}", "") for key in actions.QUOTA_FIELDS}
    data = queries.overview(campaign, region, request.user)
    given = {key: sum(getattr(row["quota"], key) for row in rows if row["quota"]) for key in rules.KINDS}
    own = data["allocated"]
    left = {key: own[key] - given[key] for key in rules.KINDS} if own and region.level != RegionLevel.PROVINCE else None
    return render(request, "campaigns/quotas.html", {
        "campaign": campaign, "region": region, "rows": rows, "rule": rules.RULE_SENTENCE,
        "target_text": rules.describe(data["target"]), "given_text": rules.describe(given), "own_text": rules.describe(own),
        "left_text": rules.describe(left) if left else "",
        "short_text": rules.describe(data["short_of_target"], skip_zero=True) if data["short_of_target"] else "",
    })


def _enrollment_list(request, campaign):
    enrollments = Enrollment.objects.for_user(request.user).filter(campaign=campaign).select_related("village").prefetch_related("tags")
    if request.GET.get("mine") == "1" and request.user.department_id:
        # A department's work list: the villages carrying the themes it leads, in every region.
        enrollments = enrollments.filter(pk__in=Enrollment.objects.with_theme_of(request.user.department_id).values("pk"))
    return queries.filter_enrollments(enrollments, request.GET)


@requires(Perm.CAMPAIGN_VIEW)
def enrollments(request, year: int):
    campaign = _campaign(year)
    listing, sort = sort_queryset(
        request, _enrollment_list(request, campaign), {"code": "village_id", "name": "village__name_pinyin", "status": "status", "track": "track"}, "code"
    )
    bulk = None
    if can(request.user, Perm.ENROLLMENT_REVIEW):
        bulk = ("review", "审核通过所选", EnrollmentStatus.NOMINATED)
    elif can(request.user, Perm.ENROLLMENT_CONFIRM):
        bulk = ("confirm", "确认所选", EnrollmentStatus.UNDER_REVIEW)
    return render(request, "campaigns/enrollment_list.html", {
        "campaign": campaign, "page_obj": paginate(request, listing, 50), "sort": sort, "filters": request.GET,
        "statuses": EnrollmentStatus.choices, "tracks": Track.choices, "tags": Tag.objects.filter(is_active=True),
        "bulk": bulk, "can_nominate": can(request.user, Perm.ENROLLMENT_NOMINATE),
        "department": request.user.department if can(request.user, Perm.THEME_MAINTAIN) else None,
    })


@login_required
@require_POST
def enrollments_bulk(request, year: int):
    """City staff approve, or province staff confirm, several nominations at once."""
    campaign = _campaign(year)
    step = request.POST.get("step")
    perm = {"review": Perm.ENROLLMENT_REVIEW, "confirm": Perm.ENROLLMENT_CONFIRM}.get(step)
    if perm is None or not can(request.user, perm):
        raise PermissionDenied
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    chosen = Enrollment.objects.for_user(request.user).filter(campaign=campaign, pk__in=ids)
    done, refused = 0, []
    for enrollment in chosen:
        try:
            if step == "review":
                actions.do_review(enrollment, acting_user=request.user, approve=True)
            else:
                actions.do_confirm(enrollment, acting_user=request.user)
            done += 1
        except DomainError as exc:
            refused.append(f"{enrollment.village.name}：{exc.message}")
    messages.success(request, f"已处理 {done} 个村")
    for text in refused[:10]:
        messages.error(request, text)
    return redirect(safe_next(request, reverse("campaigns:enrollments", args=[year])))


@requires(Perm.CAMPAIGN_VIEW)
def enrollments_export(request, year: int):
    campaign = _campaign(year)
    content = excel.export_enrollments(campaign, _enrollment_list(request, campaign))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{year}-enrollments.xlsx"
    return response


@requires(Perm.ENROLLMENT_NOMINATE)
@require_http_methods(["GET", "POST"])
def nominate(request, year: int):
    campaign = _campaign(year)
    form = NominateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        village = Region.objects.for_user(request.user).filter(code=data["village"].strip()).first()
        try:
            if village is None:
                raise DomainError("invalid", f"区划代码“{data['village']}”不是本县的村", field="village")
            enrollment = actions.do_nominate(
                campaign, village, acting_user=request.user, track=data["track"],
                tag_ids=[int(t) for t in data["tags"]], note=data["note"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已提名{enrollment.village.name}")
            return redirect("campaigns:nominate", year=year)
    return render(request, "campaigns/nominate.html", {
        "campaign": campaign, "form": form, "import_form": ImportForm(), "places": _places_left(campaign, request.user),
    })


def _places_left(campaign, user) -> str:
    """“示范村 12 个（已提名 10 个）…”: the county's places as the nomination page shows them."""
    quota = Quota.objects.filter(campaign=campaign, region_id=user.scope_id).first()
    if quota is None:
        return "本县尚未获得名额"
    used = actions.used_in(campaign, user.scope_id)
    return "；".join(
        f"{rules.LABELS[key]} {getattr(quota, key)} 个（已提名 {used[key]} 个，尚余 {getattr(quota, key) - used[key]} 个）" for key in rules.KINDS
    )


@requires(Perm.ENROLLMENT_NOMINATE)
@require_POST
def nominations_import(request, year: int):
    campaign = _campaign(year)
    form = ImportForm(request.POST, request.FILES)
    result = None
    if form.is_valid():
        try:
            result = actions.do_import_nominations(campaign, form.cleaned_data["file"], acting_user=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            if result.ok:
                messages.success(request, f"已导入 {len(result.created)} 个村的提名")
                return redirect("campaigns:enrollments", year=year)
    return render(request, "campaigns/nominate.html", {
        "campaign": campaign, "form": NominateForm(), "import_form": form, "import_result": result,
        "places": _places_left(campaign, request.user),
    }, status=400)


@requires(Perm.ENROLLMENT_NOMINATE)
def nomination_template(request, year: int):
    _campaign(year)
    response = HttpResponse(excel.nomination_template(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''nomination-template.xlsx"
    return response


def _scoped_enrollment(request, pk: int) -> Enrollment:
    return get_object_or_404(
        Enrollment.objects.for_user(request.user).select_related("village", "campaign", "campaign__standard"), pk=pk
    )


@requires(Perm.CAMPAIGN_VIEW)
def enrollment_detail(request, pk: int):
    enrollment = _scoped_enrollment(request, pk)
    user = request.user
    steps = allowed_steps(enrollment.status)
    indicators = enrollment.campaign.standard.indicators.all()
    return render(request, "campaigns/enrollment_detail.html", {
        "enrollment": enrollment,
        "breadcrumbs": breadcrumbs(enrollment.village, user),
        "events": enrollment.events.select_related("actor"),
        "shortfalls": enrollment.shortfalls.select_related("indicator"),
        "progress": queries.shortfall_progress(enrollment),
        "can_review": can(user, Perm.ENROLLMENT_REVIEW) and "approve" in steps,
        "can_confirm": can(user, Perm.ENROLLMENT_CONFIRM) and "confirm" in steps,
        "can_resubmit": can(user, Perm.ENROLLMENT_NOMINATE) and "resubmit" in steps,
        "can_tag": can(user, Perm.ENROLLMENT_TAG) or can(user, Perm.THEME_MAINTAIN),
        "can_shortfall": can(user, Perm.SHORTFALL_EDIT),
        "tags_form": TagsForm(initial={"tags": [str(t.pk) for t in enrollment.tags.all()]}),
        "shortfall_form": ShortfallForm(indicators=indicators),
        "status_choices": ShortfallStatusForm.base_fields["status"].choices,
        "reason_form": ReasonForm(),
    })


@login_required
@require_POST
def enrollment_step(request, pk: int):
    """Review (approve/return), confirm (or return) and resubmit, from the village's page."""
    enrollment = _scoped_enrollment(request, pk)
    step, reason = request.POST.get("step"), request.POST.get("reason", "")
    handlers = {
        "approve": (Perm.ENROLLMENT_REVIEW, lambda: actions.do_review(enrollment, acting_user=request.user, approve=True)),
        "city_return": (Perm.ENROLLMENT_REVIEW, lambda: actions.do_review(enrollment, acting_user=request.user, approve=False, reason=reason)),
        "confirm": (Perm.ENROLLMENT_CONFIRM, lambda: actions.do_confirm(enrollment, acting_user=request.user)),
        "province_return": (Perm.ENROLLMENT_CONFIRM, lambda: actions.do_confirm(enrollment, acting_user=request.user, confirm=False, reason=reason)),
        "resubmit": (Perm.ENROLLMENT_NOMINATE, lambda: actions.do_resubmit(enrollment, acting_user=request.user)),
    }
    if step not in handlers or not can(request.user, handlers[step][0]):
        raise PermissionDenied
    try:
        handlers[step][1]()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"{enrollment.village.name}：{enrollment.get_status_display()}")
    return redirect("campaigns:enrollment_detail", pk=pk)


@login_required
@require_POST
def enrollment_tags(request, pk: int):
    enrollment = _scoped_enrollment(request, pk)
    if not (can(request.user, Perm.ENROLLMENT_TAG) or can(request.user, Perm.THEME_MAINTAIN)):
        raise PermissionDenied
    form = TagsForm(request.POST)
    if form.is_valid():
        try:
            actions.do_set_tags(enrollment, acting_user=request.user, tag_ids=[int(t) for t in form.cleaned_data["tags"]])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "标签已保存")
    return redirect("campaigns:enrollment_detail", pk=pk)


@requires(Perm.SHORTFALL_EDIT)
@require_POST
def shortfall_add(request, pk: int):
    enrollment = _scoped_enrollment(request, pk)
    form = ShortfallForm(request.POST, indicators=enrollment.campaign.standard.indicators.all())
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_add_shortfall(
                enrollment, acting_user=request.user, indicator_id=data["indicator"], gap=data["gap"],
                action_plan=data["action_plan"], responsible_person=data["responsible_person"], due_date=data["due_date"],
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "已加入短板弱项清单")
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label}：{errors[0]}")
    return redirect("campaigns:enrollment_detail", pk=pk)


@requires(Perm.SHORTFALL_EDIT)
@require_POST
def shortfall_status(request, pk: int):
    item = get_object_or_404(ShortfallItem.objects.for_user(request.user).select_related("enrollment__campaign"), pk=pk)
    form = ShortfallStatusForm(request.POST)
    if form.is_valid():
        actions.do_update_shortfall(item, acting_user=request.user, status=form.cleaned_data["status"])
    return redirect("campaigns:enrollment_detail", pk=item.enrollment_id)


@requires(Perm.CAMPAIGN_VIEW)
def tag_list(request):
    form = TagForm(request.POST or None) if can(request.user, Perm.TAG_MANAGE) else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.do_create_tag(acting_user=request.user, kind=form.cleaned_data["kind"], name=form.cleaned_data["name"],
                                      department_code=form.cleaned_data["department"] or None)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "已添加标签")
                return redirect("campaigns:tags")
    groups = [(kind.label, Tag.objects.filter(kind=kind).select_related("department")) for kind in TagKind]
    return render(request, "campaigns/tag_list.html", {"groups": groups, "form": form})


@requires(Perm.TAG_MANAGE)
@require_POST
def tag_set_active(request, pk: int):
    tag = get_object_or_404(Tag, pk=pk)
    actions.do_set_tag_active(tag, request.POST.get("active") == "1", acting_user=request.user)
    return redirect("campaigns:tags")
