"""Farmers' links (issue #11): the token never travels in a URL a server sees (so no access log holds
it), links expire after a configurable time with a clear page, and village staff renew them (page and
API) without reprinting the QR code."""

import io
import logging
import re
from datetime import timedelta
from types import SimpleNamespace
from unittest import mock

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from qiancun.core.models import AuditEntry
from qiancun.core.testing import client_for
from qiancun.participation import actions
from qiancun.participation.log_redaction import RedactFarmerTokens, TokenlessAccessLogger

from .factories import give_points, household, village_staff

pytestmark = pytest.mark.django_db


def later(days: int):
    """The clock `days` days ahead (for the farmer's visits and the staff's renewal alike)."""
    return mock.patch("django.utils.timezone.now", return_value=timezone.now() + timedelta(days=days))


def at(moment):
    return mock.patch("django.utils.timezone.now", return_value=moment)


def issued_on_the_page(hh) -> tuple[Client, str]:
    """Village staff press 发放链接; the household page shows the link (and QR code) once."""
    staff = client_for(village_staff())
    staff.post(f"/participation/households/{hh.pk}/link/")
    page = staff.get(f"/participation/households/{hh.pk}/").content.decode()
    return staff, re.search(r'<a href="([^"]+)">', page[page.index('data-testid="qr"'):]).group(1)


def open_link(farmer: Client, url: str):
    """What the phone does with the QR code's link: GET the part before "#" (the browser keeps the rest),
    then the page's script posts the token after "#" and follows the answer."""
    page_url, _, token = url.partition("#")
    first = farmer.get(page_url)
    if first.status_code != 200 or 'data-farmer-exchange' not in first.content.decode():
        return first
    return farmer.post(page_url, {"token": token}, follow=True)


def test_the_qr_link_carries_the_token_only_after_the_hash_and_opens_the_households_page():
    hh = household(head="张三")
    give_points(hh, 7)
    _, url = issued_on_the_page(hh)
    page_url, hash_mark, token = url.partition("#")
    assert page_url == "http://testserver/participation/f/" and hash_mark == "#" and len(token) > 20
    farmer = Client(enforce_csrf_checks=True)
    shell = farmer.get(page_url)
    assert shell.status_code == 200 and "请用手机扫描村委会发放的二维码" in shell.content.decode()
    csrf = shell.cookies["csrftoken"].value
    exchanged = farmer.post(page_url, {"token": token, "csrfmiddlewaretoken": csrf})
    assert exchanged.status_code == 303 and exchanged["Location"] == "/participation/f/"
    page = farmer.get("/participation/f/")
    text = page.content.decode()
    assert page.status_code == 200 and "张三户" in text and 'data-testid="farmer-balance">7<' in text
    assert token not in text  # nor in the page: a screenshot or shared page does not leak it


def test_the_api_issues_the_same_kind_of_link():
    hh = household()
    response = client_for(village_staff()).post(f"/api/v1/participation/households/{hh.pk}/link")
    assert response.status_code == 201
    url = response.json()["url"]
    assert url.startswith("http://testserver/participation/f/#")
    assert open_link(Client(), url).status_code == 200


def test_a_withdrawn_link_stops_at_once_even_in_an_open_session():
    hh = household(head="张三")
    staff, url = issued_on_the_page(hh)
    farmer = Client()
    assert "张三户" in open_link(farmer, url).content.decode()
    staff.post(f"/participation/households/{hh.pk}/link/")  # re-issued: the old link is withdrawn
    again = farmer.get("/participation/f/")
    assert again.status_code == 200 and "张三户" not in again.content.decode()
    invalid = open_link(farmer, url)
    assert invalid.status_code == 404 and "链接已失效" in invalid.content.decode()


@override_settings(QIANCUN_FARMER_LINK_DAYS=30)
def test_an_expired_link_shows_a_clear_page_and_renewal_brings_the_same_qr_code_back():
    hh = household(head="张三")
    with later(0):  # one instant: issued, and expiring 30 days later
        _, url = issued_on_the_page(hh)
    link = hh.links.get()
    assert link.expires_at - link.created_at == timedelta(days=30)
    farmer = Client()
    with at(link.expires_at - timedelta(minutes=10)):
        assert open_link(farmer, url).status_code == 200
    with at(link.expires_at + timedelta(minutes=1)):
        assert farmer.get("/participation/f/").status_code == 410  # the open page stops too
    with later(31):
        expired = open_link(Client(), url)
        text = expired.content.decode()
        assert expired.status_code == 410 and "链接已过期" in text and "张三" not in text
        day = timezone.localtime(link.expires_at)
        assert f"已于 {day.year}年{day.month}月{day.day}日 过期" in text and "续期" in text
        staff = client_for(village_staff())  # signed in a month later
        household_page = staff.get(f"/participation/households/{hh.pk}/").content.decode()
        assert "已于" in household_page and "过期" in household_page and "续期" in household_page

        renewed = staff.post(f"/participation/links/{link.pk}/renew/", follow=True)
        link.refresh_from_db()
        assert link.expires_at == timezone.now() + timedelta(days=30)
        assert "已续期，原二维码可继续使用" in renewed.content.decode()
        assert open_link(Client(), url).status_code == 200  # the same QR code works again
    entry = AuditEntry.objects.filter(object_type="participation.farmerlink", object_id=str(link.pk), action="update").get()
    assert list(entry.changes) == ["expires_at"]


def test_renewal_through_the_api_and_a_withdrawn_link_is_not_renewed():
    hh = household(head="张三")
    link, _ = actions.do_issue_link(hh, acting_user=village_staff())
    with later(100):
        renewed = client_for(village_staff()).post(f"/api/v1/participation/links/{link.pk}/renew")
        assert renewed.status_code == 200
        assert renewed.json()["id"] == link.pk and renewed.json()["household_id"] == hh.pk
        link.refresh_from_db()
        assert link.expires_at == timezone.now() + timedelta(days=365)
    actions.do_revoke_link(link, acting_user=village_staff())
    refused = client_for(village_staff()).post(f"/api/v1/participation/links/{link.pk}/renew")
    assert refused.status_code == 409 and refused.json()["code"] == "conflict"
    assert refused.json()["message"] == "张三户的这个访问链接已收回，不能续期，请重新发放"


def test_the_default_lifetime_is_a_year_and_configurable(monkeypatch):
    import importlib

    from qiancun.settings import base

    monkeypatch.delenv("QIANCUN_FARMER_LINK_DAYS", raising=False)
    assert importlib.reload(base).QIANCUN_FARMER_LINK_DAYS == 365
    monkeypatch.setenv("QIANCUN_FARMER_LINK_DAYS", "90")
    assert importlib.reload(base).QIANCUN_FARMER_LINK_DAYS == 90
    monkeypatch.delenv("QIANCUN_FARMER_LINK_DAYS")
    importlib.reload(base)


def test_a_link_printed_with_the_token_in_the_path_still_opens_and_continues_without_it():
    hh = household(head="张三")
    _, token = actions.do_issue_link(hh, acting_user=village_staff())
    farmer = Client()
    first = farmer.get(f"/participation/f/{token}/")
    assert first.status_code == 303 and first["Location"] == "/participation/f/"
    assert "张三户" in farmer.get("/participation/f/").content.decode()
    assert farmer.get(f"/participation/f/{token[:-2]}xx/").status_code == 404


def test_gunicorns_access_log_line_hides_a_token_in_the_path_and_the_referer():
    token = "12.abcDEF_-123:sIgNaTuRe"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/participation/f/{token}/", "PATH_INFO": f"/participation/f/{token}/",
               "QUERY_STRING": "", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "10.1.2.3",
               "HTTP_REFERER": f"https://qiancun.example/participation/f/{token}/", "HTTP_USER_AGENT": "phone"}
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"]), ("USER-AGENT", "phone")])
    response = SimpleNamespace(status="303 See Other", sent=0, headers=[("Location", "/participation/f/")])
    from gunicorn.config import Config

    config = Config()
    config.set("accesslog", "-")
    config.set("access_log_format", '%(h)s "%(r)s" %(s)s "%(f)s" %(U)s %({raw_uri}e)s %({referer}i)s')
    logger = TokenlessAccessLogger(config)
    with mock.patch.object(logger.access_log, "info") as info:
        logger.access(response, request, environ, timedelta(milliseconds=5))
    line = info.call_args.args[0] % info.call_args.args[1]
    assert token not in line
    assert line == ('10.1.2.3 "GET /participation/f/***/ HTTP/1.1" 303 "https://qiancun.example/participation/f/***/" '
                    "/participation/f/***/ /participation/f/***/ https://qiancun.example/participation/f/***/")


def test_djangos_warning_about_a_bad_or_expired_link_hides_the_token():
    _, token = actions.do_issue_link(household(), acting_user=village_staff())
    [console] = [h for h in logging.getLogger().handlers if any(isinstance(f, RedactFarmerTokens) for f in h.filters)]
    written = io.StringIO()
    previous = console.setStream(written)
    try:
        with later(400):
            assert Client().get(f"/participation/f/{token}/").status_code == 410
        assert Client().get(f"/participation/f/{token[:-2]}xx/").status_code == 404
    finally:
        console.setStream(previous)
    assert written.getvalue().splitlines() == ["Gone: /participation/f/***/", "Not Found: /participation/f/***/"]


def test_gunicorn_started_from_the_repository_logs_through_the_token_masking_logger(tmp_path):
    """A gunicorn started without `--logger-class` (an operator's own command) still masks the tokens."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[4]
    probe = ("from gunicorn.app.wsgiapp import WSGIApplication\n"
             "app = WSGIApplication('%(prog)s [OPTIONS] [APP_MODULE]')\n"
             "print(app.cfg.logger_class.__name__)\n")
    out = subprocess.run([sys.executable, "-c", probe, "--chdir", "src", "qiancun.wsgi:application"], cwd=repo,
                         capture_output=True, text=True, timeout=60, env={"PYTHONPATH": str(repo / "src"), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "TokenlessAccessLogger"
