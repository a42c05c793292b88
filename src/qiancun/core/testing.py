"""Test helpers shared by every domain: users per role, logged-in clients, and the access checks
every page and API route goes through (anonymous → login/401, wrong role → 403, out of scope → 404).
"""

from dataclasses import dataclass, field

from django.test import Client
from django.urls import reverse

from qiancun.accounts.actions import do_bootstrap_admin, do_create_user
from qiancun.accounts.models import User

PASSWORD = "Test@2022qc"

# Real codes from data/regions/jilin.csv.
JILIN = "22"
CHANGCHUN = "2201"
YANBIAN = "2224"
YANJI = "222401"
HUNCHUN = "222404"
YANJI_TOWNSHIP = "222401100"  # 小营镇
YANJI_VILLAGE = "222401100200"  # 小营村委会
HUNCHUN_VILLAGE = "222404100201"
CHANGCHUN_VILLAGE = "220112102201"  # 刘家村委会, 双阳区

# Kinds of users for access tables: (role, scope code). `admin` is the system administrator; the
# security and audit administrators (三员分立) change nothing outside their own duty.
EVERYONE = {
    ("admin", "22"), ("staff", YANJI), ("staff", YANJI_VILLAGE), ("inspector", "22"), ("department", "22"),
    ("leader", "22"), ("security_admin", "22"), ("auditor", "22"),
}
ADMINS = {("admin", "22"), ("admin", YANJI)}
NOT_ADMINS = {
    ("staff", YANJI), ("inspector", "22"), ("department", "22"), ("leader", "22"), ("security_admin", "22"), ("auditor", "22"),
}
AUDITORS = {("auditor", "22"), ("auditor", YANJI)}
NOT_AUDITORS = {("admin", "22"), ("admin", YANJI), ("security_admin", "22"), ("staff", YANJI), ("leader", "22")}
SECURITY_ADMINS = {("security_admin", "22"), ("security_admin", YANJI)}
NOT_SECURITY_ADMINS = {("admin", "22"), ("admin", YANJI), ("auditor", "22"), ("staff", YANJI), ("leader", "22")}
EDITORS = {("staff", YANJI), ("admin", YANJI)}
READERS_ONLY = {("leader", "22"), ("inspector", "22"), ("department", "22"), ("security_admin", "22"), ("auditor", "22")}
NOT_PROVINCE_ADMIN = {("admin", YANJI), ("admin", CHANGCHUN), ("staff", "22")}


def province_admin() -> User:
    user = User.objects.filter(username="t_province_admin").first()
    if user is None:
        user = do_bootstrap_admin(username="t_province_admin", password=PASSWORD, scope_code=JILIN)
    return user


def make_user(role: str, scope_code: str, username: str | None = None, department_code: str | None = None) -> User:
    """A ready-to-use account (password PASSWORD, no forced change), created through the actions."""
    username = username or f"t_{role}_{scope_code}"
    if role == "department" and department_code is None:
        department_code = "justice"
    existing = User.objects.filter(username=username).first()
    if existing:
        return existing
    if role in ("admin", "security_admin", "auditor") and scope_code == JILIN:
        # No level stands above the province: its administrators are created from the command line.
        return do_bootstrap_admin(username=username, password=PASSWORD, scope_code=JILIN, display_name=username, role=role)
    # 三员分立: the security and audit administrators below the province are the province security administrator's to appoint.
    appointer = make_user("security_admin", JILIN) if role in ("security_admin", "auditor") else province_admin()
    user, _ = do_create_user(
        acting_user=appointer, username=username, display_name=username, role=role,
        scope_code=scope_code, department_code=department_code,
    )
    user.set_password(PASSWORD)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    return user


def give_second_factor(user: User):
    """A confirmed authenticator for `user` (as if set up on the 2FA page); returns the TOTP device."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=True)


def api_token(user: User, name: str = "测试") -> str:
    """A bearer token's secret for `user`, created as on the API 令牌 page: whoever must use the second
    factor has it set up first."""
    from qiancun.accounts.actions import do_create_api_token
    from qiancun.accounts.gate import requires_second_factor

    if requires_second_factor(user):
        give_second_factor(user)
    return do_create_api_token(acting_user=user, name=name)[1]


def totp_code(device) -> str:
    """The code the authenticator app shows now for `device`."""
    from django_otp.oath import totp

    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def client_for(user: User, *, verified: bool = True) -> Client:
    """A client logged in as `user`. Administrators (who must use the second factor) get a device and a
    session that has already passed it, unless `verified=False` — to test the second-factor steps."""
    from django_otp import DEVICE_ID_SESSION_KEY

    from qiancun.accounts.gate import requires_second_factor

    client = Client()
    client.force_login(user)
    if verified and requires_second_factor(user):
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = give_second_factor(user).persistent_id
        session.save()
    return client


@dataclass
class Route:
    """A page or API route and who may use it, for `check_route_access`."""

    name: str
    url_in_scope: str
    allowed_roles: set[tuple[str, str]]  # (role, scope code) pairs that get 2xx/3xx
    denied_roles: set[tuple[str, str]] = field(default_factory=set)  # → 403
    url_out_of_scope: str | None = None  # → 404 for an allowed role whose scope excludes it
    out_of_scope_role: tuple[str, str] | None = None
    method: str = "get"
    data: dict | None = None  # a callable returning the data when it holds files (read once each)
    api: bool = False
    multipart: bool = False


def _call(client: Client, route: Route, url: str, headers: dict | None = None):
    method = getattr(client, route.method)
    kwargs = {"headers": headers or {}}
    data = route.data() if callable(route.data) else route.data
    if data is not None:
        if route.api and not route.multipart:
            kwargs.update(data=data, content_type="application/json")
        else:
            kwargs["data"] = data
    return method(url, **kwargs)


def check_route_access(route: Route) -> None:
    """Assert the four answers the platform promises for any route."""
    anonymous = _call(Client(), route, route.url_in_scope)
    if route.api:
        assert anonymous.status_code == 401, f"{route.name}: anonymous got {anonymous.status_code}"
        assert anonymous.json()["code"] == "unauthenticated"
    else:
        assert anonymous.status_code == 302, f"{route.name}: anonymous got {anonymous.status_code}"
        assert anonymous["Location"].startswith(reverse("accounts:login"))

    for role, scope in route.allowed_roles:
        response = _call(client_for(make_user(role, scope)), route, route.url_in_scope)
        assert response.status_code < 400, f"{route.name}: {role}@{scope} got {response.status_code}"

    for role, scope in route.denied_roles:
        response = _call(client_for(make_user(role, scope)), route, route.url_in_scope)
        assert response.status_code == 403, f"{route.name}: {role}@{scope} should get 403, got {response.status_code}"
        if route.api:
            assert response.json()["code"] == "forbidden"

    if route.url_out_of_scope:
        role, scope = route.out_of_scope_role or next(iter(route.allowed_roles))
        response = _call(client_for(make_user(role, scope)), route, route.url_out_of_scope)
        assert response.status_code == 404, f"{route.name}: out of scope should be 404, got {response.status_code}"
        if route.api:
            assert response.json()["code"] == "not_found"
