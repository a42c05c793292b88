"""Sessions in the database (Django's backend), but a page is not refused because the session's
expiry could not be pushed back while the database was locked.

Every request saves the session (SESSION_SAVE_EVERY_REQUEST: 30 idle minutes). On SQLite, when
another connection held the write lock past busy_timeout — the old backup did for minutes, a restore
or a large import still may — that save failed and Django answered the page with 400. When nothing in
the session changed, the save only renews its expiry: skipping it costs nothing but that renewal, so
the page is served. A session whose contents changed (sign-in, a message) still fails as before.
"""

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from qiancun.core.jobs import is_database_locked

logger = logging.getLogger("qiancun.sessions")


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        try:
            return super().save(must_create=must_create)
        except UpdateError as exc:
            if self.modified or not is_database_locked(exc.__context__):
                raise
            logger.warning("数据库被占用，本次请求未能延长会话有效期（会话内容未变，页面照常返回）")
