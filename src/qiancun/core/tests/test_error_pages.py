"""Every page a browser can be answered with is in Chinese: a refused request (400) and a failed CSRF
check (403) included, which Django otherwise answers in bare English."""

import sqlite3

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from qiancun.core.testing import YANJI, client_for, make_user
from qiancun.participation.tests.test_ledger import own_connections

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

    monkeypatch.setattr(SessionStore, "save", locked)  # Django's store, which ours extends
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


@pytest.mark.django_db(transaction=True)
def test_pages_are_served_while_another_writer_holds_the_database(jilin):
    """SQLite: a writer holds the lock past busy_timeout. Saving an unchanged session only renews its
    expiry; that must not turn the page into an error."""
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite locks the whole database for one writer")
    with own_connections():
        client = client_for(make_user("staff", YANJI))
        assert client.get(reverse("core:home")).status_code == 200
        options = connection.settings_dict["OPTIONS"]
        init_command = options["init_command"]
        # Each request opens its connection afresh: give up on the lock after 0.1 s rather than 10 s.
        options["init_command"] = init_command.replace("busy_timeout=10000", "busy_timeout=100")
        other = sqlite3.connect(connection.settings_dict["NAME"], isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        try:
            response = client.get(reverse("core:home"))
        finally:
            other.execute("COMMIT")
            other.close()
            options["init_command"] = init_command
    assert response.status_code == 200
    assert "延吉市" in response.content.decode()
