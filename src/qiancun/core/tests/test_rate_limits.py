"""Per-address rate limits on the login form and the farmers' public page, answered with a Chinese 429 page."""

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse

from qiancun.core.testing import YANJI, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


def test_defaults_are_twenty_logins_and_sixty_farmer_pages_a_minute_per_address():
    from qiancun.settings import base

    assert base.QIANCUN_RATE_LIMITS == {"login": "20/m", "farmer": "60/m"}


@override_settings(QIANCUN_RATE_LIMITS={"login": "20/m", "farmer": "60/m"})
def test_the_21st_login_post_in_a_minute_from_one_address_gets_429():
    make_user("staff", YANJI)
    client = Client(REMOTE_ADDR="10.9.8.7")
    for i in range(20):  # a different account each time: guessing across accounts, below axes' per-account lockout
        response = client.post(reverse("accounts:login"), {"username": f"guess{i}", "password": "wrong"})
        assert response.status_code == 200
    blocked = client.post(reverse("accounts:login"), {"username": "t_staff_222401", "password": "Test@2022qc"})
    assert blocked.status_code == 429
    assert blocked["Retry-After"] == "60"
    assert "请求过于频繁" in blocked.content.decode()
    # Reading the form is not counted, and another address is not affected.
    assert client.get(reverse("accounts:login")).status_code == 200
    other = Client(REMOTE_ADDR="10.9.8.8").post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert other.status_code == 200


@override_settings(QIANCUN_RATE_LIMITS={"login": "20/m", "farmer": "60/m"})
def test_the_farmer_page_allows_sixty_requests_a_minute_per_address():
    client = Client(REMOTE_ADDR="10.9.8.9")
    url = reverse("participation:farmer", args=["no-such-link"])
    for _ in range(60):
        assert client.get(url).status_code == 404  # an unknown link, still counted
    blocked = client.get(url)
    assert blocked.status_code == 429 and "请稍等一分钟后再试" in blocked.content.decode()
