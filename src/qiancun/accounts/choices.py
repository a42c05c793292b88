from django.db import models


class Role(models.TextChoices):
    # 三员分立: `admin` is the system administrator (users, regions, campaigns …), `security_admin`
    # looks after accounts' security (unlock, second factor, tokens), `auditor` reads the audit log.
    ADMIN = "admin", "管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDITOR = "auditor", "审计管理员"
    STAFF = "staff", "工作人员"
    INSPECTOR = "inspector", "检查员"
    DEPARTMENT = "department", "部门用户"
    LEADER = "leader", "领导（只读）"


# The three administrators of 三员分立: set at province, city or county level, only by the level above.
ADMINISTRATOR_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
# The two that watch the system administrator: only a security administrator of the level above gives,
# changes, resets or disables them (the province's come from `create_admin --role`); never an `admin`.
OVERSIGHT_ROLES = frozenset({Role.SECURITY_ADMIN, Role.AUDITOR})
