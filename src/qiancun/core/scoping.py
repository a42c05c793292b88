"""The one read path: every list, detail, export and search starts from `.for_user(user)`.

A user's scope is a region code (2/4/6/9/12 digits). Codes are hierarchical, so "everything the
user may read" is a prefix match on one indexed column, named by the model's `scope_field`.
Objects outside the scope simply do not exist for the user: views and the API answer 404.
"""

from django.db import models


class ScopedQuerySet(models.QuerySet):
    def for_user(self, user):
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        prefix = user.scope_code
        if prefix == "":
            return self.all()
        return self.filter(**{f"{self.model.scope_field}__startswith": prefix})

    def within(self, region_code: str):
        """Everything under a region (inclusive), whoever asks: combine with for_user()."""
        return self.filter(**{f"{self.model.scope_field}__startswith": region_code})


def code_within(code: str | None, scope: str) -> bool:
    """True when `code` lies inside the region `scope` (or is that region)."""
    return code is not None and code.startswith(scope)
