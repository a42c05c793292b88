"""The division tree changes rarely (an import, a village's flags or position) and is read constantly
(every picker, the API's village lists). Its list pages are cached under a version number that every
write to the tree moves on, so a cached page is never older than the last write.

Writers call `tree_changed()` inside their transaction; the version moves then and when it commits. The cache is
the platform's (Redis in production, files in the demo); a lost cache only costs a recomputation.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction

VERSION_KEY = "regions:tree-version"
TIMEOUT = 24 * 3600


def tree_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        version = 1
        cache.add(VERSION_KEY, version, None)
    return version


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (cache cleared): any new value invalidates nothing stale
        cache.add(VERSION_KEY, 2, None)


def tree_changed() -> None:
    """Call inside the writing transaction. The version moves now (the writer reads its own change at
    once) and again at commit, which drops any page another reader cached meanwhile from the old rows."""
    _bump()
    transaction.on_commit(_bump)


def page_key(*parts) -> str:
    """A cache key for one page of the tree as of now: the version, then a digest of what selects it."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"regions:page:{tree_version()}:{digest}"
