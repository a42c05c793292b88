from django.db import models


class Track(models.TextChoices):
    """巩固一批、创建一批、提升一批 (seed §一(一))."""

    CONSOLIDATE = "consolidate", "巩固"
    CREATE = "create", "创建"
    UPGRADE = "upgrade", "提升"


class EnrollmentStatus(models.TextChoices):
    NOMINATED = "nominated", "县级已提名"
    RETURNED = "returned", "已退回"
    UNDER_REVIEW = "under_review", "市级已审核"
    CREATING = "creating", "创建中"
    SELF_CHECKED = "self_checked", "县级已自查"
    RE_CHECKED = "re_checked", "市级已复验"
    ACCEPTED = "accepted", "已命名示范村"
    NOT_ACCEPTED = "not_accepted", "未通过验收"
    REVOKED = "revoked", "已摘牌"


class TagKind(models.TextChoices):
    VILLAGE_CLASS = "village_class", "村庄分类"
    THEME = "theme", "“示范创建+”主题"
    PILOT = "pilot", "试点"
    INDUSTRY = "industry", "产业链接"


class ShortfallStatus(models.TextChoices):
    OPEN = "open", "未开始"
    IN_PROGRESS = "in_progress", "整改中"
    CLOSED = "closed", "已补齐"
