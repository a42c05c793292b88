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
