from django.db import models


class IndicatorKind(models.TextChoices):
    HAVE = "have", "有（必备）"
    MUST_NOT = "must_not", "无（不得出现）"


class IndicatorCategory(models.TextChoices):
    PLANNING = "planning", "规划"
    INDUSTRY = "industry", "产业"
    ENVIRONMENT = "environment", "人居环境"
    INFRASTRUCTURE = "infrastructure", "基础设施"
    PUBLIC_SERVICE = "public_service", "公共服务"
    GOVERNANCE = "governance", "乡村治理"
    UPKEEP = "upkeep", "长效管护"
    PARTICIPATION = "participation", "农民参与"
    CULTURE = "culture", "乡风文明"
    SAFETY = "safety", "安全"


class JudgedBy(models.TextChoices):
    INSPECTOR = "inspector", "检查员判定"
    COMPUTED = "computed", "平台数据自动计算"


class PassRule(models.TextChoices):
    ALL = "all", "九有全部达到且六无均未出现"
    SCORE = "score", "总分达到分数线且无否决项"


class Verdict(models.TextChoices):
    MET = "met", "达到"
    NOT_MET = "not_met", "未达到"
    NOT_APPLICABLE = "not_applicable", "不适用"
