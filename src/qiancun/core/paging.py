"""Paging and sorting for list pages, the same everywhere."""

from django.core.paginator import Paginator


def sort_queryset(request, queryset, allowed: dict[str, str], default: str):
    """Order by `?sort=name` or `?sort=-name`, only through the whitelisted keys."""
    key = request.GET.get("sort", default)
    field = allowed.get(key.lstrip("-"))
    if field is None:
        key, field = default, allowed[default.lstrip("-")]
    return queryset.order_by(("-" if key.startswith("-") else "") + field), key


def paginate(request, queryset, per_page: int = 50):
    paginator = Paginator(queryset, per_page)
    return paginator.get_page(request.GET.get("page"))


# SQLite and PostgreSQL hold integers of 64 bits: a larger page number or id in a query cannot match
# anything, and on SQLite it does not even reach the database ("datatype mismatch", a 500).
MAX_INT = 2**63 - 1
# A page number is multiplied by the page size into an OFFSET, which must fit as well.
MAX_PAGE = MAX_INT // 10_000
FREE_TEXT_PARAMS = {"q"}  # a search may be any digits


def out_of_range_param(query) -> str | None:
    """The first query parameter of `query` (a QueryDict) that is an integer beyond 64 bits (a page
    number whose rows' offset would be), or None."""
    for key, values in query.lists():
        if key in FREE_TEXT_PARAMS:
            continue
        for value in values:
            digits = value.strip().lstrip("+-")
            limit = MAX_PAGE if key == "page" else MAX_INT
            if len(digits) > 14 and digits.isascii() and digits.isdigit() and int(digits) > limit:
                return key
    return None
