"""Per-address rate limits (django-ratelimit on the default cache) with a Chinese 429 page.

Rates live in settings.QIANCUN_RATE_LIMITS and are read on every request, so a deployment (or a test)
can change them without touching the views.
"""

from functools import wraps

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.shortcuts import render
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited


def client_ip(request) -> str:
    """The client's address as axes sees it (QIANCUN_PROXY_COUNT proxies trusted), else REMOTE_ADDR."""
    return get_client_ip_address(request) or request.META.get("REMOTE_ADDR") or "0.0.0.0"


def too_many_requests(request):
    response = render(request, "429.html", status=429)
    response["Retry-After"] = "60"
    return response


def limited(request, group: str, *, method=("POST",), increment: bool = True) -> bool:
    """Counts this request against `group` for the client's address; True once over the limit.
    `method=None` counts every method."""
    return is_ratelimited(
        request, group=f"qiancun.{group}", key=lambda _group, req: client_ip(req),
        rate=settings.QIANCUN_RATE_LIMITS[group], method=ALL if method is None else list(method), increment=increment,
    )


def rate_limit(group: str, *, method=("POST",)):
    """View decorator: over the limit for `group` → the 429 page, and the view does not run."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if limited(request, group, method=method):
                return too_many_requests(request)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
