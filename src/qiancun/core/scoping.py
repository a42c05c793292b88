"""The one read path: every list, detail, export and search starts from `.for_user(user)`.

A user's scope is a region code (2/4/6/9/12 digits). Codes are hierarchical, so "everything the
user may read" is a prefix match on one indexed column, named by the model's `scope_field`.
Objects outside the scope simply do not exist for the user: views and the API answer 404.

The prefix match is written as a range, `code >= '2224' AND code <= '2224' + '9' * 8`: codes are digit
strings of at most 12 characters, so the range holds exactly the codes that start with the prefix,
in any collation. Unlike `LIKE '2224%'` a range uses the ordinary B-tree index of the column on both
databases (SQLite never uses an index for LIKE with an ESCAPE clause; PostgreSQL only with
pattern_ops or the C collation), which is what keeps scoped counts fast at province scale.
"""

from django.db import models
from django.db.models import Q

CODE_MAX_LENGTH = 12


def prefix_q(field: str, prefix: str) -> Q:
    """Rows whose `field` (a region code) starts with `prefix`, as an index-friendly range."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lte": prefix + "9" * (CODE_MAX_LENGTH - len(prefix))})


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        prefix = user.scope_code
        if prefix == "":
            return self.all()
        return self.filter(prefix_q(self.model.scope_field, prefix))

    def within(self, region_code: str):
        """Everything under a region (inclusive), whoever asks: combine with for_user()."""
        return self.filter(prefix_q(self.model.scope_field, region_code))


def code_within(code: str | None, scope: str) -> bool:
    """True when `code` lies inside the region `scope` (or is that region)."""
    return code is not None and code.startswith(scope)
