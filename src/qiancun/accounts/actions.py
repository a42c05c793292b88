"""Every change to accounts and tokens. Each action is atomic and leaves an audit entry."""

import re
import secrets
import string
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from qiancun.core.audit import diff, record_audit, snapshot
from qiancun.core.errors import DomainError, ErrorCode, PermissionDeniedError, ValidationFailed
from qiancun.core.models import AuditAction
from qiancun.regions.choices import RegionLevel
from qiancun.regions.models import Region

from .choices import ADMINISTRATOR_ROLES, OVERSIGHT_ROLES, Role
from .gate import has_second_factor, is_verified, requires_second_factor
from .models import ApiToken, Department, User, hash_token
from .permissions import ADMIN_LEVELS, Perm, ensure_can, ensure_can_manage_users

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,150}$")
AUDITED_USER_FIELDS = ["username", "display_name", "role", "scope_id", "department_id", "is_active"]


def generate_temporary_password() -> str:
    """12 characters from all four classes, for a first login that must change it."""
    pools = [string.ascii_lowercase, string.ascii_uppercase, string.digits, "!@#$%^&*"]
    chars = [secrets.choice(pool) for pool in pools]
    everything = "".join(pools)
    chars += [secrets.choice(everything) for _ in range(8)]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)


def _strictly_below(acting_user: User, scope_code: str | None) -> bool:
    """Whether `scope_code` lies beneath the acting user's own scope (not at it)."""
    if acting_user.is_superuser:
        return True
    own = acting_user.scope_id or ""
    return bool(scope_code) and scope_code != own and scope_code.startswith(own) and bool(own)


def _ensure_in_scope(acting_user: User, target: User) -> None:
    if not User.objects.for_user(acting_user).filter(pk=target.pk).exists():
        raise DomainError(ErrorCode.NOT_FOUND, "用户不存在或不在您的管辖范围内")


def _ensure_oversight_split(acting_user: User, role: str) -> None:
    """三员分立: the security and audit administrators are the security administrator's to give, change,
    reset or disable, never the system administrator's; the security administrator touches no other role."""
    if acting_user.is_superuser:
        return
    if role in OVERSIGHT_ROLES and acting_user.role != Role.SECURITY_ADMIN:
        raise PermissionDeniedError(f"系统管理员不能设立或更改{Role(role).label}：只能由上一级安全管理员设立")
    if role not in OVERSIGHT_ROLES and acting_user.role == Role.SECURITY_ADMIN:
        raise PermissionDeniedError(f"安全管理员只能设立安全管理员和审计管理员，不能设立或更改{Role(role).label}")


def _ensure_manages(acting_user: User, target: User) -> None:
    """An administrator manages the users inside their own scope, never above or beside it; another
    administrator (system, security or audit) only when it sits at a level below."""
    ensure_can_manage_users(acting_user)
    _ensure_in_scope(acting_user, target)
    if target.pk != acting_user.pk:
        _ensure_oversight_split(acting_user, target.role)
    if target.pk != acting_user.pk and target.role in ADMINISTRATOR_ROLES and not _strictly_below(acting_user, target.scope_id):
        raise PermissionDeniedError(f"{target.role_label} {target.username} 与您同级，只能由上一级管理员管理")


def _ensure_secures(acting_user: User, target: User) -> None:
    """The security administrator looks after the accounts inside their scope (unlock, second factor, tokens)."""
    ensure_can(acting_user, Perm.ACCOUNT_SECURITY)
    _ensure_in_scope(acting_user, target)


def _ensure_may_assign(acting_user: User, role: str) -> None:
    """Who may give which role, before anything about the account itself is looked at (403 before 409)."""
    if role not in Role.values:
        raise ValidationFailed(f"角色“{role}”无效", field="role")
    _ensure_oversight_split(acting_user, role)
    if role in ADMINISTRATOR_ROLES and not acting_user.is_superuser and acting_user.scope_level not in (
        RegionLevel.PROVINCE, RegionLevel.CITY,
    ):
        # Administrators exist down to the county; a county administrator has no level below to appoint.
        raise PermissionDeniedError(f"您不能设立{Role(role).label}：管理员只能由上一级管理员设立")


def _validate_assignment(
    acting_user: User, *, role: str, scope_code: str, department_code: str | None, current: tuple | None = None,
):
    """The role, scope and department an account is given; `current` is the (role, scope) it has now,
    which an administrator keeps when only the name or department changes."""
    keeps = current == (role, scope_code)
    if not keeps:
        _ensure_may_assign(acting_user, role)
    scope = Region.objects.for_user(acting_user).filter(code=scope_code).first()
    if scope is None:
        raise ValidationFailed(f"管辖区划 {scope_code or '（空）'} 不存在或不在您的管辖范围内", field="scope")
    if role in ADMINISTRATOR_ROLES and scope.level not in ADMIN_LEVELS:
        raise ValidationFailed(f"{Role(role).label}只能设在省、市、县三级", field="role")
    if role in ADMINISTRATOR_ROLES and not keeps and not _strictly_below(acting_user, scope.code):
        raise PermissionDeniedError(
            f"不能设立与自己同级的{Role(role).label}（{scope.name}）：管理员只能由上一级管理员设立"
        )
    department = None
    if role == Role.DEPARTMENT:
        if scope.level != RegionLevel.PROVINCE:
            raise ValidationFailed("部门用户的管辖区划须为全省", field="scope")
        department = Department.objects.filter(code=department_code, is_active=True).first()
        if department is None:
            raise ValidationFailed("部门用户须选择所属部门", field="department")
    elif department_code:
        raise ValidationFailed(f"只有部门用户才能选择所属部门，{Role(role).label}不能选择", field="department")
    return scope, department


def _validate_password(password: str, user: User, field: str = "password") -> None:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ValidationFailed("；".join(exc.messages), field=field) from exc


@transaction.atomic
def do_bootstrap_admin(
    *, username: str, password: str, scope_code: str, display_name: str = "省级管理员", role: str = Role.ADMIN,
) -> User:
    """The operator installs the platform and creates the province's administrators (command line only):
    the system administrator, and for 三员分立 the security and the audit administrator, whom no one in
    the application may appoint because no level stands above the province."""
    if role not in ADMINISTRATOR_ROLES:
        raise ValidationFailed("只能用命令行创建省级管理员、安全管理员或审计管理员", field="role")
    scope = Region.objects.filter(code=scope_code, level=RegionLevel.PROVINCE).first()
    if scope is None:
        raise ValidationFailed(f"省级区划 {scope_code} 不存在，请先导入行政区划", field="scope")
    if not USERNAME_RE.match(username):
        raise ValidationFailed("账号须为 3–150 位字母、数字或 _ . @ -", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(ErrorCode.CONFLICT, f"账号 {username} 已存在", field="username")
    user = User(username=username, display_name=display_name, role=role, scope=scope)
    _validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.save()
    record_audit(AuditAction.CREATE, username="system", obj=user, changes=diff({}, snapshot(user, AUDITED_USER_FIELDS)))
    return user


@transaction.atomic
def do_create_user(
    *,
    acting_user: User,
    username: str,
    display_name: str,
    role: str,
    scope_code: str,
    department_code: str | None = None,
) -> tuple[User, str]:
    """An administrator opens an account inside their scope; returns it and its one-time password."""
    ensure_can_manage_users(acting_user)
    _ensure_may_assign(acting_user, role)
    username = (username or "").strip()
    if not USERNAME_RE.match(username):
        raise ValidationFailed("账号须为 3–150 位字母、数字或 _ . @ -", field="username")
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(ErrorCode.CONFLICT, f"账号 {username} 已存在", field="username")
    display_name = (display_name or "").strip()
    if not display_name or len(display_name) > 50:
        raise ValidationFailed("请填写姓名（最多 50 字）", field="display_name")
    scope, department = _validate_assignment(acting_user, role=role, scope_code=scope_code, department_code=department_code)
    user = User(username=username, display_name=display_name, role=role, scope=scope, department=department)
    password = generate_temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save()
    record_audit(
        AuditAction.CREATE, acting_user=acting_user, obj=user, changes=diff({}, snapshot(user, AUDITED_USER_FIELDS))
    )
    return user, password


@transaction.atomic
def do_update_user(
    user: User,
    *,
    acting_user: User,
    display_name: str | None = None,
    role: str | None = None,
    scope_code: str | None = None,
    department_code: str | None = None,
) -> User:
    """An administrator changes a user's name, role or scope (never their own role or scope)."""
    _ensure_manages(acting_user, user)
    before = snapshot(user, AUDITED_USER_FIELDS)
    new_role = role if role is not None else user.role
    new_scope = scope_code if scope_code is not None else user.scope_id
    if user.pk == acting_user.pk and (new_role != user.role or new_scope != user.scope_id):
        raise PermissionDeniedError("不能修改自己的角色或管辖区划")
    if department_code is None and user.department_id and new_role == Role.DEPARTMENT:
        department_code = user.department.code
    scope, department = _validate_assignment(
        acting_user, role=new_role, scope_code=new_scope, department_code=department_code,
        current=(user.role, user.scope_id),
    )
    if display_name is not None:
        display_name = display_name.strip()
        if not display_name or len(display_name) > 50:
            raise ValidationFailed("请填写姓名（最多 50 字）", field="display_name")
        user.display_name = display_name
    user.role, user.scope, user.department = new_role, scope, department
    user.save()
    changes = diff(before, snapshot(user, AUDITED_USER_FIELDS))
    if changes:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=user, changes=changes)
    return user


@transaction.atomic
def do_set_user_active(user: User, active: bool, *, acting_user: User) -> User:
    """An administrator disables an account (it can no longer log in or use its tokens) or enables it again."""
    _ensure_manages(acting_user, user)
    if user.pk == acting_user.pk and not active:
        raise PermissionDeniedError("不能停用自己的账号")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=user, changes={"is_active": [not active, active]})
    return user


@transaction.atomic
def do_reset_password(user: User, *, acting_user: User) -> str:
    """An administrator gives a user a new one-time password; the user must change it at next login."""
    _ensure_manages(acting_user, user)
    password = generate_temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    record_audit(AuditAction.PASSWORD_RESET, acting_user=acting_user, obj=user)
    return password


@transaction.atomic
def do_change_password(user: User, *, acting_user: User, old_password: str, new_password: str) -> User:
    """A user replaces their own password (forced after an administrator set it)."""
    if acting_user.pk != user.pk:
        raise PermissionDeniedError("只能修改自己的密码")
    if not user.check_password(old_password):
        raise ValidationFailed("原密码不正确", field="old_password")
    if old_password == new_password:
        raise ValidationFailed("新密码不能与原密码相同", field="new_password")
    _validate_password(new_password, user, field="new_password")
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    record_audit(AuditAction.PASSWORD_CHANGE, acting_user=acting_user, obj=user)
    return user


def token_lifetime_days(expires_in_days: int | None) -> int:
    """Days a new token lives: the default when none is asked for, never past the maximum (settings)."""
    longest = settings.QIANCUN_API_TOKEN_MAX_DAYS
    days = settings.QIANCUN_API_TOKEN_DEFAULT_DAYS if expires_in_days is None else expires_in_days
    if not 1 <= days <= longest:
        raise ValidationFailed(f"有效期须为 1–{longest} 天", field="expires_in_days")
    return days


@transaction.atomic
def do_create_api_token(*, acting_user: User, name: str, expires_in_days: int | None = None) -> tuple[ApiToken, str]:
    """A user creates a personal API token after a full login; the secret is returned once and only its hash
    is kept. A token cannot mint another token, and whoever must use the second factor has set it up first."""
    ensure_can(acting_user, Perm.TOKEN_MANAGE)
    if getattr(acting_user, "authenticated_by_token", False):
        raise PermissionDeniedError("不能用 API 令牌创建新令牌：请登录网页，在“API 令牌”页面创建")
    if requires_second_factor(acting_user) and not has_second_factor(acting_user):
        raise DomainError(ErrorCode.CONFLICT, "须先启用双因素认证，才能创建 API 令牌")
    if hasattr(acting_user, "is_verified") and has_second_factor(acting_user) and not is_verified(acting_user):
        raise DomainError(ErrorCode.CONFLICT, "请先完成双因素认证，再创建 API 令牌")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed("请填写令牌用途（最多 100 字）", field="name")
    days = token_lifetime_days(expires_in_days)
    raw = ApiToken.new_secret()
    token = ApiToken.objects.create(
        user=acting_user,
        name=name,
        key_prefix=raw[:10],
        key_hash=hash_token(raw),
        expires_at=timezone.now() + timedelta(days=days),
    )
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=token,
                 changes={"name": [None, name], "expires_at": [None, token.expires_at.isoformat()]})
    return token, raw


@transaction.atomic
def do_revoke_api_token(token: ApiToken, *, acting_user: User) -> ApiToken:
    """A user revokes one of their tokens; it stops working at once."""
    if token.user_id != acting_user.pk:
        raise DomainError(ErrorCode.NOT_FOUND, "令牌不存在")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=token, changes={"revoked": [False, True]})
    return token


def _revoke_all_tokens(user: User, *, acting_user: User) -> int:
    count = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if count:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=user, changes={"tokens_revoked": [None, count]})
    return count


@transaction.atomic
def do_revoke_user_tokens(user: User, *, acting_user: User) -> int:
    """The security administrator revokes every API token of an account in scope (a leaked token, a
    departure); returns how many were still live."""
    _ensure_secures(acting_user, user)
    return _revoke_all_tokens(user, acting_user=acting_user)


@transaction.atomic
def do_unlock_account(user: User, *, acting_user: User) -> int:
    """The security administrator lifts a login lockout of an account in scope (every address), before
    the 30 minutes are over; returns how many failure records were cleared."""
    from axes.utils import reset

    _ensure_secures(acting_user, user)
    cleared = reset(username=user.username)
    if cleared:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=user, changes={"locked": [True, False]})
    return cleared


# ---- Second factor (TOTP with django-otp, recovery codes as its static device) -------------------

def _normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()


def _replace_recovery_codes(user: User) -> list[str]:
    from django.conf import settings
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(settings.QIANCUN_RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def do_start_totp_setup(*, acting_user: User):
    """A user starts adding an authenticator app: a new secret, unusable until a code from it is confirmed."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not acting_user.is_authenticated:
        raise PermissionDeniedError()
    if TOTPDevice.objects.filter(user=acting_user, confirmed=True).exists():
        raise DomainError(ErrorCode.CONFLICT, "已启用双因素认证；如需更换手机，请先停用再重新设置")
    TOTPDevice.objects.filter(user=acting_user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=acting_user, name="身份验证器", confirmed=False)


@transaction.atomic
def do_confirm_totp(*, acting_user: User, code: str):
    """A user confirms the authenticator app with a code from it; returns the device and 10 one-time recovery codes."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.select_for_update().filter(user=acting_user, confirmed=False).order_by("-id").first()
    if device is None:
        raise DomainError(ErrorCode.CONFLICT, "请先打开设置页面扫描二维码", field="code")
    code = _normalise_code(code)
    if not (code.isdigit() and len(code) == device.digits) or not device.verify_token(code):
        raise ValidationFailed("验证码不正确：请输入身份验证器上当前显示的 6 位数字", field="code")
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_recovery_codes(acting_user)
    record_audit(AuditAction.OTP_ENABLE, acting_user=acting_user, obj=acting_user,
                 changes={"device": [None, device.name], "recovery_codes": [None, len(codes)]})
    return device, codes


@transaction.atomic
def do_verify_second_factor(*, acting_user: User, code: str):
    """A user signing in proves the second factor with an authenticator code or a recovery code.

    Returns the device that matched, or None. A failure is not an exception: the device's throttling
    (growing delays after each failure) and the audit row must be committed, not rolled back.
    """
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    code = _normalise_code(code)
    matched = None
    if code.isdigit() and len(code) == 6:
        for device in TOTPDevice.objects.filter(user=acting_user, confirmed=True):
            if device.verify_token(code):
                matched = device
                break
    elif code:
        for device in StaticDevice.objects.filter(user=acting_user, confirmed=True):
            if device.verify_token(code):  # a recovery code is deleted as it is used
                matched = device
                break
    if matched is None:
        record_audit(AuditAction.OTP_FAILED, acting_user=acting_user, obj=acting_user)
    elif isinstance(matched, StaticDevice):
        left = matched.token_set.count()
        record_audit(AuditAction.OTP_RECOVERY_USED, acting_user=acting_user, obj=acting_user,
                     changes={"recovery_codes": [left + 1, left]})
    else:
        record_audit(AuditAction.OTP_VERIFY, acting_user=acting_user, obj=acting_user)
    return matched


@transaction.atomic
def do_regenerate_recovery_codes(*, acting_user: User) -> list[str]:
    """A user with the second factor replaces all recovery codes (the old ones stop working); shown once."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not TOTPDevice.objects.filter(user=acting_user, confirmed=True).exists():
        raise DomainError(ErrorCode.CONFLICT, "尚未启用双因素认证，不能生成恢复码")
    codes = _replace_recovery_codes(acting_user)
    record_audit(AuditAction.OTP_RECOVERY_RESET, acting_user=acting_user, obj=acting_user,
                 changes={"recovery_codes": [None, len(codes)]})
    return codes


@transaction.atomic
def do_disable_second_factor(user: User, *, acting_user: User) -> User:
    """A user turns off their own second factor, or the security administrator resets it for a user in
    scope (a lost phone). Administrators must set it up again at their next request. The account's API
    tokens were created behind this second factor, so they are revoked with it."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if user.pk != acting_user.pk:
        _ensure_secures(acting_user, user)
    removed = TOTPDevice.objects.filter(user=user).delete()[0]
    StaticDevice.objects.filter(user=user).delete()
    if removed:
        record_audit(AuditAction.OTP_DISABLE, acting_user=acting_user, obj=user, changes={"device": ["身份验证器", None]})
        _revoke_all_tokens(user, acting_user=acting_user)
    return user
