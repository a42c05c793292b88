import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from qiancun.accounts.decorators import requires
from qiancun.accounts.models import User
from qiancun.accounts.permissions import Perm, can
from qiancun.campaigns.models import Campaign, Enrollment
from qiancun.core.errors import DomainError, ValidationFailed
from qiancun.core.forms import add_domain_error
from qiancun.core.http import private_file
from qiancun.core.paging import paginate
from qiancun.regions.models import Region
from qiancun.regions.queries import breadcrumbs

from . import actions, draws, queries
from .choices import SAMPLED_LABEL, VISIT_KINDS, RecordStatus, RoundKind, RoundStatus
from .forms import CommitmentForm, ReasonForm, RedrawForm, RoundForm, SeedForm, SubmitForm, VerdictForm
from .models import Draw, InspectionRecord, InspectionRound

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _round(request, pk: int) -> InspectionRound:
    """Rounds in the user's region, plus rounds that name the user or assign their county (cross-inspection)."""
    user = request.user
    found = InspectionRound.objects.for_user(user).filter(pk=pk).first()
    if found is None:
        found = InspectionRound.objects.filter(pk=pk).filter(inspectors=user).first() or InspectionRound.objects.filter(
            pk=pk, kind=RoundKind.CROSS, cross_assignments__inspecting_county_id=(user.scope_code or "")[:6]
        ).first()
    if found is None:
        raise Http404("检查轮次不存在或不在您的管辖范围内")
    return found


@requires(Perm.CAMPAIGN_VIEW)
def index(request):
    user = request.user
    rounds = (InspectionRound.objects.for_user(user) | InspectionRound.objects.filter(inspectors=user)).distinct()
    page_obj = paginate(request, rounds.select_related("campaign", "region"), 30)
    coverages = queries.round_coverages(page_obj)  # one query for the page, not two per round
    for item in page_obj:
        item.coverage = coverages[item.pk]
    return render(request, "inspections/index.html", {
        "page_obj": page_obj,
        "campaigns": Campaign.objects.all(),
        "can_create": can(user, Perm.ROUND_MANAGE),
        "pending_revocations": queries.revocations_for(user).filter(status="proposed").count(),
    })


@requires(Perm.ROUND_MANAGE)
@require_http_methods(["GET", "POST"])
def round_create(request):
    inspectors = User.objects.for_user(request.user).filter(role__in=["inspector", "staff", "admin"], is_active=True)[:200]
    form = RoundForm(request.POST or None, user=request.user, inspectors=inspectors)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round = actions.do_create_round(
                data["campaign"], acting_user=request.user, kind=data["kind"], name=data["name"], starts_on=data["starts_on"],
                ends_on=data["ends_on"], task_force=data["task_force"], inspector_ids=[int(i) for i in data["inspectors"]],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("inspections:round_detail", pk=round.pk)
    return render(request, "inspections/round_form.html", {"form": form})


@requires(Perm.CAMPAIGN_VIEW)
def round_detail(request, pk: int):
    round = _round(request, pk)
    user = request.user
    targets = actions.targets(round).select_related("village")
    records = {r.enrollment_id: r for r in round.records.all()}
    rows = [{"enrollment": e, "record": records.get(e.pk), "may_inspect": actions.may_inspect(user, round, e)} for e in targets]
    organiser = user.scope_code == round.region_id
    return render(request, "inspections/round_detail.html", {
        "round": round, "rows": rows, "coverage": actions.coverage(round),
        "draws": round.draws.all(), "current_draw": actions.current_draw(round),
        "sampled": round.kind in actions.SAMPLED_KINDS, "sampled_label": SAMPLED_LABEL,
        "can_draw": organiser and can(user, Perm.DRAW_MANAGE) and round.kind in actions.SAMPLED_KINDS and not round.is_locked,
        "can_submit": organiser and can(user, Perm.ROUND_SUBMIT) and round.kind == RoundKind.SELF_CHECK
        and round.status in (RoundStatus.OPEN, RoundStatus.SENT_BACK),
        "can_sign_off": can(user, Perm.ROUND_SIGN_OFF) and round.kind == RoundKind.SELF_CHECK and round.status == RoundStatus.SUBMITTED,
        "can_close": organiser and can(user, Perm.ROUND_MANAGE) and round.kind != RoundKind.SELF_CHECK and not round.is_locked,
        "can_assign_cross": organiser and round.kind == RoundKind.CROSS and not round.is_locked,
        "cross": round.cross_assignments.select_related("inspecting_county", "inspected_county"),
        "commitment_form": CommitmentForm(), "reason_form": ReasonForm(),
        "redraws": max(0, round.draws.count() - 1),
    })


@login_required
@require_POST
def round_step(request, pk: int):
    """Submit (county), sign off or send back (city), close (organiser), pair counties (cross-inspection)."""
    round = _round(request, pk)
    step, reason = request.POST.get("step"), request.POST.get("reason", "")
    handlers = {
        "submit": lambda: actions.do_submit_round(round, acting_user=request.user),
        "accept": lambda: actions.do_sign_off(round, acting_user=request.user, accept=True),
        "send_back": lambda: actions.do_sign_off(round, acting_user=request.user, accept=False, reason=reason),
        "close": lambda: actions.do_close_round(round, acting_user=request.user),
        "assign_cross": lambda: actions.do_assign_cross_inspection(round, acting_user=request.user),
        "publish_draw": lambda: _publish_draw(request, round),
    }
    if step not in handlers:
        raise PermissionDenied
    try:
        done = handlers[step]()
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, "已完成")
        if isinstance(done, Draw):
            return redirect("inspections:draw_detail", pk=done.pk)
    return redirect("inspections:round_detail", pk=round.pk)


def _form_data(form) -> dict:
    """A draw form's cleaned data, or its first error as a DomainError (shown as a message)."""
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        label = form.fields[name].label if name in form.fields else ""
        raise ValidationFailed(f"{label}：{errors[0]}" if label else errors[0], field=name)
    return form.cleaned_data


def _publish_draw(request, round: InspectionRound) -> Draw:
    data = _form_data(CommitmentForm(request.POST))
    return actions.do_publish_draw(round, acting_user=request.user, source=data["source"], source_issue=data["source_issue"],
                                   source_date=data["source_date"])


def _draw(request, pk: int) -> Draw:
    draw = get_object_or_404(Draw.objects.select_related("round", "round__campaign"), pk=pk)
    _round(request, draw.round_id)
    return draw


def _may_run_draws(user, round: InspectionRound) -> bool:
    return can(user, Perm.DRAW_MANAGE) and (user.scope_code == round.region_id or user.scope_level == "province")


def draw_detail(request, pk: int):
    """The public verification page (no login: anyone may check a draw): the commitment, the seed, the
    result with city, county and village names, every redraw with the result it replaced, and the
    recomputation with the villages that differ."""
    draw = get_object_or_404(Draw.objects.select_related("round", "round__campaign", "round__region").prefetch_related("links"), pk=pk)
    check = draws.verify(draw)
    history = list(Draw.objects.filter(round=draw.round).order_by("id"))
    codes = set(draw.strata) | set(check.removed) | set(check.added) | set(check.missing) | set(check.extra)
    for item in history:
        codes |= set(item.result)
    codes |= {code[:n] for code in list(codes) for n in (4, 6)}
    names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))

    def rows(village_codes):
        return [{"code": c, "name": names.get(c, ""), "city": names.get(c[:4], ""), "county": names.get(c[:6], "")} for c in village_codes]

    user = request.user
    visible = user.is_authenticated and (InspectionRound.objects.for_user(user).filter(pk=draw.round_id).exists())
    manager = visible and _may_run_draws(user, draw.round)
    return render(request, "inspections/draw_detail.html", {
        "draw": draw, "check": check, "problems": check.problems(), "canonical": draws.canonical(draw.strata),
        "result_rows": rows(draw.result), "eligible_count": sum(len(v) for v in draw.strata.values()),
        "strata": [{"code": code, "name": names.get(code, ""), "city": names.get(code[:4], "") if len(code) > 4 else "",
                    "count": len(codes_), "take": draws.sample_size(len(codes_), draw.percent), "villages": rows(codes_)}
                   for code, codes_ in draw.strata.items()],
        "history": [{"draw": item, "rows": rows(item.result)} for item in history],
        "redraws": len(history) - 1,
        "differences": {"missing": rows(check.missing), "extra": rows(check.extra), "removed": rows(check.removed), "added": rows(check.added)},
        "algorithm_doc": draws.RULES_ZH, "round_visible": visible,
        "seed_form": SeedForm(initial={"source": draw.source, "source_issue": draw.source_issue}),
        "redraw_form": RedrawForm(initial={"source": draw.source}),
        "can_draw": manager and draw.status == "published" and draw.is_current and bool(draw.source),
        "can_redraw": visible and can(user, Perm.DRAW_MANAGE) and user.scope_level == "province" and draw.is_current
        and not draw.round.is_locked,
    })


@login_required
@require_POST
def draw_step(request, pk: int):
    draw = _draw(request, pk)
    step = request.POST.get("step")
    if step not in ("seed", "redraw") or not can(request.user, Perm.DRAW_MANAGE):
        raise PermissionDenied
    try:
        if step == "seed":
            data = _form_data(SeedForm(request.POST))
            actions.do_perform_draw(draw, acting_user=request.user, numbers=data["numbers"], source=data["source"],
                                    source_issue=data["source_issue"])
        else:
            if request.user.scope_level != "province" and not request.user.is_superuser:
                raise PermissionDenied("重新抽取须由省级决定并执行")
            data = _form_data(RedrawForm(request.POST))
            draw = actions.do_redraw(draw, acting_user=request.user, reason=data["reason"], source=data["source"],
                                     source_issue=data["source_issue"], source_date=data["source_date"])
    except DomainError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    return redirect("inspections:draw_detail", pk=draw.pk)


@requires(Perm.INSPECT)
@require_POST
def inspect_start(request, pk: int, enrollment_pk: int):
    round = _round(request, pk)
    enrollment = get_object_or_404(Enrollment.objects.select_related("village"), pk=enrollment_pk, campaign=round.campaign)
    try:
        record = actions.do_start_inspection(round, enrollment, acting_user=request.user)
    except DomainError as exc:
        if exc.code == "not_found":
            raise Http404(exc.message) from exc
        messages.error(request, exc.message)
        return redirect("inspections:round_detail", pk=round.pk)
    return redirect("inspections:record", pk=record.pk)


def _record(request, pk: int) -> InspectionRecord:
    record = get_object_or_404(InspectionRecord.objects.select_related("round", "round__campaign", "enrollment__village"), pk=pk)
    visible = InspectionRecord.objects.for_user(request.user).filter(pk=pk).exists()
    if not visible and not actions.may_inspect(request.user, record.round, record.enrollment):
        raise Http404("检查记录不存在或不在您的管辖范围内")
    return record


@requires(Perm.CAMPAIGN_VIEW)
@require_http_methods(["GET", "POST"])
def record(request, pk: int):
    """The inspection form: one indicator per step on a phone; every step is saved as a server-side draft."""
    record = _record(request, pk)
    indicators = list(record.round.campaign.standard.indicators.all())
    manual = [i for i in indicators if i.judged_by != "computed"]
    verdicts = {v.indicator_id: v for v in record.verdicts.all()}
    editable = record.status == RecordStatus.DRAFT and record.round.status in (RoundStatus.OPEN, RoundStatus.SENT_BACK) \
        and actions.may_inspect(request.user, record.round, record.enrollment)
    if not editable:
        return render(request, "inspections/record_detail.html", {
            "record": record, "rows": [(i, verdicts.get(i.pk)) for i in indicators], "photos": record.photos.prefetch_related("indicators"),
            "can_propose": record.round.kind in VISIT_KINDS and record.major_problem and can(request.user, Perm.REVOCATION_PROPOSE)
            and record.enrollment.status == "accepted", "reason_form": ReasonForm(),
        })
    try:
        step = max(0, min(int(request.GET.get("step", 0)), len(manual)))
    except ValueError:
        step = 0
    if step == len(manual):
        form = SubmitForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                actions.do_submit_inspection(record, acting_user=request.user, summary=data["summary"], latitude=data["latitude"],
                                             longitude=data["longitude"], major_problem=data["major_problem"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, f"已提交{record.enrollment.village.name}的检查记录")
                return redirect("inspections:round_detail", pk=record.round_id)
        return render(request, "inspections/record_submit.html", {
            "record": record, "form": form, "steps": len(manual), "missing": [i for i in manual if i.pk not in verdicts],
            "visit": record.round.kind in VISIT_KINDS,
        })
    indicator = manual[step]
    current = verdicts.get(indicator.pk)
    form = VerdictForm(request.POST or None, request.FILES or None,
                       initial={"verdict": current.verdict if current else None, "note": current.note if current else ""})
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_save_verdict(record, indicator.pk, acting_user=request.user, verdict=form.cleaned_data["verdict"], note=form.cleaned_data["note"])
            if form.cleaned_data["photo"]:
                actions.do_add_photo(record, [indicator.pk], form.cleaned_data["photo"], acting_user=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            target = step if request.POST.get("stay") else step + 1
            return redirect(reverse("inspections:record", args=[record.pk]) + f"?step={target}")
    photos = record.photos.filter(indicators=indicator)
    if indicator.evidence_required:  # 须拍照 in words and in the markup, not only as a badge (issue #13)
        described = "id_photo_rule" + (" id_photo_error" if form["photo"].errors else "")
        form.fields["photo"].widget.attrs.update({"aria-describedby": described, "required": not photos.exists()})
    return render(request, "inspections/record_step.html", {
        "record": record, "indicator": indicator, "form": form, "step": step, "steps": len(manual),
        "photos": photos, "done": len([i for i in manual if i.pk in verdicts]),
    })


@requires(Perm.REVOCATION_PROPOSE)
@require_POST
def revocation_propose(request, pk: int):
    record = _record(request, pk)
    try:
        actions.do_propose_revocation(record, acting_user=request.user, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "已提出摘牌建议，待省级决定")
    return redirect("inspections:record", pk=record.pk)


@requires(Perm.CAMPAIGN_VIEW)
def revocations(request):
    listing = queries.revocations_for(request.user)
    return render(request, "inspections/revocations.html", {
        "page_obj": paginate(request, listing, 30), "can_decide": can(request.user, Perm.REVOCATION_DECIDE),
    })


@requires(Perm.REVOCATION_DECIDE)
@require_POST
def revocation_decide(request, pk: int):
    revocation = get_object_or_404(queries.revocations_for(request.user), pk=pk)
    try:
        actions.do_decide_revocation(revocation, acting_user=request.user, approve=request.POST.get("approve") == "1",
                                     note=request.POST.get("note", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("inspections:revocations")


@requires(Perm.CAMPAIGN_VIEW)
def circular(request, year: int):
    campaign = get_object_or_404(Campaign, year=year)
    return render(request, "inspections/circular.html", {"campaign": campaign, "data": queries.circular(campaign, request.user)})


@requires(Perm.CAMPAIGN_VIEW)
def circular_export(request, year: int):
    from openpyxl import Workbook

    from qiancun.core.xlsx_stream import append_row

    campaign = get_object_or_404(Campaign, year=year)
    data = queries.circular(campaign, request.user)
    book = Workbook()
    sheet = book.active
    sheet.title = "通报"
    # Through core.xlsx_stream's cell rules: a reason typed as "=…" stays text.
    append_row(sheet, [f"{campaign.name}验收及督导情况通报名单"])
    append_row(sheet, ["市（州）", "县（市、区）", "村", "区划代码", "类别", "年度", "原因"])
    for _code, city, rows in data["cities"]:
        for row in rows["failures"]:
            append_row(sheet, [city, row["county"], row["village"], row["code"], "省级抽查验收未通过", campaign.year, row["reason"]])
        for row in rows["revocations"]:
            append_row(sheet, [city, row["county"], row["village"], row["code"], "摘牌", row["year"], row["reason"]])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{year}-circular.xlsx"
    return response


@requires(Perm.CAMPAIGN_VIEW)
def photo(request, pk: int, size: str):
    """Evidence photos are served only to users who may see the record (never from a public media URL)."""
    from .models import EvidencePhoto

    item = get_object_or_404(EvidencePhoto.objects.select_related("record"), pk=pk)
    _record(request, item.record_id)
    return private_file(item.thumbnail if size == "thumb" else item.image)


@requires(Perm.CAMPAIGN_VIEW)
def dashboard(request, year: int):
    """验收进度总览: acceptance progress of a campaign by city, by county when drilled into a city."""
    campaign = get_object_or_404(Campaign, year=year)
    region = queries.dashboard_region(request.user, request.GET.get("region"))
    data = queries.dashboard(campaign, region, request.user)
    chart = {
        "labels": [row["region"].name for row in data["rows"]],
        "codes": [row["region"].code if row["drillable"] else "" for row in data["rows"]],
        "series": [
            {"name": f"{label}（要求 {data['totals']['kinds'][kind]['required']}%）",
             "data": [row["kinds"][kind]["percent"] or 0 for row in data["rows"]]}
            for kind, label in data["kinds"]
        ],
    }
    return render(request, "inspections/dashboard.html", {
        "campaign": campaign, "data": data, "chart": chart, "breadcrumbs": breadcrumbs(region, request.user),
        "campaigns": Campaign.objects.only("year", "name"),
    })
