"""`manage.py flush`, Django's, except under the test settings: there it first suspends the audit log's
and the ledger's append-only triggers (core.append_only), which would refuse the emptying otherwise.
Django's test runner calls `flush` between transactional tests."""

from django.conf import settings
from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections

from qiancun.core import append_only


class Command(DjangoFlush):
    def handle(self, **options):
        if not getattr(settings, "QIANCUN_FLUSH_APPEND_ONLY_TABLES", False):
            return super().handle(**options)
        with append_only.suspended(connections[options.get("database") or DEFAULT_DB_ALIAS]):
            return super().handle(**options)
