from django.http import Http404
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, fallback: str) -> str:
    """The `next` the form sent, if it points back into this site; else `fallback` (no open redirects)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def object_id(value) -> int:
    """A primary key sent by a form or a link; anything that is not one is simply not found (404, not 500)."""
    text = str(value or "").strip()
    if not text.isdigit():
        raise Http404("对象不存在")
    return int(text)


def private_file(field, content_type: str | None = None):
    """A stored file for a user whose access the view has already checked; kept by no cache, the
    browser's included (`no-store`, like every other answer holding personal data: a shared office PC
    must not keep inspection or activity photos after logout)."""
    from django.http import FileResponse

    if content_type is None:
        content_type = "image/png" if field.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(field.open("rb"), content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response
