from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from qiancun.accounts.decorators import requires
from qiancun.accounts.permissions import Perm, can
from qiancun.core.errors import DomainError
from qiancun.core.forms import add_domain_error

from . import actions, handbook, queries, spreadsheet
from .choices import IndicatorKind, PassRule
from .forms import IndicatorForm, IndicatorImportForm, StandardCreateForm, StandardForm
from .models import Indicator, Standard


def _standard(pk: int) -> Standard:
    return get_object_or_404(queries.with_counts().select_related("previous"), pk=pk)


def _indicator(pk: int, indicator_pk: int) -> Indicator:
    return get_object_or_404(Indicator.objects.select_related("standard"), pk=indicator_pk, standard_id=pk)


def _download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _refuse_if_frozen(request, standard: Standard):
    """Pages that edit send a frozen standard back to its detail page, which offers 创建新版本 instead."""
    if standard.is_frozen:
        messages.error(request, f"{standard.year}年第 {standard.version} 版标准已冻结，不能修改；请创建新版本后在新版本上修改")
        return redirect("standards:detail", pk=standard.pk)
    return None


@requires(Perm.STANDARD_VIEW)
def standard_list(request):
    standards = queries.with_counts().select_related("previous").order_by("-year", "-version")
    return render(
        request, "standards/standard_list.html",
        {"standards": standards, "can_manage": can(request.user, Perm.STANDARD_MANAGE)},
    )


@requires(Perm.STANDARD_MANAGE)
@require_http_methods(["GET", "POST"])
def standard_create(request):
    initial = {"year": timezone.localdate().year, "pass_rule": PassRule.ALL, "is_provisional": True}
    copy_from = request.GET.get("copy_from", "")
    source = Standard.objects.filter(pk=copy_from).first() if copy_from.isdigit() else None
    if source is not None:
        initial.update(copy_from=source.pk, name=source.name, year=source.year, pass_rule=source.pass_rule, pass_score=source.pass_score)
    form = StandardCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            standard = actions.do_create_standard(
                acting_user=request.user, year=data["year"], name=data["name"], pass_rule=data["pass_rule"],
                pass_score=data["pass_score"], is_provisional=data["is_provisional"], description=data["description"],
                copy_from=data["copy_from"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已创建 {standard.year}年第 {standard.version} 版标准")
            return redirect("standards:detail", pk=standard.pk)
    return render(request, "standards/standard_form.html", {"form": form, "creating": True})


@requires(Perm.STANDARD_VIEW)
def standard_detail(request, pk: int):
    standard = _standard(pk)
    can_manage = can(request.user, Perm.STANDARD_MANAGE)
    total_weight = standard.total_weight or 0
    return render(
        request,
        "standards/standard_detail.html",
        {
            "standard": standard,
            "groups": queries.indicator_groups(standard),
            "rule_text": handbook.rule_text(standard, total_weight),
            "show_weight": standard.pass_rule == PassRule.SCORE,
            "score_too_high": standard.pass_rule == PassRule.SCORE and (standard.pass_score or 0) > total_weight,
            "total_weight": total_weight,
            "later_versions": queries.later_versions(standard),
            "can_manage": can_manage,
            "editable": can_manage and not standard.is_frozen,
            "draft_notice": handbook.DRAFT_NOTICE,
        },
    )


@requires(Perm.STANDARD_MANAGE)
@require_http_methods(["GET", "POST"])
def standard_edit(request, pk: int):
    standard = _standard(pk)
    if request.method == "GET" and (refused := _refuse_if_frozen(request, standard)):
        return refused
    initial = {f: getattr(standard, f) for f in actions.EDITABLE_STANDARD_FIELDS}
    form = StandardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_standard(standard, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已保存")
            return redirect("standards:detail", pk=standard.pk)
    return render(request, "standards/standard_form.html", {"form": form, "standard": standard})


@requires(Perm.STANDARD_MANAGE)
@require_POST
def standard_delete(request, pk: int):
    standard = _standard(pk)
    try:
        actions.do_delete_standard(standard, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("standards:detail", pk=pk)
    messages.success(request, f"已删除 {standard.year}年第 {standard.version} 版标准")
    return redirect("standards:list")


@requires(Perm.STANDARD_MANAGE)
@require_POST
def standard_freeze(request, pk: int):
    standard = _standard(pk)
    try:
        actions.do_freeze_standard(standard, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已冻结 {standard.year}年第 {standard.version} 版：此后不能修改，修改请创建新版本")
    return redirect("standards:detail", pk=pk)


@requires(Perm.STANDARD_MANAGE)
@require_POST
def standard_revision(request, pk: int):
    standard = _standard(pk)
    try:
        revision = actions.do_create_revision(standard, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("standards:detail", pk=pk)
    messages.success(request, f"已创建第 {revision.version} 版（复制自第 {standard.version} 版），请在新版本上修改")
    return redirect("standards:detail", pk=revision.pk)


@requires(Perm.STANDARD_MANAGE)
@require_http_methods(["GET", "POST"])
def indicator_add(request, pk: int):
    standard = _standard(pk)
    if refused := _refuse_if_frozen(request, standard):
        return refused
    kind = request.GET.get("kind") if request.GET.get("kind") in IndicatorKind.values else IndicatorKind.HAVE
    form = IndicatorForm(request.POST or None, initial={"kind": kind})
    if request.method == "POST" and form.is_valid():
        try:
            indicator = actions.do_add_indicator(standard, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已添加指标 {indicator.code} {indicator.title}")
            return redirect("standards:detail", pk=standard.pk)
    return render(request, "standards/indicator_form.html", {"form": form, "standard": standard, "creating": True})


@requires(Perm.STANDARD_MANAGE)
@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk: int, indicator_pk: int):
    indicator = _indicator(pk, indicator_pk)
    standard = indicator.standard
    if request.method == "GET" and (refused := _refuse_if_frozen(request, standard)):
        return refused
    initial = {f: getattr(indicator, f) for f in actions.INDICATOR_FIELDS}
    form = IndicatorForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_update_indicator(indicator, acting_user=request.user, **form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已保存指标 {form.cleaned_data['code']}")
            return redirect("standards:detail", pk=standard.pk)
    return render(request, "standards/indicator_form.html", {"form": form, "standard": standard, "indicator": indicator})


@requires(Perm.STANDARD_MANAGE)
@require_POST
def indicator_delete(request, pk: int, indicator_pk: int):
    indicator = _indicator(pk, indicator_pk)
    try:
        actions.do_delete_indicator(indicator, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已删除指标 {indicator.code} {indicator.title}")
    return redirect("standards:detail", pk=pk)


@requires(Perm.STANDARD_MANAGE)
@require_POST
def indicator_move(request, pk: int, indicator_pk: int):
    indicator = _indicator(pk, indicator_pk)
    try:
        actions.do_move_indicator(indicator, request.POST.get("direction", ""), acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect(reverse("standards:detail", args=[pk]) + f"#indicator-{indicator.pk}")


@requires(Perm.STANDARD_VIEW)
def standard_export(request, pk: int):
    standard = _standard(pk)
    return _download(spreadsheet.export_indicators(standard), spreadsheet.XLSX, spreadsheet.export_filename(standard))


@requires(Perm.STANDARD_MANAGE)
@require_http_methods(["GET", "POST"])
def standard_import(request, pk: int):
    standard = _standard(pk)
    if refused := _refuse_if_frozen(request, standard):
        return refused
    form = IndicatorImportForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            summary = actions.do_import_indicators(standard, form.cleaned_data["file"], acting_user=request.user)
        except DomainError as exc:
            add_domain_error(form, exc)
            errors = exc.details
        else:
            messages.success(request, f"已导入 {summary.added} 项指标，替换了原有的 {summary.removed} 项")
            return redirect("standards:detail", pk=standard.pk)
    return render(request, "standards/standard_import.html", {"form": form, "standard": standard, "errors": errors})


@requires(Perm.STANDARD_VIEW)
def standard_handbook(request, pk: int):
    standard = _standard(pk)
    return render(request, "standards/handbook.html", handbook.handbook_context(standard))


@requires(Perm.STANDARD_VIEW)
def standard_handbook_docx(request, pk: int):
    standard = _standard(pk)
    return _download(handbook.handbook_docx(standard), handbook.DOCX, handbook.docx_filename(standard))
