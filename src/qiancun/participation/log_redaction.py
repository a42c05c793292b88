"""Farmers' link tokens stay out of every log the platform writes.

New links carry the token after "#" (links.py), which never reaches a server. Links issued before carry
it in the path (`/participation/f/<token>/`), and such a path can still arrive — in a request line, a
Referer, a 404/410 warning of `django.request` — so both log paths replace the token with `***`:

- gunicorn's access log: `--logger-class qiancun.participation.log_redaction.TokenlessAccessLogger`
  (the Makefile's `demo` and the production command in docs/operations.md);
- Django's own log (settings.LOGGING): the `RedactFarmerTokens` filter on its handler.
"""

import logging
import re

from gunicorn.glogging import Logger

FARMER_TOKEN = re.compile(r"(/participation/f/)[^/?#\s\"']+")


def redact(value):
    return FARMER_TOKEN.sub(r"\1***", value) if isinstance(value, str) else value


class TokenlessAccessLogger(Logger):
    """gunicorn's logger; every value of the access log line (request line, path, Referer, headers,
    environment) has a farmer's token replaced."""

    def atoms(self, resp, req, environ, request_time):
        return {key: redact(value) for key, value in super().atoms(resp, req, environ, request_time).items()}


class RedactFarmerTokens(logging.Filter):
    """For Django's log records: the message and its arguments without a farmer's token."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: redact(value) for key, value in record.args.items()}
        return True
