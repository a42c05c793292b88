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


ALL_ROLES = set(Role)

ROLE_PERMISSIONS: dict[Perm, set[Role]] = {
    Perm.REGION_VIEW: ALL_ROLES,
    Perm.VILLAGE_EDIT: {Role.ADMIN, Role.STAFF},
    Perm.REGION_IMPORT: {Role.ADMIN},
    Perm.USER_MANAGE: {Role.ADMIN},
    Perm.AUDIT_VIEW: {Role.ADMIN},
    Perm.TOKEN_MANAGE: ALL_ROLES,
}

# Some permissions also need the scope to be at a given level (the province loads the tree).
REQUIRED_SCOPE_LEVEL: dict[Perm, set[str]] = {
    Perm.REGION_IMPORT: {RegionLevel.PROVINCE},
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
