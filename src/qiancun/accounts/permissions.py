"""What a role may do (scope — where — is the queryset's business, see core.scoping).

One table, one check. Views and API handlers call `ensure_can`; tests walk the table.
"""

from enum import StrEnum

from qiancun.core.errors import PermissionDeniedError
from qiancun.regions.choices import RegionLevel

from .choices import Role


class Perm(StrEnum):
    REGION_VIEW = "region.view"
    VILLAGE_EDIT = "village.edit"
    REGION_IMPORT = "region.import"
    USER_MANAGE = "user.manage"
    AUDIT_VIEW = "audit.view"
    TOKEN_MANAGE = "token.manage"
    STANDARD_VIEW = "standard.view"
    STANDARD_MANAGE = "standard.manage"
    CAMPAIGN_VIEW = "campaign.view"
    CAMPAIGN_MANAGE = "campaign.manage"
    QUOTA_ALLOCATE = "quota.allocate"
    TAG_MANAGE = "tag.manage"
    ENROLLMENT_NOMINATE = "enrollment.nominate"
    ENROLLMENT_REVIEW = "enrollment.review"
    ENROLLMENT_CONFIRM = "enrollment.confirm"
    ENROLLMENT_TAG = "enrollment.tag"
    THEME_MAINTAIN = "theme.maintain"
    SHORTFALL_EDIT = "shortfall.edit"


ALL_ROLES = set(Role)

ROLE_PERMISSIONS: dict[Perm, set[Role]] = {
    Perm.REGION_VIEW: ALL_ROLES,
    Perm.VILLAGE_EDIT: {Role.ADMIN, Role.STAFF},
    Perm.REGION_IMPORT: {Role.ADMIN},
    Perm.USER_MANAGE: {Role.ADMIN},
    Perm.AUDIT_VIEW: {Role.ADMIN},
    Perm.TOKEN_MANAGE: ALL_ROLES,
    Perm.STANDARD_VIEW: ALL_ROLES,
    Perm.STANDARD_MANAGE: {Role.ADMIN},
    Perm.CAMPAIGN_VIEW: ALL_ROLES,
    Perm.CAMPAIGN_MANAGE: {Role.ADMIN},
    Perm.QUOTA_ALLOCATE: {Role.ADMIN},
    Perm.TAG_MANAGE: {Role.ADMIN},
    Perm.ENROLLMENT_NOMINATE: {Role.ADMIN, Role.STAFF},
    Perm.ENROLLMENT_REVIEW: {Role.ADMIN, Role.STAFF},
    Perm.ENROLLMENT_CONFIRM: {Role.ADMIN, Role.STAFF},
    Perm.ENROLLMENT_TAG: {Role.ADMIN, Role.STAFF},
    Perm.THEME_MAINTAIN: {Role.DEPARTMENT},
    Perm.SHORTFALL_EDIT: {Role.ADMIN, Role.STAFF},
}

# Some permissions also need the scope to be at a given level (the province loads the tree).
REQUIRED_SCOPE_LEVEL: dict[Perm, set[str]] = {
    Perm.REGION_IMPORT: {RegionLevel.PROVINCE},
    Perm.STANDARD_MANAGE: {RegionLevel.PROVINCE},
    Perm.CAMPAIGN_MANAGE: {RegionLevel.PROVINCE},
    Perm.TAG_MANAGE: {RegionLevel.PROVINCE},
    Perm.QUOTA_ALLOCATE: {RegionLevel.PROVINCE, RegionLevel.CITY},
    # 县级提名、市级审核、省级确认 (seed §二): each step belongs to one level.
    Perm.ENROLLMENT_NOMINATE: {RegionLevel.COUNTY},
    Perm.ENROLLMENT_REVIEW: {RegionLevel.CITY},
    Perm.ENROLLMENT_CONFIRM: {RegionLevel.PROVINCE},
    Perm.ENROLLMENT_TAG: {RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY},
    Perm.SHORTFALL_EDIT: {RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE},
}

# Administrators exist at province, city and county level only.
ADMIN_LEVELS = {RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY}


def can(user, perm: Perm) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.role not in ROLE_PERMISSIONS[perm]:
        return False
    levels = REQUIRED_SCOPE_LEVEL.get(perm)
    return levels is None or user.scope_level in levels


def ensure_can(user, perm: Perm) -> None:
    if not can(user, perm):
        raise PermissionDeniedError()
