"""The division tree changes rarely (an import, a village's flags or position) and is read constantly
(every picker, the API's village lists): its list pages are cached under a version that every write
to the tree moves on (core/versioned_cache.py), so a cached page is never older than the last write."""

from qiancun.core import versioned_cache

NAME = "regions-tree"


def tree_changed() -> None:
    """Call inside the transaction that writes to the tree."""
    versioned_cache.changed(NAME)


def cached_page(parts: tuple, compute):
    """A page of the tree selected by `parts` (scope and filters), computed once per tree version."""
    return versioned_cache.get_or_compute(NAME, parts, compute)
