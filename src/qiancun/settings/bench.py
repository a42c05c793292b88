"""Benchmarks (`make bench-data`, `make bench`): the demo settings on a database of their own.

DATABASE_URL is set by the Makefile (a SQLite file under var/bench/ or a PostgreSQL database named
qiancun_bench_<scale>). Connections are kept open (as gunicorn keeps them in production) so the
figures measure queries, not connects.
"""

import os

from .demo import *  # noqa: F403
from .demo import DATABASES

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("QIANCUN_DB_CONN_MAX_AGE", "600"))
# The load test sends thousands of requests from one address.
QIANCUN_RATE_LIMITS = {"login": "100000/m", "farmer": "100000/m"}
