"""The API documentation works on a network with no way out (government intranet): everything is served locally."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
def test_api_docs_load_without_outside_requests(page, live_server):
    requested = []

    def record(route):
        requested.append(route.request.url)
        route.continue_()

    page.route("**/*", record)
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto("/api/docs")
    assert response is not None and response.ok
    expect(page).to_have_url(re.compile(r"/api/v1/docs$"))

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("千村示范创建管理平台 API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()  # the schema loaded and rendered
    page.wait_for_load_state("networkidle")

    assert any(urlsplit(u).path.endswith("/openapi.json") for u in requested), requested
    own = urlsplit(live_server.url).netloc
    outside = sorted({u for u in requested if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != own})
    assert outside == [], f"the docs page reached outside the server: {outside}"
