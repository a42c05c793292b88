"""What every API router shares: authentication, the error shape, paging."""

from datetime import timedelta
from functools import lru_cache

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError, connection
from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from .errors import DomainError, ErrorCode


class ErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


def _usable(user):
    return user if user is not None and user.is_active and not user.must_change_password else None


class ApiTokenAuth(HttpBearer):
    """`Authorization: Bearer qc_…` — a personal token created on the API 令牌 page."""

    def authenticate(self, request, token: str):
        from qiancun.accounts.models import ApiToken, User, hash_token

        now = timezone.now()
        # Every API request starts here, so the lookup is one plain statement: building the same query
        # through the ORM cost ~1.2 ms a request, four times running it. It is ApiToken.objects.usable()
        # (not revoked, not expired, its user's second factor in place) joined to its user; tests hold the
        # two to the same answers.
        stamp = connection.ops.adapt_datetimefield_value  # each database's own form of a timestamp
        found = next(iter(User.objects.raw(_token_sql(), [stamp(now - timedelta(seconds=60)), hash_token(token), stamp(now)])), None)
        if found is None or _usable(found) is None:
            return None
        if found.token_stale:  # last use recorded at most once a minute
            ApiToken.objects.filter(pk=found.token_id).update(last_used_at=now)
        found.authenticated_by_token = True  # a token cannot mint another token (accounts.actions)
        request.user = found
        return found


@lru_cache(maxsize=1)
def _token_sql() -> str:
    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from qiancun.accounts.models import ApiToken, User

    roles = sorted(settings.QIANCUN_OTP_REQUIRED_ROLES)
    assert all(role.isidentifier() for role in roles)  # written into the statement as literals
    required = ", ".join(f"'{role}'" for role in roles) or "''"
    return (
        "SELECT u.*, t.id AS token_id, CASE WHEN t.last_used_at IS NULL OR t.last_used_at < %s THEN 1 ELSE 0 END AS token_stale "
        f"FROM {User._meta.db_table} u "
        f"JOIN {ApiToken._meta.db_table} t ON t.user_id = u.id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > %s) "
        # Whoever must use the second factor keeps their tokens only while it is set up.
        f"AND ((NOT u.is_superuser AND u.role NOT IN ({required})) "
        f"OR EXISTS (SELECT 1 FROM {TOTPDevice._meta.db_table} d WHERE d.user_id = u.id AND d.confirmed))"
    )


class ActiveSessionAuth(SessionAuth):
    """The browser's own session (with CSRF on writes), only once the login is complete: the second
    factor verified (administrators, and anyone who turned it on), no password change pending."""

    def authenticate(self, request, key):
        from qiancun.accounts.gate import pending_step

        user = _usable(super().authenticate(request, key))
        if user is None or pending_step(user) is not None:
            return None
        return user


# Pydantic's error types in Chinese. A type not listed (pydantic has ~100, most unreachable from a JSON
# body) falls back to FIELD_REASON_DEFAULT: the English `msg` never reaches a user (`field_reason`).
FIELD_REASONS = {
    "missing": "必填",
    "missing_argument": "必填",
    "extra_forbidden": "不是可接受的字段",
    "string_type": "须为文本",
    "string_too_long": "过长",
    "string_too_short": "过短",
    "string_pattern_mismatch": "格式不正确",
    "string_unicode": "须为有效的文本",
    "bool_parsing": "须为 true 或 false",
    "bool_type": "须为 true 或 false",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "int_from_float": "须为整数",
    "int_parsing_size": "数值超出允许的范围",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "finite_number": "须为有限的数字",
    "decimal_parsing": "须为数字",
    "decimal_type": "须为数字",
    "decimal_max_digits": "位数过多",
    "decimal_max_places": "小数位数过多",
    "decimal_whole_digits": "整数部分位数过多",
    "multiple_of": "取值无效",
    "enum": "取值无效",
    "literal_error": "取值无效",
    "json_invalid": "不是有效的 JSON",
    "json_type": "须为 JSON 文本",
    "greater_than": "过小",
    "greater_than_equal": "过小",
    "less_than": "过大",
    "less_than_equal": "过大",
    "too_short": "项数过少",
    "too_long": "项数过多",
    "list_type": "须为列表",
    "tuple_type": "须为列表",
    "set_type": "须为列表",
    "iterable_type": "须为列表",
    "dict_type": "须为对象",
    "model_type": "须为对象",
    "model_attributes_type": "须为对象",
    "dataclass_type": "须为对象",
    "none_required": "须为空（null）",
    "date_type": "须为日期（如 2026-03-01）",
    "date_parsing": "须为日期（如 2026-03-01）",
    "date_from_datetime_parsing": "须为日期（如 2026-03-01）",
    "date_from_datetime_inexact": "须为日期（不带时间）",
    "date_past": "须为过去的日期",
    "date_future": "须为将来的日期",
    "datetime_type": "须为日期时间（如 2026-03-01T08:00:00+08:00）",
    "datetime_parsing": "须为日期时间（如 2026-03-01T08:00:00+08:00）",
    "datetime_from_date_parsing": "须为日期时间（如 2026-03-01T08:00:00+08:00）",
    "datetime_object_invalid": "须为有效的日期时间",
    "datetime_past": "须为过去的时间",
    "datetime_future": "须为将来的时间",
    "time_type": "须为时间（如 08:00）",
    "time_parsing": "须为时间（如 08:00）",
    "timezone_naive": "不能带时区",
    "timezone_aware": "须带时区（如 +08:00）",
    "timezone_offset": "时区不正确",
    "time_delta_type": "须为时长",
    "time_delta_parsing": "须为时长",
    "uuid_type": "须为 UUID",
    "uuid_parsing": "须为 UUID",
    "url_type": "须为网址",
    "url_parsing": "须为网址",
    "url_scheme": "网址的协议不允许",
    "url_too_long": "网址过长",
    "bytes_type": "须为文本",
    "bytes_too_long": "过长",
    "bytes_too_short": "过短",
    "union_tag_invalid": "类型不正确",
    "union_tag_not_found": "缺少类型",
}
FIELD_REASON_DEFAULT = "格式不正确"


def field_reason(error_type: str) -> str:
    """Pydantic's error type as the Chinese reason shown after the field's name."""
    return FIELD_REASONS.get(error_type, FIELD_REASON_DEFAULT)


_LOCATIONS = {"body", "query", "path", "form", "file", "header", "cookie", "payload", "filters"}


def _field_name(loc) -> str:
    parts = [str(p) for p in loc if str(p) not in _LOCATIONS]
    return ".".join(parts) or "请求"


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="千村示范创建管理平台 API",
        version="v1",
        description="吉林省“千村示范”创建工作平台的接口。令牌在“API 令牌”页面创建，以 `Authorization: Bearer <令牌>` 调用；"
        "浏览器登录后的会话也可直接调用。错误统一为 `{code, message, field}`。",
        auth=[ApiTokenAuth(), ActiveSessionAuth()],
        urls_namespace="api",
    )

    @api.exception_handler(DomainError)
    def domain_error(request, exc: DomainError):
        return api.create_response(request, exc.as_dict(), status=exc.http_status)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        return api.create_response(
            request, {"code": ErrorCode.UNAUTHENTICATED, "message": "未登录、令牌无效或已吊销"}, status=401
        )

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"code": ErrorCode.NOT_FOUND, "message": "对象不存在或不在您的管辖范围内"}, status=404)

    @api.exception_handler(PermissionDenied)
    def forbidden(request, exc):
        return api.create_response(request, {"code": ErrorCode.FORBIDDEN, "message": "您没有执行此操作的权限"}, status=403)

    @api.exception_handler(OverflowError)
    def id_out_of_range(request, exc):
        # An id beyond the database's integer range (SQLite raises OverflowError) cannot exist.
        return api.create_response(request, {"code": ErrorCode.NOT_FOUND, "message": "对象不存在或不在您的管辖范围内"}, status=404)

    @api.exception_handler(DataError)
    def data_out_of_range(request, exc):
        # PostgreSQL's answer to the same ("value out of range for type bigint") or to an over-long value.
        return api.create_response(request, {"code": ErrorCode.INVALID, "message": "数据超出允许的范围"}, status=400)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        # Ninja's own refusals; the one that reaches users is a body it cannot parse.
        message = "请求内容不是有效的 JSON（须为 UTF-8 编码）" if exc.status_code == 400 else "请求无法处理"
        return api.create_response(request, {"code": ErrorCode.INVALID, "message": message}, status=exc.status_code)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return api.create_response(request, {"code": ErrorCode.INVALID, "message": "请求内容过大（不能超过 20 MB）"}, status=400)

    @api.exception_handler(ValidationError)
    def invalid(request, exc: ValidationError):
        details = [
            {"field": _field_name(e.get("loc", ())), "message": field_reason(e.get("type", ""))}
            for e in exc.errors
        ]
        first = details[0] if details else {"field": "请求", "message": FIELD_REASON_DEFAULT}
        return api.create_response(
            request,
            {"code": ErrorCode.INVALID, "message": f"字段 {first['field']}：{first['message']}", "field": first["field"], "details": details},
            status=400,
        )

    return api
