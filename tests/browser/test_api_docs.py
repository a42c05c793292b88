"""The API documentation works on a network with no way out (government intranet): everything is served locally."""

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect


@pytest.mark.browser
def test_api_docs_load_without_outside_requests(page, live_server):
    own = urlsplit(live_server.url).netloc
    requested, outside = [], []

    def intranet(route):
        """Let requests to the live server through; record and refuse anything else, as an intranet would."""
        url = route.request.url
        requested.append(url)
        if urlsplit(url).netloc == own:
            route.continue_()
        else:
            outside.append(url)
            route.abort("internetdisconnected")

    page.route("**/*", intranet)
    page.on("request", lambda request: requested.append(request.url))  # also what routing might not see

    response = page.goto("/api/docs")
    assert response is not None and response.ok
    expect(page).to_have_url(re.compile(r"/api/v1/docs$"))
    page.wait_for_load_state("networkidle")

    outside += [u for u in requested if urlsplit(u).scheme in ("http", "https", "ws", "wss") and urlsplit(u).netloc != own]
    assert sorted(set(outside)) == [], f"the docs page reached outside the server: {sorted(set(outside))}"

    expect(page.locator(".swagger-ui .info .title")).to_contain_text("千村示范创建管理平台 API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()  # the schema loaded and rendered
    assert any(urlsplit(u).path.endswith("/openapi.json") for u in requested), requested
