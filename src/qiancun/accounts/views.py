import django_otp
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_http_methods, require_POST

from qiancun.core.errors import DomainError
from qiancun.core.forms import add_domain_error
from qiancun.core.http import safe_next
from qiancun.core.paging import paginate, sort_queryset
from qiancun.core.ratelimit import rate_limit

from . import actions
from .choices import Role
from .decorators import requires
from .forms import ApiTokenForm, LoginForm, OtpCodeForm, PasswordChangeForm, UserCreateForm, UserForm
from .gate import has_second_factor, password_expired, password_max_age, requires_second_factor
from .models import ApiToken, User
from .permissions import Perm


@method_decorator(rate_limit("login"), name="dispatch")
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
    return render(request, "accounts/password_change.html", {
        "form": form, "expired": not request.user.must_change_password and password_expired(request.user),
        "max_age": password_max_age(request.user),
    })


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
    form = UserCreateForm(request.POST or None, acting_user=request.user)
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
    form = UserForm(request.POST or None, initial=initial, acting_user=request.user)
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
    return render(request, "accounts/user_form.html", {
        "form": form, "target": target, "creating": False, "target_has_otp": has_second_factor(target),
    })


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
    try:
        password = actions.do_reset_password(target, acting_user=request.user)
    except DomainError as exc:  # a peer administrator's account: only the level above resets it
        messages.error(request, exc.message)
        return redirect("accounts:user_detail", pk=target.pk)
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


# ---- Second factor -------------------------------------------------------------------------

def _qr_svg(url: str) -> str:
    import segno
    from django.utils.safestring import mark_safe

    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, dark="#1f2937", light="#ffffff"))  # noqa: S308 - segno's own markup


def _recovery_codes_page(request, codes: list[str]):
    response = render(request, "accounts/otp_recovery_codes.html", {"codes": codes})
    response["Cache-Control"] = "no-store"
    return response


@login_required
def otp_overview(request):
    """The user's own second factor: on or off, recovery codes left, turn off or renew the codes."""
    from django_otp.plugins.otp_static.models import StaticToken

    return render(request, "accounts/otp_overview.html", {
        "enabled": has_second_factor(request.user), "required": requires_second_factor(request.user),
        "codes_left": StaticToken.objects.filter(device__user=request.user).count(),
    })


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request):
    """Scan the QR code with an authenticator app, type the code it shows; the recovery codes are shown once."""
    if has_second_factor(request.user):
        return redirect("accounts:otp_overview")
    form = OtpCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = actions.do_confirm_totp(acting_user=request.user, code=form.cleaned_data["code"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            request.session.cycle_key()
            django_otp.login(request, device)
            return _recovery_codes_page(request, codes)
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).order_by("-id").first()
    if device is None or request.method == "GET":
        device = actions.do_start_totp_setup(acting_user=request.user)
    from base64 import b32encode

    secret = b32encode(device.bin_key).decode()
    response = render(request, "accounts/otp_setup.html", {
        "gate": True, "form": form, "qr": _qr_svg(device.config_url), "required": requires_second_factor(request.user),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    })
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
@rate_limit("login")
def otp_verify(request):
    """After the password: the code from the authenticator app, or a recovery code."""
    if request.user.is_verified() or not has_second_factor(request.user):
        return redirect(safe_next(request, "/"))
    form = OtpCodeForm(request.POST or None, recovery_allowed=True)
    if request.method == "POST" and form.is_valid():
        device = actions.do_verify_second_factor(acting_user=request.user, code=form.cleaned_data["code"])
        if device is None:
            form.add_error("code", "验证码不正确或已使用；多次失败后须等待更长时间才能再试")
        else:
            request.session.cycle_key()
            django_otp.login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                messages.warning(request, f"已使用一个恢复码，还剩 {device.token_set.count()} 个。请尽快找回手机或重新生成恢复码。")
            return redirect(safe_next(request, "/"))
    return render(request, "accounts/otp_verify.html", {"gate": True, "form": form, "next": request.GET.get("next", "")})


@login_required
@require_POST
def otp_recovery_codes(request):
    try:
        codes = actions.do_regenerate_recovery_codes(acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("accounts:otp_overview")
    return _recovery_codes_page(request, codes)


@login_required
@require_POST
def otp_disable(request):
    actions.do_disable_second_factor(request.user, acting_user=request.user)
    if requires_second_factor(request.user):
        messages.warning(request, "已停用原身份验证器。管理员须使用双因素认证，请立即重新设置。")
        return redirect("accounts:otp_setup")
    messages.success(request, "已停用双因素认证")
    return redirect("accounts:otp_overview")


# ---- Account security (the security administrator: unlock, second factor, tokens) ---------------

@requires(Perm.ACCOUNT_SECURITY)
def security_list(request):
    """Accounts in scope: locked out or not, second factor, live tokens; unlock, reset, revoke."""
    from .queries import security_users, with_lockouts

    q = request.GET.get("q", "").strip()
    users = security_users(request.user, q=q, locked_only=request.GET.get("locked") == "1")
    page_obj = paginate(request, users, 50)
    page_obj.object_list = with_lockouts(page_obj.object_list)
    return render(request, "accounts/security_list.html", {"page_obj": page_obj, "filters": request.GET})


def _back_to_security(target):
    from urllib.parse import urlencode

    from django.urls import reverse

    return redirect(reverse("accounts:security") + "?" + urlencode({"q": target.username}))


@requires(Perm.ACCOUNT_SECURITY)
@require_POST
def user_unlock(request, pk: int):
    target = get_object_or_404(_scoped_users(request), pk=pk)
    if actions.do_unlock_account(target, acting_user=request.user):
        messages.success(request, f"已解除账号 {target.username} 的登录锁定")
    else:
        messages.info(request, f"账号 {target.username} 没有被锁定")
    return _back_to_security(target)


@requires(Perm.ACCOUNT_SECURITY)
@require_POST
def user_otp_reset(request, pk: int):
    target = get_object_or_404(_scoped_users(request), pk=pk)
    try:
        actions.do_disable_second_factor(target, acting_user=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重置用户 {target.username} 的双因素认证并吊销其 API 令牌，其下次登录时须重新设置")
    return _back_to_security(target)


@requires(Perm.ACCOUNT_SECURITY)
@require_POST
def user_tokens_revoke(request, pk: int):
    target = get_object_or_404(_scoped_users(request), pk=pk)
    count = actions.do_revoke_user_tokens(target, acting_user=request.user)
    messages.success(request, f"已吊销用户 {target.username} 的 {count} 个 API 令牌")
    return _back_to_security(target)
