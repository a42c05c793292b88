from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from .gate import PASSWORD, SETUP, VERIFY, pending_step

# Pages each pending step may still open (besides logging out).
ALLOWED = {
    VERIFY: {VERIFY},
    PASSWORD: {PASSWORD},
    SETUP: {SETUP},
}


class AccountGateMiddleware:
    """After the password: the second factor, then a forced or expired password change, then (for
    administrators) setting up the second factor. Until each is done, nothing else opens."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(("/static/", "/api/")):
            step = pending_step(user)
            if step is not None:
                allowed = {reverse(name) for name in ALLOWED[step]} | {reverse("accounts:logout")}
                if request.path not in allowed:
                    target = reverse(step)
                    if step == VERIFY and request.method == "GET" and request.path != "/":  # back there after the code
                        target += "?" + urlencode({"next": request.get_full_path()})
                    return redirect(target)
        return self.get_response(request)
