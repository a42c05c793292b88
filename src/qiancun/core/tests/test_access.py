"""Every page and API route, every kind of user: anonymous → login/401, wrong role → 403,
out of scope → 404. A new route fails `test_every_route_is_in_the_access_table` until added here.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver

from qiancun.api import api
from qiancun.core.testing import (
    CHANGCHUN,
    HUNCHUN_VILLAGE,
    YANJI,
    YANJI_VILLAGE,
    Route,
    check_route_access,
    make_user,
    province_admin,
)
from qiancun.regions.models import RegionImport

pytestmark = pytest.mark.django_db

EVERYONE = {("admin", "22"), ("staff", YANJI), ("staff", YANJI_VILLAGE), ("inspector", "22"), ("department", "22"), ("leader", "22")}
ADMINS = {("admin", "22"), ("admin", YANJI)}
NOT_ADMINS = {("staff", YANJI), ("inspector", "22"), ("department", "22"), ("leader", "22")}
EDITORS = {("staff", YANJI), ("admin", YANJI)}
READERS_ONLY = {("leader", "22"), ("inspector", "22"), ("department", "22")}
NOT_PROVINCE_ADMIN = {("admin", YANJI), ("admin", CHANGCHUN), ("staff", "22")}

# Public by design, with the reason.
PUBLIC = {
    "accounts:login": "the login page",
    "accounts:logout": "logging out needs no permission",
    "api_docs": "redirect to the API documentation",
    "api:api-root": "Swagger UI page (no data)",
    "api:openapi-json": "the OpenAPI schema (no data)",
    "api:openapi-view": "Swagger UI page (no data)",
}
# Routes that need per-user objects, covered by their own tests.
COVERED_ELSEWHERE = {
    "accounts:token_revoke": "accounts/tests/test_tokens_page.py",
    "DELETE /api/v1/tokens/{token_id}": "accounts/tests/test_api.py::test_tokens_are_shown_once_stored_hashed_and_stop_working_when_revoked",
}


def csv_upload():
    return {"file": SimpleUploadedFile("x.csv", b"code,name,level,parent_code\n")}


def routes() -> dict[str, Route]:
    in_yanji = make_user("staff", "222401100")
    in_changchun = make_user("staff", "220112")
    job = RegionImport.objects.create(original_name="x.csv", created_by=province_admin())
    user_routes = {
        "accounts:user_detail": "/accounts/users/{}/",
        "accounts:user_set_active": "/accounts/users/{}/active/",
        "accounts:user_reset_password": "/accounts/users/{}/reset-password/",
    }
    table = {
        "core:home": Route("home", "/", EVERYONE),
        "core:audit_list": Route("audit", "/audit/", ADMINS, NOT_ADMINS),
        "regions:index": Route("regions", "/regions/", EVERYONE),
        "regions:search": Route("search", "/regions/search/?q=jyx", EVERYONE),
        "regions:detail": Route(
            "region", f"/regions/{YANJI_VILLAGE}/", EVERYONE, url_out_of_scope=f"/regions/{HUNCHUN_VILLAGE}/",
            out_of_scope_role=("staff", YANJI),
        ),
        "regions:village_edit": Route(
            "village edit", f"/regions/{YANJI_VILLAGE}/edit/", EDITORS, READERS_ONLY,
            url_out_of_scope=f"/regions/{HUNCHUN_VILLAGE}/edit/", out_of_scope_role=("staff", YANJI),
        ),
        "regions:import_list": Route("imports", "/regions/imports/", {("admin", "22")}, NOT_PROVINCE_ADMIN),
        "regions:import_detail": Route("import", f"/regions/imports/{job.pk}/", {("admin", "22")}, NOT_PROVINCE_ADMIN),
        "accounts:password_change": Route("password", "/accounts/password/", EVERYONE),
        "accounts:user_list": Route("users", "/accounts/users/", ADMINS, NOT_ADMINS),
        "accounts:user_create": Route("user create", "/accounts/users/new/", ADMINS, NOT_ADMINS),
        "accounts:token_list": Route("tokens", "/accounts/tokens/", EVERYONE),
        "GET /api/v1/me": Route("me", "/api/v1/me", EVERYONE, api=True),
        "GET /api/v1/regions": Route("regions api", "/api/v1/regions", EVERYONE, api=True),
        "GET /api/v1/regions/{code}": Route(
            "region api", f"/api/v1/regions/{YANJI_VILLAGE}", EVERYONE, api=True,
            url_out_of_scope=f"/api/v1/regions/{HUNCHUN_VILLAGE}", out_of_scope_role=("staff", YANJI),
        ),
        "PATCH /api/v1/regions/{code}": Route(
            "village patch", f"/api/v1/regions/{YANJI_VILLAGE}", EDITORS, READERS_ONLY, method="patch",
            data={"is_key_border": False}, api=True,
            url_out_of_scope=f"/api/v1/regions/{HUNCHUN_VILLAGE}", out_of_scope_role=("staff", YANJI),
        ),
        "GET /api/v1/regions/imports/{import_id}": Route(
            "import api", f"/api/v1/regions/imports/{job.pk}", {("admin", "22")}, NOT_PROVINCE_ADMIN, api=True
        ),
        "POST /api/v1/regions/imports": Route(
            "import start api", "/api/v1/regions/imports", set(), NOT_PROVINCE_ADMIN, method="post",
            data=csv_upload, api=True, multipart=True,
        ),
        "GET /api/v1/users": Route("users api", "/api/v1/users", ADMINS, NOT_ADMINS, api=True),
        "POST /api/v1/users": Route(
            "user create api", "/api/v1/users", set(), NOT_ADMINS, method="post", api=True,
            data={"username": "zz_new", "display_name": "新", "role": "staff", "scope_code": YANJI},
        ),
        "GET /api/v1/tokens": Route("tokens api", "/api/v1/tokens", EVERYONE, api=True),
        "POST /api/v1/tokens": Route("token create api", "/api/v1/tokens", EVERYONE, method="post", data={"name": "t"}, api=True),
        "GET /api/v1/audit": Route("audit api", "/api/v1/audit", ADMINS, NOT_ADMINS, api=True),
    }
    for name, pattern in user_routes.items():
        method = "get" if name == "accounts:user_detail" else "post"
        table[name] = Route(
            name, pattern.format(in_yanji.pk), {("admin", YANJI)}, {("staff", YANJI), ("leader", "22")},
            url_out_of_scope=pattern.format(in_changchun.pk), method=method, data={"active": "1"} if method == "post" else None,
        )
    api_user_routes = {
        "GET /api/v1/users/{user_id}": ("get", "/api/v1/users/{}", None),
        "PATCH /api/v1/users/{user_id}": ("patch", "/api/v1/users/{}", {"display_name": "改名"}),
        "POST /api/v1/users/{user_id}/deactivate": ("post", "/api/v1/users/{}/deactivate", None),
        "POST /api/v1/users/{user_id}/activate": ("post", "/api/v1/users/{}/activate", None),
        "POST /api/v1/users/{user_id}/reset-password": ("post", "/api/v1/users/{}/reset-password", None),
    }
    for name, (method, pattern, data) in api_user_routes.items():
        table[name] = Route(
            name, pattern.format(in_yanji.pk), {("admin", YANJI)}, {("staff", YANJI), ("leader", "22")},
            url_out_of_scope=pattern.format(in_changchun.pk), method=method, data=data, api=True,
        )
    return table


def page_route_names() -> set[str]:
    names = set()

    def walk(patterns, namespace=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                walk(entry.url_patterns, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(namespace + entry.name)

    walk(get_resolver().url_patterns)
    return {n for n in names if not n.startswith("api:") or n in PUBLIC}


def api_route_names() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops}


def test_every_route_is_in_the_access_table():
    table = routes()
    known = set(table) | set(PUBLIC) | set(COVERED_ELSEWHERE)
    missing = (page_route_names() | api_route_names()) - known
    assert not missing, f"routes without access checks: {sorted(missing)}"
    assert sorted(table) == sorted(ROUTE_KEYS)
    checks = sum(1 + len(r.allowed_roles) + len(r.denied_roles) + bool(r.url_out_of_scope) for r in table.values())
    print(f"access matrix: {len(table)} routes, {checks} checks")


# The route keys, listed here so each route is its own test; `routes()` must build exactly these.
ROUTE_KEYS = [
    "core:home", "core:audit_list", "regions:index", "regions:search", "regions:detail", "regions:village_edit",
    "regions:import_list", "regions:import_detail", "accounts:password_change", "accounts:user_list",
    "accounts:user_create", "accounts:token_list", "accounts:user_detail", "accounts:user_set_active",
    "accounts:user_reset_password", "GET /api/v1/me", "GET /api/v1/regions", "GET /api/v1/regions/{code}",
    "PATCH /api/v1/regions/{code}", "GET /api/v1/regions/imports/{import_id}", "POST /api/v1/regions/imports",
    "GET /api/v1/users", "POST /api/v1/users", "GET /api/v1/tokens", "POST /api/v1/tokens", "GET /api/v1/audit",
    "GET /api/v1/users/{user_id}", "PATCH /api/v1/users/{user_id}", "POST /api/v1/users/{user_id}/deactivate",
    "POST /api/v1/users/{user_id}/activate", "POST /api/v1/users/{user_id}/reset-password",
]


@pytest.mark.parametrize("key", ROUTE_KEYS)
def test_route_answers_login_403_and_404_as_promised(key):
    check_route_access(routes()[key])
