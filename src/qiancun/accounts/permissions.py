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
    AUDIT_PURGE = "audit.purge"
    ACCOUNT_SECURITY = "account.security"
    OVERSIGHT_APPOINT = "oversight.appoint"
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
    # Acceptance and supervision (inspections, rectification)
    ROUND_MANAGE = "round.manage"
    INSPECT = "inspection.record"
    ROUND_SUBMIT = "round.submit"
    ROUND_SIGN_OFF = "round.sign_off"
    DRAW_MANAGE = "draw.manage"
    REVOCATION_PROPOSE = "revocation.propose"
    REVOCATION_DECIDE = "revocation.decide"
    RECTIFICATION_FIX = "rectification.fix"
    RECTIFICATION_VERIFY = "rectification.verify"
    # Farmers' participation
    HOUSEHOLD_VIEW = "household.view"
    HOUSEHOLD_EDIT = "household.edit"
    PERSONAL_DATA_UNMASK = "personal_data.unmask"
    RATING_CRITERIA_MANAGE = "rating.criteria"
    RATING_RECORD = "rating.record"
    POINTS_PROPOSE = "points.propose"
    POINTS_APPROVE = "points.approve"
    SHOP_OPERATE = "shop.operate"
    VENUE_RECORD = "venue.record"
    FARMER_LINK_ISSUE = "farmer_link.issue"


ALL_ROLES = set(Role)

ROLE_PERMISSIONS: dict[Perm, set[Role]] = {
    Perm.REGION_VIEW: ALL_ROLES,
    Perm.VILLAGE_EDIT: {Role.ADMIN, Role.STAFF},
    Perm.REGION_IMPORT: {Role.ADMIN},
    Perm.USER_MANAGE: {Role.ADMIN},
    # 三员分立: the system administrator manages users but neither reads nor purges the audit log; the
    # audit administrator reads it (and purges it past the retention) and changes nothing else; the
    # security administrator unlocks accounts, resets second factors and revokes tokens.
    Perm.AUDIT_VIEW: {Role.AUDITOR},
    Perm.AUDIT_PURGE: {Role.AUDITOR},
    Perm.ACCOUNT_SECURITY: {Role.SECURITY_ADMIN},
    # …and the security administrator alone appoints the security and audit administrators of the level below.
    Perm.OVERSIGHT_APPOINT: {Role.SECURITY_ADMIN},
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
    Perm.ROUND_MANAGE: {Role.ADMIN, Role.STAFF},
    Perm.INSPECT: {Role.ADMIN, Role.STAFF, Role.INSPECTOR},
    Perm.ROUND_SUBMIT: {Role.ADMIN, Role.STAFF},
    Perm.ROUND_SIGN_OFF: {Role.ADMIN, Role.STAFF},
    Perm.DRAW_MANAGE: {Role.ADMIN, Role.STAFF},
    Perm.REVOCATION_PROPOSE: {Role.ADMIN, Role.STAFF, Role.INSPECTOR},
    Perm.REVOCATION_DECIDE: {Role.ADMIN},
    Perm.RECTIFICATION_FIX: {Role.ADMIN, Role.STAFF},
    Perm.RECTIFICATION_VERIFY: {Role.ADMIN, Role.STAFF, Role.INSPECTOR},
    Perm.HOUSEHOLD_VIEW: {Role.ADMIN, Role.STAFF, Role.LEADER},
    Perm.HOUSEHOLD_EDIT: {Role.ADMIN, Role.STAFF},
    Perm.PERSONAL_DATA_UNMASK: {Role.ADMIN},
    Perm.RATING_CRITERIA_MANAGE: {Role.ADMIN, Role.STAFF},
    Perm.RATING_RECORD: {Role.ADMIN, Role.STAFF},
    Perm.POINTS_PROPOSE: {Role.ADMIN, Role.STAFF},
    Perm.POINTS_APPROVE: {Role.ADMIN, Role.STAFF},
    Perm.SHOP_OPERATE: {Role.ADMIN, Role.STAFF},
    Perm.VENUE_RECORD: {Role.ADMIN, Role.STAFF},
    Perm.FARMER_LINK_ISSUE: {Role.ADMIN, Role.STAFF},
}

# Some permissions also need the scope to be at a given level (the province loads the tree).
REQUIRED_SCOPE_LEVEL: dict[Perm, set[str]] = {
    Perm.REGION_IMPORT: {RegionLevel.PROVINCE},
    Perm.AUDIT_PURGE: {RegionLevel.PROVINCE},
    Perm.OVERSIGHT_APPOINT: {RegionLevel.PROVINCE, RegionLevel.CITY},
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
    Perm.ROUND_MANAGE: {RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY},
    Perm.ROUND_SUBMIT: {RegionLevel.COUNTY},
    Perm.ROUND_SIGN_OFF: {RegionLevel.CITY},
    Perm.DRAW_MANAGE: {RegionLevel.PROVINCE, RegionLevel.CITY},
    Perm.REVOCATION_DECIDE: {RegionLevel.PROVINCE},
    Perm.RECTIFICATION_FIX: {RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE},
    # The village committee approves points and runs the shop; counties set the rating criteria.
    Perm.HOUSEHOLD_EDIT: {RegionLevel.COUNTY, RegionLevel.TOWNSHIP, RegionLevel.VILLAGE},
    Perm.PERSONAL_DATA_UNMASK: {RegionLevel.PROVINCE, RegionLevel.CITY, RegionLevel.COUNTY},
    Perm.RATING_CRITERIA_MANAGE: {RegionLevel.COUNTY},
    Perm.RATING_RECORD: {RegionLevel.TOWNSHIP, RegionLevel.VILLAGE},
    Perm.POINTS_PROPOSE: {RegionLevel.TOWNSHIP, RegionLevel.VILLAGE},
    Perm.POINTS_APPROVE: {RegionLevel.VILLAGE},
    Perm.SHOP_OPERATE: {RegionLevel.VILLAGE},
    Perm.VENUE_RECORD: {RegionLevel.TOWNSHIP, RegionLevel.VILLAGE},
    Perm.FARMER_LINK_ISSUE: {RegionLevel.VILLAGE},
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


def can_manage_users(user) -> bool:
    """The user API: the system administrator (every role but the two that oversee him) or the
    security administrator who appoints those two at the level below (accounts.actions checks which role)."""
    return can(user, Perm.USER_MANAGE) or can(user, Perm.OVERSIGHT_APPOINT)


def ensure_can_manage_users(user) -> None:
    if not can_manage_users(user):
        raise PermissionDeniedError()
