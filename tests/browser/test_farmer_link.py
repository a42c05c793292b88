"""A farmer opens the QR code's link on a phone (issue #11): the page opens, and the token after "#"
never travels in a request line or a Referer header, so no server or proxy log can hold it."""

import pytest
from playwright.sync_api import expect

from qiancun.participation import actions
from qiancun.participation.tests.factories import give_points, household, village_staff


@pytest.mark.browser
def test_the_qr_link_opens_the_households_page_without_sending_its_token(phone_page, live_server):
    hh = household(head="张三")
    give_points(hh, 7)
    _, token = actions.do_issue_link(hh, acting_user=village_staff())
    seen = []
    phone_page.on("request", lambda request: seen.append((request.method, request.url, request.headers.get("referer", ""))))

    phone_page.goto(f"/participation/f/#{token}")
    expect(phone_page.get_by_test_id("farmer-balance")).to_have_text("7")
    expect(phone_page.get_by_text("张三户")).to_be_visible()
    assert phone_page.url == f"{live_server.url}/participation/f/#{token}"  # a bookmark keeps working
    phone_page.reload()  # the open page does not hand the token over again
    expect(phone_page.get_by_test_id("farmer-balance")).to_have_text("7")

    # What the server received: the page, the token posted once (in the body), the page again, the reload.
    page_url = f"{live_server.url}/participation/f/"
    assert [(method, url) for method, url, _ in seen if "/participation/f/" in url] == [
        ("GET", page_url), ("POST", page_url), ("GET", page_url), ("GET", page_url)]
    assert seen and all(token not in url and token not in referer for _, url, referer in seen), seen
