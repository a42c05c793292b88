"""Every page and API route, every kind of user: anonymous → login/401, wrong role → 403,
out of scope → 404. Each domain declares its routes in `<domain>/tests/access.py`; a route that is in
no table fails `test_every_route_is_in_an_access_table`.
"""

from importlib import import_module

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver

from qiancun.api import api
from qiancun.core.testing import check_route_access

pytestmark = pytest.mark.django_db

DOMAINS = ["core", "regions", "accounts", "standards", "campaigns", "inspections", "rectification", "participation"]

# Public by design, with the reason.
PUBLIC = {
    "accounts:login": "the login page",
    "accounts:logout": "logging out needs no permission",
    "api_docs": "redirect to the API documentation",
    "api:api-root": "Swagger UI page (no data)",
    "api:openapi-json": "the OpenAPI schema (no data)",
    "api:openapi-view": "Swagger UI page (no data)",
    "GET /api/v1/health": "the health check reveals nothing (core/tests/test_health.py)",
}


def access_module(domain: str):
    return import_module(f"qiancun.{domain}.tests.access")


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


def test_every_route_is_in_an_access_table():
    known = set(PUBLIC)
    size = 0
    for domain in DOMAINS:
        module = access_module(domain)
        with transaction.atomic():  # each domain's fixtures alone, as in its own test
            table = module.routes()
            transaction.set_rollback(True)
        known |= set(table) | set(getattr(module, "COVERED_ELSEWHERE", {}))
        size += sum(1 + len(r.allowed_roles) + len(r.denied_roles) + bool(r.url_out_of_scope) for r in table.values())
    missing = (page_route_names() | api_route_names()) - known
    assert not missing, f"routes without access checks: {sorted(missing)}"
    print(f"access matrix: {size} checks")


@pytest.mark.parametrize("domain", DOMAINS)
def test_routes_answer_login_403_and_404_as_promised(domain):
    failures = []
    for key, route in access_module(domain).routes().items():
        try:
            check_route_access(route)
        except AssertionError as exc:
            failures.append(f"{key}: {exc}")
    assert not failures, "\n".join(failures)
