import json
import re
from urllib.parse import unquote_to_bytes

from axes.helpers import get_client_ip_address

from .audit import RequestInfo, current_request_info
from .text import UNSAFE_TEXT, clean_text


class AuditContextMiddleware:
    """Makes the client's address and browser available to `record_audit` during a request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request_info.set(
            RequestInfo(
                ip_address=get_client_ip_address(request),
                user_agent=request.META.get("HTTP_USER_AGENT", ""),
            )
        )
        try:
            return self.get_response(request)
        finally:
            current_request_info.reset(token)


class SecurityHeadersMiddleware:
    """Headers Django does not set itself: Permissions-Policy (geolocation and camera for the inspection form only)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.permissions_policy = getattr(settings, "PERMISSIONS_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.permissions_policy:
            response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


class OutOfRangeIdMiddleware:
    """A page id beyond the database's integer range (`/records/99999999999999999999/`) cannot exist:
    answer 404 instead of letting SQLite's OverflowError become a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError):
            from django.http import Http404
            from django.views.defaults import page_not_found

            return page_not_found(request, Http404("对象不存在"))
        return None


class InputGuardMiddleware:
    """Control characters and lone surrogates never get in: a query, form or JSON value (or name) holding
    one is refused with 400 and a Chinese message naming the field, before any view runs.

    They have no place in anything a person types; stored, they broke every later export (XML cannot hold
    them) and a lone surrogate cannot even be written to either database. Tab, line feed and carriage
    return are ordinary text. The same place refuses integer query parameters beyond 64 bits (`?page=`),
    which neither database can hold and SQLite answered with a 500.
    """

    # \\u escapes in JSON that can decode to what `UNSAFE_TEXT` matches: C0, C1, surrogates, U+FFFE/FFFF.
    JSON_ESCAPES = re.compile(r"\\u(?:00[0189]|007[fF]|[dD][89a-fA-F]|[fF]{3}[eEfF])")
    UNSAFE = "含有控制字符或无效字符（如 ESC、NUL 或不成对的代理字符），请删除后重新提交"
    TOO_LARGE = "数值超出允许的范围"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        refusal = self._check(request)
        return refusal if refusal is not None else self.get_response(request)

    def _check(self, request):
        from .paging import out_of_range_param

        field = _unsafe_field(request.GET)
        if field is not None:
            return self._refuse(request, field, self.UNSAFE)
        field = out_of_range_param(request.GET)
        if field is not None:
            return self._refuse(request, field, self.TOO_LARGE)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        content_type = request.content_type or ""
        try:
            if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
                if content_type == "application/x-www-form-urlencoded" and not _is_utf8(unquote_to_bytes(request.body)):
                    field = "请求"  # Django would quietly turn the bytes into U+FFFD
                else:
                    field = _unsafe_field(request.POST)
                if field is None:
                    field = next((key for key, files in request.FILES.lists() for f in files if UNSAFE_TEXT.search(f.name or "")), None)
            elif content_type == "application/json" or content_type.endswith("+json") or request.path_info.startswith("/api/"):
                # Ninja parses any API body as JSON, whatever its Content-Type.
                field = self._unsafe_json_field(request.body)
        except Exception:  # an unreadable or oversized body is the view's (or Ninja's) to refuse, as before
            return None
        return None if field is None else self._refuse(request, field, self.UNSAFE)

    def _unsafe_json_field(self, body: bytes) -> str | None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            # Not UTF-8 (a lone surrogate as raw bytes ED A0 80 is the one that mattered): json.loads would
            # take those bytes with surrogatepass and the database then could not store the text.
            return "请求"
        if not (UNSAFE_TEXT.search(text) or self.JSON_ESCAPES.search(text)):
            return None  # the common case: nothing to look for, no second parse
        try:
            data = json.loads(text)
        except ValueError:
            return None  # not JSON: Ninja refuses it
        return _unsafe_path(data, "")

    def _refuse(self, request, field: str, reason: str):
        from django.http import JsonResponse
        from django.shortcuts import render

        field = clean_text(field)[:60] or "请求"
        if request.path_info.startswith("/api/"):
            body = {"code": "invalid", "message": f"字段 {field}：{reason}", "field": field}
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        return render(request, "core/refused_input.html", {"text": f"您提交的“{field}”一项{reason}。"}, status=400)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _unsafe_field(data) -> str | None:
    for key, values in data.lists():
        if UNSAFE_TEXT.search(key) or any(UNSAFE_TEXT.search(value) for value in values if isinstance(value, str)):
            return key
    return None


def _unsafe_path(value, path: str) -> str | None:
    """Where in a parsed JSON body the first unsafe string is, as `lines.0.note` (Ninja's field names)."""
    if isinstance(value, str):
        return (path or "请求") if UNSAFE_TEXT.search(value) else None
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return None
    for key, item in items:
        where = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and UNSAFE_TEXT.search(key):
            return where
        found = _unsafe_path(item, where)
        if found is not None:
            return found
    return None


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every answer that may carry personal data: every page (signed in or by
    a farmer's link), every API answer and download, so neither a shared office browser nor a proxy keeps
    households, members, receipts, users or the audit log. Static files and the health check are public
    and keep their own caching; a view that set Cache-Control itself (one-time secrets: no-store) keeps it."""

    PUBLIC = ("/api/v1/health",)

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.static = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/" + settings.STATIC_URL

    def __call__(self, request):
        response = self.get_response(request)
        path = request.path_info
        if "Cache-Control" not in response and not path.startswith(self.static) and path not in self.PUBLIC:
            response["Cache-Control"] = "no-store"
        return response
