"""Every page a browser can be answered with is in Chinese: a refused request (400) and a failed CSRF
check (403) included, which Django otherwise answers in bare English."""

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore
from django.test import Client, override_settings
from django.urls import reverse

from qiancun.core.testing import YANJI, client_for, make_user

pytestmark = pytest.mark.django_db


@override_settings(ALLOWED_HOSTS=["testserver"])
def test_a_refused_request_gets_a_chinese_page(client):
    response = client.get(reverse("accounts:login"), HTTP_HOST="unknown.example")
    html = response.content.decode()
    assert response.status_code == 400
    assert "请求无法处理" in html and "请刷新页面后重试" in html
    assert "Bad Request" not in html


def test_a_session_that_cannot_be_saved_gets_a_chinese_page_not_bad_request(monkeypatch):
    """What users saw while the database was locked: the session's save failed, Django answered 400."""
    client = client_for(make_user("staff", YANJI))

    def locked(self, must_create=False):
        raise UpdateError

    monkeypatch.setattr(SessionStore, "save", locked)
    response = client.get(reverse("core:home"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "请求无法处理" in html
    assert "Bad Request" not in html


def test_a_form_without_its_csrf_token_gets_a_chinese_page():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "someone", "password": "x"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in html and "刷新页面" in html
    assert "CSRF verification failed" not in html and "Forbidden" not in html


def test_a_signed_in_user_failing_the_csrf_check_keeps_the_navigation():
    client = client_for(make_user("staff", YANJI))
    client.handler.enforce_csrf_checks = True
    response = client.post(reverse("accounts:logout"))
    html = response.content.decode()
    assert response.status_code == 403
    assert "页面已过期" in html and "退出登录" in html
