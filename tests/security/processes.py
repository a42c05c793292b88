"""For tests that run the platform in processes of their own (a `db_worker` killed with -9, ledger
counters in other processes): the test database where those processes can open it, and their
environment (settings `qiancun.settings.worker_processes`).

PostgreSQL's test database is a database like any other. SQLite's is in memory, visible to this
process only: `own_connections` copies it to a WAL file and points this process at the file too, as the
platform runs in production.
"""

import os
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from django.test import override_settings

from qiancun.participation.tests.test_ledger import own_connections

REPO = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    credentials = f"{quote(db['USER'], safe='')}:{quote(db['PASSWORD'] or '', safe='')}@" if db["USER"] else ""
    return f"postgres://{credentials}{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def shared_platform(tmp_path: Path):
    """The test database and job progress shared with other processes, and imports queued in the
    database as in production. Yields the environment for those processes."""
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir()
    caches = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": str(cache_dir)}}
    tasks = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with own_connections(), override_settings(TASKS=tasks, CACHES=caches):
        yield {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "qiancun.settings.worker_processes",
            "DATABASE_URL": database_url(),
            "QIANCUN_TEST_MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "QIANCUN_TEST_CACHE_DIR": str(cache_dir),
            "PYTHONPATH": str(REPO / "src"),
            "PYTHONUNBUFFERED": "1",
        }


def manage(env: dict, *args: str, log: Path, **kwargs) -> subprocess.Popen:
    """`manage.py ARGS` in a process of its own; its output goes to `log`."""
    out = log.open("ab")
    return subprocess.Popen([sys.executable, str(REPO / "manage.py"), *args], env=env, cwd=REPO, stdout=out,
                            stderr=subprocess.STDOUT, **kwargs)
