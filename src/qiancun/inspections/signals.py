"""Every write to the data behind the acceptance dashboard moves its cache version on (see
queries.dashboard): enrollments (status), inspection rounds (sign-off), inspection records and
rectification problems. The actions write them with save()/create(), which these receivers see."""

from django.db.models.signals import post_delete, post_save

from qiancun.core import versioned_cache

from .queries import DASHBOARD_CACHE


def acceptance_changed(sender, **kwargs) -> None:
    versioned_cache.changed(DASHBOARD_CACHE)


def connect() -> None:
    from qiancun.campaigns.models import Enrollment
    from qiancun.rectification.models import Problem

    from .models import InspectionRecord, InspectionRound

    for model in (Enrollment, InspectionRound, InspectionRecord, Problem):
        for signal in (post_save, post_delete):
            signal.connect(acceptance_changed, sender=model, dispatch_uid=f"acceptance-{signal}-{model._meta.label}")
