from datetime import datetime

from django.db.models import Q
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate

from qiancun.core.api_base import ERRORS

from . import actions
from .choices import OVERSIGHT_ROLES, Role
from .models import ApiToken, User
from .permissions import Perm, can, ensure_can, ensure_can_manage_users

router = Router(tags=["账号"])


class MeOut(Schema):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    scope_code: str | None = Field(None, alias="scope_id")
    scope_name: str | None = None
    department: str | None = None
    permissions: list[str]

    @staticmethod
    def resolve_scope_name(obj) -> str | None:
        return obj.scope.name if obj.scope_id else None

    @staticmethod
    def resolve_department(obj) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_permissions(obj) -> list[str]:
        return [str(p) for p in Perm if can(obj, p)]


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    role: Role
    role_label: str
    scope_code: str | None = Field(None, alias="scope_id")
    department_code: str | None = None
    is_active: bool
    must_change_password: bool
    last_login: datetime | None
    date_joined: datetime

    @staticmethod
    def resolve_department_code(obj) -> str | None:
        return obj.department.code if obj.department_id else None


class UserCreateIn(Schema):
    username: str
    display_name: str
    role: Role
    scope_code: str
    department_code: str | None = None


class UserPatchIn(Schema):
    display_name: str | None = None
    role: Role | None = None
    scope_code: str | None = None
    department_code: str | None = None


class UserWithPasswordOut(Schema):
    user: UserOut
    temporary_password: str


class UserFilters(Schema):
    role: Role | None = None
    is_active: bool | None = None
    q: str | None = None


class TokenOut(Schema):
    id: int
    name: str
    key_prefix: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None


class TokenCreateIn(Schema):
    name: str
    expires_in_days: int | None = Field(None, description="有效天数，留空为默认（90 天），最长 365 天（见设置）")


class TokenCreatedOut(Schema):
    token: TokenOut
    secret: str


@router.get("/me", response={200: MeOut, **ERRORS}, summary="当前用户、角色、管辖区划与权限")
def me(request):
    return request.auth


def _users(request):
    ensure_can_manage_users(request.auth)
    users = User.objects.for_user(request.auth).select_related("scope", "department")
    if not can(request.auth, Perm.USER_MANAGE):  # the security administrator: the two roles they appoint
        users = users.filter(role__in=OVERSIGHT_ROLES)
    return users


@router.get("/users", response={200: list[UserOut], **ERRORS}, summary="用户列表（管理员，按管辖范围）")
@paginate(PageNumberPagination, page_size=50)
def list_users(request, filters: Query[UserFilters]):
    users = _users(request)
    if filters.role:
        users = users.filter(role=filters.role)
    if filters.is_active is not None:
        users = users.filter(is_active=filters.is_active)
    if filters.q:
        users = users.filter(Q(username__icontains=filters.q) | Q(display_name__icontains=filters.q))
    return users.order_by("scope_id", "username")


@router.post("/users", response={201: UserWithPasswordOut, **ERRORS}, summary="新建用户，返回一次性密码")
def create_user(request, payload: UserCreateIn):
    user, password = actions.do_create_user(acting_user=request.auth, **payload.dict())
    return Status(201, {"user": user, "temporary_password": password})


@router.get("/users/{user_id}", response={200: UserOut, **ERRORS}, summary="用户详情")
def get_user(request, user_id: int):
    return get_object_or_404(_users(request), pk=user_id)


@router.patch("/users/{user_id}", response={200: UserOut, **ERRORS}, summary="修改用户姓名、角色、管辖区划或部门")
def update_user(request, user_id: int, payload: UserPatchIn):
    user = get_object_or_404(_users(request), pk=user_id)
    return actions.do_update_user(user, acting_user=request.auth, **payload.dict(exclude_unset=True))


@router.post("/users/{user_id}/deactivate", response={200: UserOut, **ERRORS}, summary="停用用户")
def deactivate_user(request, user_id: int):
    user = get_object_or_404(_users(request), pk=user_id)
    return actions.do_set_user_active(user, False, acting_user=request.auth)


@router.post("/users/{user_id}/activate", response={200: UserOut, **ERRORS}, summary="启用用户")
def activate_user(request, user_id: int):
    user = get_object_or_404(_users(request), pk=user_id)
    return actions.do_set_user_active(user, True, acting_user=request.auth)


@router.post("/users/{user_id}/reset-password", response={200: UserWithPasswordOut, **ERRORS}, summary="重置密码，返回一次性密码")
def reset_password(request, user_id: int):
    user = get_object_or_404(_users(request), pk=user_id)
    password = actions.do_reset_password(user, acting_user=request.auth)
    return {"user": user, "temporary_password": password}


class AccountSecurityOut(Schema):
    id: int
    username: str
    display_name: str
    role: Role
    scope_code: str | None = Field(None, alias="scope_id")
    is_active: bool
    locked: bool
    locked_until: datetime | None
    recent_failures: int
    has_second_factor: bool
    live_tokens: int

    @staticmethod
    def resolve_locked(obj) -> bool:
        return bool(obj.lockout and obj.lockout["locked"])

    @staticmethod
    def resolve_locked_until(obj) -> datetime | None:
        return obj.lockout["until"] if obj.lockout and obj.lockout["locked"] else None

    @staticmethod
    def resolve_recent_failures(obj) -> int:
        return obj.lockout["failures"] if obj.lockout else 0

    @staticmethod
    def resolve_has_second_factor(obj) -> bool:
        return obj.has_otp


class SecurityFilters(Schema):
    q: str | None = None
    locked: bool | None = None


class UnlockOut(Schema):
    user: UserOut
    cleared_failures: int


class TokensRevokedOut(Schema):
    user: UserOut
    revoked: int


def _secured(request, user_id: int) -> User:
    ensure_can(request.auth, Perm.ACCOUNT_SECURITY)
    return get_object_or_404(User.objects.for_user(request.auth).select_related("scope", "department"), pk=user_id)


@router.get("/account-security", response={200: list[AccountSecurityOut], **ERRORS},
            summary="账号安全：登录锁定、双因素认证、有效令牌（安全管理员，按管辖范围）")
@paginate(PageNumberPagination, page_size=50)
def list_account_security(request, filters: Query[SecurityFilters]):
    from .queries import security_users, with_lockouts

    ensure_can(request.auth, Perm.ACCOUNT_SECURITY)
    users = security_users(request.auth, q=(filters.q or "").strip(), locked_only=bool(filters.locked))
    # Pagination slices the queryset; the lockout state is attached to each page's users.
    return _LockoutPage(users, with_lockouts)


class _LockoutPage:
    """A queryset that Ninja's paginator can count and slice; each slice gets its users' lockout state."""

    def __init__(self, queryset, attach):
        self.queryset, self.attach = queryset, attach

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item):
        return self.attach(self.queryset[item])


@router.post("/users/{user_id}/unlock", response={200: UnlockOut, **ERRORS}, summary="解除登录锁定（安全管理员）")
def unlock_user(request, user_id: int):
    user = _secured(request, user_id)
    return {"user": user, "cleared_failures": actions.do_unlock_account(user, acting_user=request.auth)}


@router.post("/users/{user_id}/reset-2fa", response={200: UserOut, **ERRORS},
             summary="重置双因素认证（手机丢失），并吊销其 API 令牌（安全管理员）")
def reset_second_factor(request, user_id: int):
    user = _secured(request, user_id)
    return actions.do_disable_second_factor(user, acting_user=request.auth)


@router.post("/users/{user_id}/revoke-tokens", response={200: TokensRevokedOut, **ERRORS},
             summary="吊销某用户的全部 API 令牌（安全管理员）")
def revoke_user_tokens(request, user_id: int):
    user = _secured(request, user_id)
    return {"user": user, "revoked": actions.do_revoke_user_tokens(user, acting_user=request.auth)}


@router.get("/tokens", response={200: list[TokenOut], **ERRORS}, summary="我的 API 令牌")
def list_tokens(request):
    ensure_can(request.auth, Perm.TOKEN_MANAGE)
    return ApiToken.objects.filter(user=request.auth)


@router.post("/tokens", response={201: TokenCreatedOut, **ERRORS}, summary="新建 API 令牌（密钥只返回这一次）")
def create_token(request, payload: TokenCreateIn):
    token, secret = actions.do_create_api_token(acting_user=request.auth, **payload.dict())
    return Status(201, {"token": token, "secret": secret})


@router.delete("/tokens/{token_id}", response={200: TokenOut, **ERRORS}, summary="吊销 API 令牌")
def revoke_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.auth)
    return actions.do_revoke_api_token(token, acting_user=request.auth)
