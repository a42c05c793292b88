"""Caches of read-mostly results that are never older than the last write.

A named version lives in the cache; every write to the data behind it moves the version on, inside the
writing transaction and again when it commits (which drops anything another reader cached meanwhile
from the old rows). Results are stored under the current version, so a write makes every earlier
result unreachable at once. Used by the division tree's list pages (regions/cache.py) and the
acceptance dashboard (inspections/queries.py). A lost cache only costs a recomputation.
"""

import hashlib

from django.core.cache import cache
from django.db import transaction

TIMEOUT = 24 * 3600


def _version_key(name: str) -> str:
    return f"version:{name}"


def version(name: str) -> int:
    current = cache.get(_version_key(name))
    if current is None:
        current = 1
        cache.add(_version_key(name), current, None)
    return current


def _bump(name: str) -> None:
    try:
        cache.incr(_version_key(name))
    except ValueError:  # no version yet (cache cleared): nothing stale can be reached either
        cache.add(_version_key(name), 2, None)


def changed(name: str) -> None:
    """Call inside the writing transaction: results cached under `name` expire now and at commit."""
    _bump(name)
    transaction.on_commit(lambda: _bump(name))


def key(name: str, *parts) -> str:
    """The cache key of one result as of now: the version, then a digest of what selects it."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:32]
    return f"{name}:{version(name)}:{digest}"


def get_or_compute(name: str, parts: tuple, compute):
    """The result selected by `parts` as of the current version of `name`, computed once."""
    cache_key = key(name, *parts)
    found = cache.get(cache_key)
    if found is None:
        found = compute()
        cache.set(cache_key, found, TIMEOUT)
    return found

