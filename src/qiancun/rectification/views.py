from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from qiancun.accounts.decorators import requires
from qiancun.accounts.permissions import Perm
from qiancun.campaigns.models import Campaign, Enrollment
from qiancun.campaigns.queries import region_names
from qiancun.core.errors import DomainError
from qiancun.core.forms import add_domain_error
from qiancun.core.http import private_file
from qiancun.core.paging import paginate, sort_queryset
from qiancun.regions.choices import RegionLevel
from qiancun.regions.models import Region
from qiancun.regions.queries import breadcrumbs
from qiancun.standards.models import Indicator

from . import actions, queries
from .choices import ProblemStatus
from .forms import AssignForm, OpenProblemForm, SubmitFixForm, VerifyForm
from .lifecycle import Step, allowed_steps, may
from .models import FixPhoto, Problem

SORTS = {"deadline": "deadline", "opened": "opened_at", "code": "enrollment__village_id", "status": "status"}


def _home_region(request) -> Region:
    region = request.user.scope or Region.objects.filter(level=RegionLevel.PROVINCE).first()
    if region is None:
        raise Http404("尚未导入行政区划")
    return region


def _problems(request):
    return Problem.objects.for_user(request.user).select_related("enrollment__village", "enrollment__campaign", "indicator")


def _with_places(page_obj) -> None:
    """County and township names for each listed village, in one query."""
    names = region_names([p.enrollment.village_id for p in page_obj])
    for problem in page_obj:
        code = problem.enrollment.village_id
        problem.place = " ".join(filter(None, (names.get(code[:6]), names.get(code[:9]))))


@requires(Perm.CAMPAIGN_VIEW)
def index(request):
    """Problems in the user's scope, filtered by status, overdue, region and campaign; overdue ones stand out."""
    listing = queries.filter_problems(_problems(request), request.GET)
    listing, sort = sort_queryset(request, listing, SORTS, "deadline")
    page_obj = paginate(request, listing, 50)
    _with_places(page_obj)
    return render(request, "rectification/problem_list.html", {
        "page_obj": page_obj, "sort": sort, "filters": request.GET, "statuses": ProblemStatus.choices,
        "campaigns": Campaign.objects.all(), "can_open": may(request.user, Step.OPEN),
        "summary": queries.summary(Problem.objects.for_user(request.user)),
    })


def _region(request) -> Region:
    code = request.GET.get("region")
    return get_object_or_404(Region.objects.for_user(request.user), code=code) if code else _home_region(request)


@requires(Perm.CAMPAIGN_VIEW)
def overview(request):
    """Open and overdue counts and mean time to close for a region and each region below it."""
    region = _region(request)
    problems = queries.filter_problems(Problem.objects.for_user(request.user), {"campaign": request.GET.get("campaign")})
    return render(request, "rectification/overview.html", {
        "data": queries.overview(problems, region, request.user), "breadcrumbs": breadcrumbs(region, request.user),
        "campaigns": Campaign.objects.all(), "filters": request.GET, "can_open": may(request.user, Step.OPEN),
    })


@requires(Perm.CAMPAIGN_VIEW)
def overdue(request):
    """Overdue problems listed by region (county, then township), oldest deadline first within each."""
    region = _region(request)
    problems = queries.filter_problems(_problems(request).overdue().within(region.code), {"campaign": request.GET.get("campaign")})
    page_obj = paginate(request, problems.order_by("enrollment__village_id", "deadline", "id"), 100)
    _with_places(page_obj)
    names = region_names([p.enrollment.village_id for p in page_obj])
    for problem in page_obj:
        problem.county_code = problem.enrollment.village_id[:6]
        problem.county_name = names.get(problem.county_code, problem.county_code)
    data = queries.overview(Problem.objects.for_user(request.user), region, request.user)
    return render(request, "rectification/overdue.html", {
        "page_obj": page_obj, "region": region, "breadcrumbs": breadcrumbs(region, request.user),
        "rows": [row for row in data["rows"] if row["overdue"]], "totals": data["totals"],
        "campaigns": Campaign.objects.all(), "filters": request.GET, "can_open": may(request.user, Step.OPEN),
    })


@login_required
@require_http_methods(["GET", "POST"])
def problem_open(request):
    """An inspector or staff member records a problem found in a village (from its page or by code)."""
    if not may(request.user, Step.OPEN):
        raise PermissionDenied
    initial = {}
    enrollment_id = request.GET.get("enrollment", "")
    if enrollment_id.isdigit():
        enrollment = get_object_or_404(Enrollment.objects.for_user(request.user).select_related("campaign"), pk=int(enrollment_id))
        initial = {"campaign": enrollment.campaign.year, "village": enrollment.village_id}
    form = OpenProblemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrollment = Enrollment.objects.for_user(request.user).filter(
                campaign__year=data["campaign"], village_id=data["village"].strip()
            ).select_related("campaign", "village").first()
            if enrollment is None:
                raise DomainError("invalid", f"“{data['village']}”不是您管辖范围内{data['campaign']}年度的创建村", field="village")
            problem = actions.do_open_problem(
                acting_user=request.user, enrollment=enrollment, description=data["description"],
                indicator=Indicator.objects.filter(pk=data["indicator"]).first() if data["indicator"] else None,
                responsible_unit=data["responsible_unit"], responsible_person=data["responsible_person"], deadline=data["deadline"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记问题，整改时限 {problem.deadline:%Y-%m-%d}")
            return redirect("rectification:detail", pk=problem.pk)
    return render(request, "rectification/problem_open.html", {"form": form})


def _scoped_problem(request, pk: int) -> Problem:
    return get_object_or_404(_problems(request).select_related("record", "fix_submitted_by", "opened_by"), pk=pk)


@requires(Perm.CAMPAIGN_VIEW)
def detail(request, pk: int):
    problem = _scoped_problem(request, pk)
    user = request.user
    steps = allowed_steps(problem.status)
    photos_by_event = {}
    for photo in problem.photos.all():
        photos_by_event.setdefault(photo.event_id, []).append(photo)
    events = list(problem.events.select_related("actor"))
    for event in events:
        event.photo_list = photos_by_event.get(event.pk, [])
    return render(request, "rectification/problem_detail.html", {
        "problem": problem, "events": events, "breadcrumbs": breadcrumbs(problem.enrollment.village, user),
        "can_assign": Step.ASSIGN in steps and may(user, Step.ASSIGN),
        "can_start": Step.START in steps and may(user, Step.START),
        "can_submit": Step.SUBMIT in steps and may(user, Step.SUBMIT),
        "can_verify": Step.ACCEPT in steps and may(user, Step.ACCEPT) and problem.fix_submitted_by_id != user.pk,
        "own_fix": Step.ACCEPT in steps and problem.fix_submitted_by_id == user.pk,
        "assign_form": AssignForm(initial={
            "responsible_unit": problem.responsible_unit, "responsible_person": problem.responsible_person, "deadline": problem.deadline,
        }),
        "submit_form": SubmitFixForm(), "verify_form": VerifyForm(),
    })


def _act(request, pk: int, step: Step, run):
    """Run one step from the problem's page; the action's refusal comes back as a message."""
    if not may(request.user, step):
        raise PermissionDenied
    problem = _scoped_problem(request, pk)
    try:
        run(problem)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"问题状态：{problem.get_status_display()}")
    return redirect("rectification:detail", pk=pk)


def _form_refusal(form) -> DomainError:
    field, errors = next(iter(form.errors.items()))
    label = form.fields[field].label if field in form.fields else ""
    return DomainError("invalid", f"{label}：{errors[0]}" if label else errors[0], field=field)


@login_required
@require_POST
def problem_assign(request, pk: int):
    def run(problem):
        form = AssignForm(request.POST)
        if not form.is_valid():
            raise _form_refusal(form)
        actions.do_assign(problem, acting_user=request.user, **form.cleaned_data)

    return _act(request, pk, Step.ASSIGN, run)


@login_required
@require_POST
def problem_start(request, pk: int):
    return _act(request, pk, Step.START, lambda problem: actions.do_start_fixing(problem, acting_user=request.user))


@login_required
@require_POST
def problem_submit(request, pk: int):
    def run(problem):
        form = SubmitFixForm(request.POST, request.FILES)
        if not form.is_valid():
            raise _form_refusal(form)
        actions.do_submit_fix(problem, acting_user=request.user, note=form.cleaned_data["note"], photos=request.FILES.getlist("photos"))

    return _act(request, pk, Step.SUBMIT, run)


@login_required
@require_POST
def problem_verify(request, pk: int):
    accept = request.POST.get("decision") == "accept"
    reason = request.POST.get("reason", "")
    return _act(request, pk, Step.ACCEPT if accept else Step.REOPEN,
                lambda problem: actions.do_verify(problem, acting_user=request.user, accept=accept, reason=reason))


@requires(Perm.CAMPAIGN_VIEW)
def photo(request, pk: int):
    """An after-photo, only for users who may see its problem (media is not served publicly)."""
    item = get_object_or_404(FixPhoto.objects.filter(problem__in=Problem.objects.for_user(request.user)), pk=pk)
    return private_file(item.image, item.content_type)
