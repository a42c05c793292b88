from axes.helpers import get_client_ip_address

from .audit import RequestInfo, current_request_info


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
