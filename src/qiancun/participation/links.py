"""Where a farmer's link points. The token goes after "#": browsers never send that part to a server, so
it appears in no access log (gunicorn, the intranet proxy), no Referer header and no server-side history.
The farmer's page (`views.farmer_home`) receives it once by POST from its script and keeps only the
link's number in the session."""

from django.urls import reverse

SESSION_KEY = "farmer_link"


def farmer_url(request, token: str) -> str:
    return f"{request.build_absolute_uri(reverse('participation:farmer_home'))}#{token}"
