import uuid
from datetime import date

import segno
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods, require_POST

from qiancun.accounts.decorators import requires
from qiancun.accounts.permissions import Perm, can
from qiancun.core.errors import DomainError
from qiancun.core.forms import add_domain_error
from qiancun.core.http import object_id, private_file, safe_next
from qiancun.core.paging import paginate
from qiancun.core.ratelimit import rate_limit
from qiancun.core.text import chinese_date
from qiancun.regions.choices import RegionLevel
from qiancun.regions.models import Region
from qiancun.regions.queries import breadcrumbs

from . import actions, excel, queries
from .choices import EntryKind, ProposalStatus, Relation
from .forms import (
    ActivityForm,
    CriterionForm,
    GoodsForm,
    HouseholdForm,
    ImportForm,
    MemberForm,
    NameForm,
    ProposalForm,
    RoundForm,
    RuleForm,
    StockForm,
    VenueForm,
)
from .links import SESSION_KEY, farmer_url
from .models import (
    FarmerLink,
    Goods,
    Household,
    HouseholdGroup,
    HouseholdImport,
    LedgerEntry,
    Member,
    PointsProposal,
    PointsRule,
    RatingCriterion,
    RatingRound,
    Redemption,
    Venue,
    VenueActivity,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _village(request, code: str) -> Region:
    return get_object_or_404(Region.objects.for_user(request.user), code=code, level=RegionLevel.VILLAGE)


def _ctx(request, village: Region, tab: str, **extra) -> dict:
    return {"village": village, "tab": tab, "breadcrumbs": breadcrumbs(village, request.user), **{
        f"can_{p.name.lower()}": can(request.user, p) for p in (
            Perm.HOUSEHOLD_EDIT, Perm.PERSONAL_DATA_UNMASK, Perm.RATING_RECORD, Perm.POINTS_PROPOSE, Perm.POINTS_APPROVE,
            Perm.SHOP_OPERATE, Perm.VENUE_RECORD, Perm.FARMER_LINK_ISSUE, Perm.RATING_CRITERIA_MANAGE)}, **extra}


def _back(request, fallback: str):
    return redirect(safe_next(request, fallback))


def _attachment(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


# ------------------------------------------------------------------ overviews


@requires(Perm.HOUSEHOLD_VIEW)
def index(request):
    """Coverage of every village under a region (the user's own by default); a village user goes to their village."""
    code = request.GET.get("region")
    scope = request.user.scope
    if not code and scope is not None and scope.level == RegionLevel.VILLAGE:
        return redirect("participation:village", code=scope.code)
    region = get_object_or_404(Region.objects.for_user(request.user), code=code) if code else (scope or Region.objects.get(code="22"))
    if region.level == RegionLevel.VILLAGE:
        return redirect("participation:village", code=region.code)
    rows = queries.region_rows(region, request.user)
    return render(request, "participation/index.html", {
        "region": region, "rows": rows, "totals": queries.totals(rows), "breadcrumbs": breadcrumbs(region, request.user),
        "can_rating_criteria_manage": can(request.user, Perm.RATING_CRITERIA_MANAGE) and region.level == RegionLevel.COUNTY,
    })


@requires(Perm.HOUSEHOLD_VIEW)
def village(request, code: str):
    region = _village(request, code)
    coverage = queries.village_coverage(code)
    from .computations import (
        clean_household_rating_coverage,
        love_supermarket_in_operation,
        moral_bank_in_operation,
        ten_household_group_coverage,
        venues_active,
    )

    indicators = [(label, fn(region, None)) for label, fn in [
        ("十户一组", ten_household_group_coverage), ("干净人家评选", clean_household_rating_coverage),
        ("道德银行", moral_bank_in_operation), ("爱心超市", love_supermarket_in_operation), ("文化阵地", venues_active)]]
    return render(request, "participation/village.html", _ctx(
        request, region, "village", coverage=coverage, indicators=indicators, outstanding=queries.outstanding_points(code)))


# ------------------------------------------------------------------ households


@requires(Perm.HOUSEHOLD_VIEW)
def households(request, code: str):
    region = _village(request, code)
    q, group = request.GET.get("q", ""), request.GET.get("group")
    listing = queries.find_households(code, q, int(group) if group and group.isdigit() else None, limit=10_000)
    return render(request, "participation/households.html", _ctx(
        request, region, "households", page_obj=paginate(request, listing.prefetch_related("members"), 50), q=q,
        groups=HouseholdGroup.objects.filter(village=region), group=group))


@requires(Perm.HOUSEHOLD_EDIT)
@require_http_methods(["GET", "POST"])
def household_create(request, code: str):
    region = _village(request, code)
    groups = HouseholdGroup.objects.filter(village=region)
    form = HouseholdForm(request.POST or None, groups=groups)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            household = actions.do_create_household(
                region, acting_user=request.user, number=data["number"], head_name=data["head_name"], address=data["address"],
                group_id=data["group"] or None,
                members=[{"name": data["head_name"], "relation": Relation.HEAD, "id_number": data["id_number"], "phone": data["phone"]}],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记 {household}")
            return redirect("participation:household", pk=household.pk)
    return render(request, "participation/household_form.html", _ctx(request, region, "households", form=form))


def _household(request, pk: int) -> Household:
    return get_object_or_404(Household.objects.for_user(request.user).select_related("village", "group", "account"), pk=pk)


@requires(Perm.HOUSEHOLD_VIEW)
@require_http_methods(["GET", "POST"])
def household_detail(request, pk: int):
    household = _household(request, pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, Perm.HOUSEHOLD_EDIT):
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.do_add_member(household, acting_user=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "已添加家庭成员")
                return redirect("participation:household", pk=pk)
    link = household.links.filter(revoked_at__isnull=True).first()
    new_link = request.session.pop(f"farmer-link-{pk}", None)
    return render(request, "participation/household_detail.html", _ctx(
        request, household.village, "households", household=household, members=household.members.all(), form=form,
        ledger=household.ledger.select_related("reverses").all()[:50], ratings=household.ratings.select_related("round"),
        rank=queries.household_rank(household), link=link, new_link=new_link, new_qr=qr_svg(new_link) if new_link else None,
        groups=HouseholdGroup.objects.filter(village_id=household.village_id)))


@requires(Perm.HOUSEHOLD_EDIT)
@require_POST
def household_group(request, pk: int):
    household = _household(request, pk)
    try:
        actions.do_update_household(household, acting_user=request.user, group_id=request.POST.get("group") or None)
        messages.success(request, "已调整十户一组")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("participation:household", pk=pk)


@requires(Perm.PERSONAL_DATA_UNMASK)
@require_POST
def member_unmask(request, pk: int):
    member = get_object_or_404(Member.objects.for_user(request.user), pk=pk)
    clear = actions.do_unmask_member(member, acting_user=request.user)
    return render(request, "participation/_unmasked.html", {"member": member, "clear": clear})


@requires(Perm.HOUSEHOLD_VIEW)
def households_export(request, code: str):
    """The village's households: the same streamed, masked and audited export as a region's."""
    from . import exports

    return exports.download(exports.export_households(_village(request, code), acting_user=request.user))


@requires(Perm.HOUSEHOLD_EDIT)
@require_http_methods(["GET", "POST"])
def household_import(request, code: str):
    region = _village(request, code)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = actions.do_start_household_import(region, form.cleaned_data["file"], acting_user=request.user, mode=form.cleaned_data["mode"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return redirect("participation:import_detail", pk=job.pk)
    jobs = HouseholdImport.objects.filter(village=region)[:10]
    return render(request, "participation/import.html", _ctx(request, region, "households", form=form, jobs=jobs))


@requires(Perm.HOUSEHOLD_VIEW)
def import_detail(request, pk: int):
    job = get_object_or_404(HouseholdImport.objects.for_user(request.user).select_related("village", "rerun_of"), pk=pk)
    context = {"job": job, "progress": cache.get(job.progress_key) or {}, "can_rerun": can(request.user, Perm.HOUSEHOLD_EDIT),
               "reruns": job.reruns.order_by("-pk")}
    if request.htmx:
        return render(request, "participation/_import_status.html", context)
    return render(request, "participation/import_detail.html", _ctx(request, job.village, "households", **context))


@requires(Perm.HOUSEHOLD_EDIT)
@require_POST
def import_rerun(request, pk: int):
    job = get_object_or_404(HouseholdImport.objects.for_user(request.user), pk=pk)
    try:
        rerun = actions.do_rerun_household_import(job, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("participation:import_detail", pk=job.pk)
    messages.success(request, f"已重新提交导入（#{rerun.pk}），后台正在处理")
    return redirect("participation:import_detail", pk=rerun.pk)


@requires(Perm.HOUSEHOLD_VIEW)
def import_errors(request, pk: int):
    job = get_object_or_404(HouseholdImport.objects.for_user(request.user), pk=pk)
    return _attachment(excel.error_report(job.report), f"import-{pk}-errors.xlsx")


@requires(Perm.HOUSEHOLD_VIEW)
def import_template(request):
    return _attachment(excel.template(), "households-template.xlsx")


# ------------------------------------------------------------------ groups


@requires(Perm.HOUSEHOLD_VIEW)
@require_http_methods(["GET", "POST"])
def groups(request, code: str):
    region = _village(request, code)
    form = NameForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, Perm.HOUSEHOLD_EDIT):
            raise PermissionDenied
        if form.is_valid():
            try:
                group = actions.do_create_group(region, acting_user=request.user, name=form.cleaned_data["name"])
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("participation:group", pk=group.pk)
    coverage = queries.village_coverage(code)
    return render(request, "participation/groups.html", _ctx(
        request, region, "groups", form=form, groups=queries.groups_with_counts(code), coverage=coverage,
        ungrouped=Household.objects.filter(village=region, group__isnull=True).count()))


@requires(Perm.HOUSEHOLD_VIEW)
@require_http_methods(["GET", "POST"])
def group_detail(request, pk: int):
    group = get_object_or_404(HouseholdGroup.objects.for_user(request.user).select_related("village", "leader"), pk=pk)
    if request.method == "POST":
        if not can(request.user, Perm.HOUSEHOLD_EDIT):
            raise PermissionDenied
        try:
            if "leader" in request.POST:
                leader = request.POST.get("leader")
                actions.do_set_group_leader(group, acting_user=request.user, member_id=object_id(leader) if leader else None)
                messages.success(request, "已设置组长")
            else:
                ids = [int(i) for i in request.POST.getlist("households") if i.isdigit()]
                actions.do_assign_households(group, ids, acting_user=request.user)
                messages.success(request, f"已编入 {len(ids)} 户")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("participation:group", pk=pk)
    members = Member.objects.filter(household__group=group).select_related("household")
    return render(request, "participation/group_detail.html", _ctx(
        request, group.village, "groups", group=group, households=group.households.all(), members=members,
        ungrouped=Household.objects.filter(village_id=group.village_id, group__isnull=True)[:200],
        ranking=queries.ranking(group.village_id, group_id=group.pk, limit=20)))


# ------------------------------------------------------------------ ratings


@requires(Perm.HOUSEHOLD_VIEW)
@require_http_methods(["GET", "POST"])
def criteria(request, code: str):
    """A county's clean-household criteria (villages read them, the county sets them)."""
    county = get_object_or_404(Region.objects.all(), code=code, level=RegionLevel.COUNTY)
    scope = request.user.scope_code or ""
    if not (code.startswith(scope) or scope.startswith(code)):
        raise Http404
    form = CriterionForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, Perm.RATING_CRITERIA_MANAGE) or not code.startswith(scope):
            raise PermissionDenied
        if form.is_valid():
            try:
                actions.do_add_criterion(county, acting_user=request.user, name=form.cleaned_data["name"],
                                         max_score=form.cleaned_data["max_score"], order=form.cleaned_data["order"] or 0)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                messages.success(request, "已添加评分项")
                return redirect("participation:criteria", code=code)
    return render(request, "participation/criteria.html", {
        "county": county, "criteria": RatingCriterion.objects.filter(county=county), "form": form,
        "can_manage": can(request.user, Perm.RATING_CRITERIA_MANAGE) and code.startswith(scope),
        "breadcrumbs": breadcrumbs(county, request.user)})


@requires(Perm.HOUSEHOLD_VIEW)
@require_http_methods(["GET", "POST"])
def rounds(request, code: str):
    region = _village(request, code)
    form = RoundForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, Perm.RATING_RECORD):
            raise PermissionDenied
        if form.is_valid():
            try:
                rating_round = actions.do_create_round(region, acting_user=request.user, **form.cleaned_data)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                return redirect("participation:round", pk=rating_round.pk)
    listing = RatingRound.objects.filter(village=region)
    from django.db.models import Count, Q

    listing = listing.annotate(rated=Count("ratings"), clean=Count("ratings", filter=Q(ratings__is_clean=True)))
    return render(request, "participation/rounds.html", _ctx(
        request, region, "ratings", form=form, rounds=listing, criteria=actions.criteria_for(code),
        households=Household.objects.filter(village=region).count()))


def _round(request, pk: int) -> RatingRound:
    return get_object_or_404(RatingRound.objects.for_user(request.user).select_related("village"), pk=pk)


@requires(Perm.HOUSEHOLD_VIEW)
@require_http_methods(["GET", "POST"])
def round_detail(request, pk: int):
    rating_round = _round(request, pk)
    criteria_list = list(actions.criteria_for(rating_round.village_id))
    if request.method == "POST":
        if not can(request.user, Perm.RATING_RECORD):
            raise PermissionDenied
        try:
            if request.POST.get("publish"):
                actions.do_publish_round(rating_round, acting_user=request.user)
                messages.success(request, "已公布干净人家名单")
            else:
                household = get_object_or_404(Household.objects.for_user(request.user), pk=object_id(request.POST.get("household")))
                scores = {str(c.pk): request.POST.get(f"score_{c.pk}", "") for c in criteria_list}
                actions.do_rate(rating_round, household, acting_user=request.user, scores=scores)
                messages.success(request, f"已为 {household} 评分")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect(safe_next(request, reverse("participation:round", args=[pk])))
    rated = {r.household_id: r for r in rating_round.ratings.all()}
    listing = Household.objects.filter(village_id=rating_round.village_id).select_related("group")
    if request.GET.get("todo") == "1":
        listing = listing.exclude(pk__in=rated)
    page = paginate(request, listing, 30)
    for h in page:
        h.rating = rated.get(h.pk)
        h.score_list = [(c, (h.rating.scores.get(str(c.pk)) if h.rating else None)) for c in criteria_list]
    return render(request, "participation/round_detail.html", _ctx(
        request, rating_round.village, "ratings", round=rating_round, criteria=criteria_list, page_obj=page,
        rated=len(rated), total=Household.objects.filter(village_id=rating_round.village_id).count(),
        clean=sum(1 for r in rated.values() if r.is_clean), todo=request.GET.get("todo") == "1"))


@requires(Perm.HOUSEHOLD_VIEW)
def honour_list(request, pk: int):
    rating_round = _round(request, pk)
    clean = rating_round.ratings.filter(is_clean=True).select_related("household", "household__group").order_by("household__number")
    return render(request, "participation/honour_list.html", {"round": rating_round, "village": rating_round.village, "ratings": clean})


# ------------------------------------------------------------------ moral bank


@requires(Perm.HOUSEHOLD_VIEW)
@require_http_methods(["GET", "POST"])
def bank(request, code: str):
    region = _village(request, code)
    rule_form = RuleForm(request.POST or None if request.POST.get("form") == "rule" else None)
    if request.method == "POST" and request.POST.get("form") == "rule":
        if not can(request.user, Perm.POINTS_APPROVE):
            raise PermissionDenied
        if rule_form.is_valid():
            try:
                actions.do_create_rule(region, acting_user=request.user, **rule_form.cleaned_data)
            except DomainError as exc:
                add_domain_error(rule_form, exc)
            else:
                messages.success(request, "已添加积分事项")
                return redirect("participation:bank", code=code)
    status = request.GET.get("status", ProposalStatus.PROPOSED)
    proposals = PointsProposal.objects.filter(village=region).select_related("household", "rule")
    if status in ProposalStatus.values:
        proposals = proposals.filter(status=status)
    return render(request, "participation/bank.html", _ctx(
        request, region, "bank", rules=PointsRule.objects.filter(village=region), rule_form=rule_form,
        page_obj=paginate(request, proposals, 30), status=status, statuses=ProposalStatus.choices,
        recent=LedgerEntry.objects.filter(village=region).select_related("household")[:20],
        outstanding=queries.outstanding_points(code)))


@requires(Perm.POINTS_PROPOSE)
@require_http_methods(["GET", "POST"])
def propose(request, pk: int):
    """A group leader's proposal, entered by staff from the household's page."""
    household = _household(request, pk)
    rules = PointsRule.objects.filter(village_id=household.village_id, is_active=True)
    form = ProposalForm(request.POST or None, rules=rules,
                        initial={"household": pk, "idempotency_key": uuid.uuid4().hex, "occurred_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_propose_points(household, acting_user=request.user, idempotency_key=data["idempotency_key"], rule_id=data["rule"],
                                      reason=data["reason"] or "", occurred_on=data["occurred_on"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已提交积分申报，待村委会审批")
            return redirect("participation:household", pk=pk)
    return render(request, "participation/propose.html", _ctx(request, household.village, "bank", household=household, form=form))


@requires(Perm.POINTS_APPROVE)
@require_POST
def proposal_decide(request, pk: int):
    proposal = get_object_or_404(PointsProposal.objects.for_user(request.user), pk=pk)
    try:
        actions.do_decide_proposal(proposal, acting_user=request.user, approve=request.POST.get("approve") == "1", note=request.POST.get("note", ""))
        messages.success(request, "已审批")
    except DomainError as exc:
        messages.error(request, exc.message)
    return _back(request, reverse("participation:bank", args=[proposal.village_id]))


@requires(Perm.POINTS_APPROVE)
@require_POST
def entry_reverse(request, pk: int):
    entry = get_object_or_404(LedgerEntry.objects.for_user(request.user), pk=pk)
    try:
        actions.do_reverse_entry(entry, acting_user=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, "已冲正")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("participation:household", pk=entry.household_id)


@requires(Perm.HOUSEHOLD_VIEW)
def rankings(request, code: str):
    region = _village(request, code)
    month = request.GET.get("month") or ""
    group = request.GET.get("group")
    rows = queries.ranking(code, month=month or None, group_id=int(group) if group and group.isdigit() else None)
    return render(request, "participation/rankings.html", _ctx(
        request, region, "bank", rows=rows, month=month, group=group, groups=HouseholdGroup.objects.filter(village=region)))


# ------------------------------------------------------------------ love supermarket


def _post_one_of(request, perm, forms: dict) -> bool:
    """A page with two forms told apart by their `form` field (a parent and its child, e.g. goods and
    stock in): on POST check the right, run the chosen form's action. True when it was saved."""
    if request.method != "POST":
        return False
    if not can(request.user, perm):
        raise PermissionDenied
    form, apply = forms.get(request.POST.get("form"), (None, None))
    if form is None or not form.is_valid():
        return False
    try:
        apply(dict(form.cleaned_data))
    except DomainError as exc:
        add_domain_error(form, exc)
        return False
    messages.success(request, "已保存")
    return True


@requires(Perm.HOUSEHOLD_VIEW)
@require_http_methods(["GET", "POST"])
def shop(request, code: str):
    region = _village(request, code)
    goods_list = Goods.objects.filter(village=region)
    which = request.POST.get("form")
    goods_form = GoodsForm(request.POST if which == "goods" else None)
    stock_form = StockForm(request.POST if which == "stock" else None, goods=goods_list)
    done = _post_one_of(request, Perm.SHOP_OPERATE, {
        "goods": (goods_form, lambda data: actions.do_create_goods(region, acting_user=request.user, **data)),
        "stock": (stock_form, lambda data: actions.do_stock_in(get_object_or_404(goods_list, pk=data.pop("goods")),
                                                                acting_user=request.user, **data)),
    })
    if done:
        return redirect("participation:shop", code=code)
    return render(request, "participation/shop.html", _ctx(
        request, region, "shop", goods=goods_list, goods_form=goods_form, stock_form=stock_form,
        redemptions=Redemption.objects.filter(village=region).select_related("household")[:20]))


@requires(Perm.SHOP_OPERATE)
@require_http_methods(["GET", "POST"])
def counter(request, code: str):
    """Redemption at the counter: find the household, pick goods, confirm."""
    region = _village(request, code)
    goods_list = Goods.objects.filter(village=region, is_active=True)
    if request.method == "POST":
        household = get_object_or_404(Household.objects.for_user(request.user), pk=object_id(request.POST.get("household")), village=region)
        lines = [(g.pk, int(request.POST.get(f"qty_{g.pk}") or 0)) for g in goods_list if (request.POST.get(f"qty_{g.pk}") or "0").isdigit()]
        try:
            redemption = actions.do_redeem(household, lines, acting_user=request.user, idempotency_key=request.POST.get("idempotency_key", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect(reverse("participation:counter", args=[code]) + f"?household={household.pk}")
        return redirect("participation:receipt", pk=redemption.pk)
    q, group = request.GET.get("q", ""), request.GET.get("group")
    found = queries.find_households(code, q, int(group) if group and group.isdigit() else None) if (q or group) else []
    chosen = None
    if request.GET.get("household"):
        chosen = get_object_or_404(Household.objects.filter(village=region).select_related("account", "group"), pk=object_id(request.GET["household"]))
    return render(request, "participation/counter.html", _ctx(
        request, region, "shop", goods=goods_list, found=found, q=q, group=group, chosen=chosen,
        groups=HouseholdGroup.objects.filter(village=region), key=uuid.uuid4().hex))


@requires(Perm.HOUSEHOLD_VIEW)
def receipt(request, pk: int):
    redemption = get_object_or_404(Redemption.objects.for_user(request.user).select_related("household", "village", "created_by", "household__account"), pk=pk)
    return render(request, "participation/receipt.html", _ctx(request, redemption.village, "shop", redemption=redemption,
                                                              lines=redemption.lines.select_related("goods")))


@requires(Perm.HOUSEHOLD_VIEW)
def reconciliation(request, code: str):
    region = _village(request, code)
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate()
    return render(request, "participation/reconciliation.html", _ctx(request, region, "shop", data=queries.reconciliation(code, day)))


# ------------------------------------------------------------------ venues


@requires(Perm.HOUSEHOLD_VIEW)
@require_http_methods(["GET", "POST"])
def venues(request, code: str):
    region = _village(request, code)
    venue_list = Venue.objects.filter(village=region)
    which = request.POST.get("form")
    venue_form = VenueForm(request.POST if which == "venue" else None)
    activity_form = ActivityForm(request.POST if which == "activity" else None, request.FILES if which == "activity" else None, venues=venue_list)
    done = _post_one_of(request, Perm.VENUE_RECORD, {
        "venue": (venue_form, lambda data: actions.do_create_venue(region, acting_user=request.user, **data)),
        "activity": (activity_form, lambda data: actions.do_record_activity(get_object_or_404(venue_list, pk=data.pop("venue")),
                                                                            acting_user=request.user, **data)),
    })
    if done:
        return redirect("participation:venues", code=code)
    return render(request, "participation/venues.html", _ctx(
        request, region, "venues", venues=queries.venue_summary(code), venue_form=venue_form, activity_form=activity_form,
        activities=VenueActivity.objects.filter(village=region).select_related("venue")[:30]))


# ------------------------------------------------------------------ farmers' links


@requires(Perm.FARMER_LINK_ISSUE)
@require_POST
def link_issue(request, pk: int):
    household = _household(request, pk)
    _, token = actions.do_issue_link(household, acting_user=request.user)
    # Shown once on the household page (the secret is not stored), like an API token.
    request.session[f"farmer-link-{pk}"] = farmer_url(request, token)
    messages.success(request, "已发放新的访问链接，旧链接已失效")
    return redirect("participation:household", pk=pk)


@requires(Perm.FARMER_LINK_ISSUE)
@require_POST
def link_revoke(request, pk: int):
    link = get_object_or_404(FarmerLink.objects.for_user(request.user), pk=pk)
    actions.do_revoke_link(link, acting_user=request.user)
    messages.success(request, "已收回访问链接")
    return redirect("participation:household", pk=link.household_id)


@requires(Perm.FARMER_LINK_ISSUE)
@require_POST
def link_renew(request, pk: int):
    link = get_object_or_404(FarmerLink.objects.for_user(request.user), pk=pk)
    try:
        link = actions.do_renew_link(link, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已续期，原二维码可继续使用，有效期至 {local_chinese_date(link.expires_at)}")
    return redirect("participation:household", pk=link.household_id)


def local_chinese_date(moment) -> str:
    """A stored time as the day it is in Beijing, written the Chinese way."""
    return chinese_date(timezone.localtime(moment).date())


def qr_svg(url: str) -> str:
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, dark="#1f2937", light="#ffffff"))  # noqa: S308 - segno's own markup


@rate_limit("farmer", method=None)  # the link is guessable only by brute force; this slows that down too
@require_http_methods(["GET", "POST"])
def farmer_home(request):
    """The household's own phone page: no login, only its own masked data and the village's rankings.

    The QR code's link carries its token after "#" (links.farmer_url), which never reaches a server; the
    page's script posts it here once and the session keeps the link's number, checked again on every
    visit (withdrawn → the invalid page, expired → the expired page)."""
    if request.method == "POST":
        return _farmer_sign_in(request, request.POST.get("token", ""))
    pk = request.session.get(SESSION_KEY)
    link = actions.usable_link(pk) if isinstance(pk, int) else None
    if link is None:
        request.session.pop(SESSION_KEY, None)
        return render(request, "participation/farmer_open.html")
    if link.is_expired:
        return _farmer_expired(request, link)
    return _farmer_page(request, link)


@rate_limit("farmer", method=None)
def farmer(request, token: str):
    """Links issued before the token moved after "#" carry it in the path: handed over the same way, then
    the page goes on without it (and the access log hides this path's token: gunicorn.conf.py)."""
    return _farmer_sign_in(request, token)


def _farmer_sign_in(request, token: str):
    link = actions.resolve_link(token)
    if link is None:
        return render(request, "participation/farmer_invalid.html", status=404)
    if link.is_expired:
        return _farmer_expired(request, link)
    request.session.cycle_key()
    request.session[SESSION_KEY] = link.pk
    response = redirect("participation:farmer_home")
    response.status_code = 303  # the POST's answer is read with GET
    return response


def _farmer_expired(request, link):
    request.session.pop(SESSION_KEY, None)
    return render(request, "participation/farmer_expired.html",
                  {"village": link.village, "expired_on": local_chinese_date(link.expires_at)}, status=410)


def _farmer_page(request, link):
    household = link.household
    members = household.members.all()
    statement = queries.statement(household.pk, limit=30)
    return render(request, "participation/farmer.html", {
        "household": household, "village": link.village, "members": members,
        "balance": statement.balance, "ledger": statement.entries, "rank": queries.household_rank(household),
        "top": queries.ranking(household.village_id, limit=10),
        "goods": Goods.objects.filter(village_id=household.village_id, is_active=True, stock__gt=0),
        "ratings": household.ratings.filter(round__published_at__isnull=False).select_related("round"),
        "entry_kinds": EntryKind, "link": link,
    })


__all__ = ["qr_svg"]


@requires(Perm.HOUSEHOLD_VIEW)
def activity_photo(request, pk: int):
    """Venue photos are served only to users whose scope holds the village (never from a public media URL)."""
    activity = get_object_or_404(VenueActivity.objects.for_user(request.user), pk=pk)
    if not activity.photo:
        raise Http404("没有照片")
    return private_file(activity.photo)


@requires(Perm.HOUSEHOLD_VIEW)
def region_households_export(request, code: str):
    """Every household of a region in the user's scope, masked, as one streamed Excel file (audited)."""
    from . import exports

    region = get_object_or_404(Region.objects.for_user(request.user), code=code)
    return exports.download(exports.export_households(region, acting_user=request.user))
