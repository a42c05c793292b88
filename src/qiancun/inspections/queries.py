"""Read helpers for acceptance: the circular, coverage by region."""

from qiancun.campaigns.choices import EnrollmentStatus
from qiancun.campaigns.models import Enrollment
from qiancun.campaigns.queries import region_names

from . import actions
from .choices import RevocationStatus, RoundKind
from .models import InspectionRecord, InspectionRound, Revocation


def circular(campaign, user) -> dict:
    """通报: villages that failed the province's spot-check, and titles revoked, by city."""
    failures = list(
        InspectionRecord.objects.for_user(user).filter(
            round__campaign=campaign, round__kind=RoundKind.SPOT_CHECK, passed=False,
            enrollment__status=EnrollmentStatus.NOT_ACCEPTED,
        ).select_related("enrollment__village", "round")
    )
    revoked = list(
        Revocation.objects.for_user(user).filter(status=RevocationStatus.APPROVED)
        .filter(record__round__campaign=campaign).select_related("enrollment__village", "enrollment__campaign", "record__round")
    )
    names = region_names([r.enrollment.village_id for r in failures] + [r.enrollment.village_id for r in revoked])
    by_city: dict[str, dict] = {}
    for record in failures:
        code = record.enrollment.village_id
        by_city.setdefault(code[:4], {"failures": [], "revocations": []})["failures"].append(
            {"code": code, "village": record.enrollment.village.name, "county": names.get(code[:6], ""), "reason": record.summary}
        )
    for revocation in revoked:
        code = revocation.enrollment.village_id
        by_city.setdefault(code[:4], {"failures": [], "revocations": []})["revocations"].append(
            {"code": code, "village": revocation.enrollment.village.name, "county": names.get(code[:6], ""),
             "reason": revocation.reason, "year": revocation.enrollment.campaign.year}
        )
    return {"cities": [(code, names.get(code, code), rows) for code, rows in sorted(by_city.items())],
            "failure_count": len(failures), "revocation_count": len(revoked)}


def revocations_for(user):
    return Revocation.objects.for_user(user).select_related("enrollment__village", "enrollment__campaign", "record__round")


