from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "管理员"
    STAFF = "staff", "工作人员"
    INSPECTOR = "inspector", "检查员"
    DEPARTMENT = "department", "部门用户"
    LEADER = "leader", "领导（只读）"
