from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.http import urlencode

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (paging and sorting links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + urlencode(sorted(params.items()), doseq=False) if params else "?"


@register.inclusion_tag("core/_sort_header.html", takes_context=True)
def sort_header(context, key, label):
    current = context.get("sort", "")
    if current == key:
        next_key, arrow = "-" + key, "▲"
    elif current == "-" + key:
        next_key, arrow = key, "▼"
    else:
        next_key, arrow = key, ""
    params = context["request"].GET.copy()
    params["sort"] = next_key
    params.pop("page", None)
    return {"href": "?" + params.urlencode(), "label": label, "arrow": arrow}


@register.filter
def mask_middle(value: str, keep: int = 3) -> str:
    value = str(value or "")
    if len(value) <= keep * 2:
        return value
    return value[:keep] + "*" * (len(value) - keep * 2) + value[-keep:]


def _moment(value: str) -> str | None:
    """An ISO date or time as stored in an audit change (UTC), in the Chinese form and Beijing time the
    rest of the page uses; None for any other text."""
    if not (len(value) >= 10 and value[4] == "-" and value[7] == "-" and value[:4].isdigit()):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if len(value) == 10:
        return f"{moment.year}年{moment.month}月{moment.day}日"
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M:%S}"


def _shown(value) -> str:
    if value is None or value == "":
        return "∅"
    if value is True:
        return "是"
    if value is False:
        return "否"
    if isinstance(value, str):
        return _moment(value) or value
    return str(value)


@register.filter
def change_text(change) -> str:
    """An audit change: `[before, after]` as `before → after`, anything else as itself."""
    if isinstance(change, list) and len(change) == 2:
        return f"{_shown(change[0])} → {_shown(change[1])}"
    return _shown(change)
