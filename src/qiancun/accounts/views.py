from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from qiancun.core.errors import DomainError
from qiancun.core.forms import add_domain_error
from qiancun.core.paging import paginate, sort_queryset

from . import actions
from .choices import Role
from .decorators import requires
from .forms import ApiTokenForm, LoginForm, PasswordChangeForm, UserCreateForm, UserForm
from .models import ApiToken, User
from .permissions import Perm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request):
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.do_change_password(
                request.user,
                acting_user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, "密码已修改")
            return redirect("core:home")
    return render(request, "accounts/password_change.html", {"form": form})


def _scoped_users(request):
    return User.objects.for_user(request.user).select_related("scope", "department")


@requires(Perm.USER_MANAGE)
def user_list(request):
    users = _scoped_users(request)
    q = request.GET.get("q", "").strip()
    if q:
        from django.db.models import Q

        users = users.filter(Q(username__icontains=q) | Q(display_name__icontains=q) | Q(scope__name__contains=q))
    if request.GET.get("role") in Role.values:
        users = users.filter(role=request.GET["role"])
    if request.GET.get("active") in ("1", "0"):
        users = users.filter(is_active=request.GET["active"] == "1")
    users, sort = sort_queryset(
        request, users, {"username": "username", "name": "display_name", "scope": "scope_id", "role": "role", "last_login": "last_login"}, "scope"
    )
    return render(
        request,
        "accounts/user_list.html",
        {"page_obj": paginate(request, users, 50), "sort": sort, "roles": Role.choices, "filters": request.GET},
    )


@requires(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_create(request):
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = actions.do_create_user(
                acting_user=request.user,
                username=data["username"],
                display_name=data["display_name"],
                role=data["role"],
                scope_code=data["scope"].strip(),
                department_code=data["department"] or None,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            return render(request, "accounts/user_password_issued.html", {"target": user, "password": password, "created": True})
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@requires(Perm.USER_MANAGE)
@require_http_methods(["GET", "POST"])
def user_detail(request, pk: int):
    target = get_object_or_404(_scoped_users(request), pk=pk)
    initial = {
        "display_name": target.display_name,
        "role": target.role,
        "scope": target.scope_id,
        "department": target.department.code if target.department_id else "",
    }
    form = UserForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_update_user(
                target,
                acting_user=request.user,
                display_name=data["display_name"],
                role=data["role"],
                scope_code=data["scope"].strip(),
                department_code=data["department"] or None,
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已保存用户 {target.username}")
            return redirect("accounts:user_detail", pk=target.pk)
    return render(request, "accounts/user_form.html", {"form": form, "target": target, "creating": False})


@requires(Perm.USER_MANAGE)
@require_POST
def user_set_active(request, pk: int):
    target = get_object_or_404(_scoped_users(request), pk=pk)
    active = request.POST.get("active") == "1"
    try:
        actions.do_set_user_active(target, active, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}用户 {target.username}")
    return redirect("accounts:user_detail", pk=target.pk)


@requires(Perm.USER_MANAGE)
@require_POST
def user_reset_password(request, pk: int):
    target = get_object_or_404(_scoped_users(request), pk=pk)
    password = actions.do_reset_password(target, acting_user=request.user)
    return render(request, "accounts/user_password_issued.html", {"target": target, "password": password, "created": False})


@requires(Perm.TOKEN_MANAGE)
@require_http_methods(["GET", "POST"])
def token_list(request):
    form = ApiTokenForm(request.POST or None)
    new_secret = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_secret = actions.do_create_api_token(
                acting_user=request.user, name=form.cleaned_data["name"], expires_in_days=form.cleaned_data["expires_in_days"]
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            form = ApiTokenForm()
    tokens = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/token_list.html", {"form": form, "tokens": tokens, "new_secret": new_secret})


@requires(Perm.TOKEN_MANAGE)
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    actions.do_revoke_api_token(token, acting_user=request.user)
    messages.success(request, f"已吊销令牌“{token.name}”")
    return redirect("accounts:token_list")
