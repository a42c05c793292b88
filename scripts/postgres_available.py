"""Exit 0 when the PostgreSQL server in argv[1] accepts a connection (used by `make test`)."""

import sys

import psycopg

try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except Exception as exc:  # any failure means "not available": the caller prints why it skipped
    print(f"PostgreSQL check failed: {exc.__class__.__name__}", file=sys.stderr)
    sys.exit(1)
