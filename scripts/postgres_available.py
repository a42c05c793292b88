"""Can `make test` run its PostgreSQL pass? Exit 0: yes, the server in argv[1] accepts a connection.
Exit 1: no, skip the pass (a developer's machine without PostgreSQL). Exit 2: no, and
QIANCUN_REQUIRE_POSTGRES=1 says it must run (CI sets it, so a dead server fails the run instead of
skipping half of it)."""

import os
import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:  # noqa: BLE001 — any failure means "not available"; the message says which
    required = os.environ.get("QIANCUN_REQUIRE_POSTGRES") == "1"
    verdict = "QIANCUN_REQUIRE_POSTGRES=1: failing" if required else "PostgreSQL run skipped (CI runs it)"
    print(f"PostgreSQL not reachable at {sys.argv[1]} ({exc.__class__.__name__}: {exc}): {verdict}", file=sys.stderr)
    sys.exit(2 if required else 1)
