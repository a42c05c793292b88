"""Security headers on pages and on the API; no inline scripts or event handlers in any template."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from qiancun.core.testing import YANJI, client_for, make_user

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2]


def assert_security_headers(response):
    csp = response["Content-Security-Policy"]
    directives = {part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()}
    assert directives["script-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert directives["img-src"] == ["'self'", "data:"]
    assert directives["style-src-elem"] == ["'self'"]
    # No outside hosts anywhere: only keywords and data:.
    assert all(v.startswith("'") or v == "data:" for values in directives.values() for v in values), csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Permissions-Policy"]
    assert "geolocation=(self)" in policy and "camera=(self)" in policy and "microphone=()" in policy


def test_pages_send_the_security_headers():
    assert_security_headers(Client().get(reverse("accounts:login")))
    assert_security_headers(client_for(make_user("staff", YANJI)).get(reverse("core:home")))


def test_the_api_sends_the_security_headers():
    assert_security_headers(client_for(make_user("staff", YANJI)).get("/api/v1/me"))
    assert_security_headers(Client().get("/api/v1/me"))  # the 401 too


def test_no_template_has_an_inline_script_style_block_or_event_handler():
    offenders = []
    for template in SRC.glob("**/templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.I):
            if "src=" not in tag and 'type="application/json"' not in tag:
                offenders.append(f"{template}: {tag}")
        offenders += [f"{template}: <style>" for _ in re.findall(r"<style\b", text, flags=re.I)]
        offenders += [f"{template}: {m}" for m in re.findall(r"\son[a-z]+\s*=", text, flags=re.I)]
        offenders += [f"{template}: {m}" for m in re.findall(r"javascript:|hx-on", text, flags=re.I)]
    assert not offenders, "\n".join(offenders)
