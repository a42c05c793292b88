from django.db import models

from qiancun.core.choices import ImportStatus  # noqa: F401  (shared by every import job)


class Relation(models.TextChoices):
    HEAD = "head", "户主"
    SPOUSE = "spouse", "配偶"
    CHILD = "child", "子女"
    PARENT = "parent", "父母"
    GRANDCHILD = "grandchild", "孙子女"
    SIBLING = "sibling", "兄弟姐妹"
    OTHER = "other", "其他"


class RoundPeriod(models.TextChoices):
    MONTHLY = "monthly", "月度"
    QUARTERLY = "quarterly", "季度"


class ProposalStatus(models.TextChoices):
    PROPOSED = "proposed", "待审批"
    POSTED = "posted", "已入账"
    REJECTED = "rejected", "已驳回"


class EntryKind(models.TextChoices):
    AWARD = "award", "积分奖惩"
    CORRECTION = "correction", "冲正"
    REDEMPTION = "redemption", "兑换"


class StockKind(models.TextChoices):
    PURCHASE = "purchase", "采购入库"
    DONATION = "donation", "捐赠入库"
    REDEMPTION = "redemption", "兑换出库"


class DonorKind(models.TextChoices):
    COMPANY = "company", "企业"
    DEPARTMENT = "department", "部门单位"
    VOLUNTEER = "volunteer", "志愿者"
    OTHER = "other", "其他"


class VenueKind(models.TextChoices):
    CULTURE = "culture", "农村文化大院"
    LIBRARY = "library", "农家书屋"
    SCIENCE = "science", "科技小院"


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", "全部正确才导入"
    GOOD_ROWS = "good_rows", "只导入正确的行"

