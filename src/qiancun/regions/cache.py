"""The division tree changes rarely (an import, a village's flags or position) and is read constantly
(every picker, the API's village lists): its list pages are cached under a version that every write
to the tree moves on (core/versioned_cache.py), so a cached page is never older than the last write."""

from qiancun.core import versioned_cache
from qiancun.core.versioned_cache import TIMEOUT  # noqa: F401  (re-exported for the API)

NAME = "regions-tree"


def tree_changed() -> None:
    """Call inside the transaction that writes to the tree."""
    versioned_cache.changed(NAME)


def page_key(*parts) -> str:
    return versioned_cache.key(NAME, *parts)
