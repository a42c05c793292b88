from django.db import models


class RoundKind(models.TextChoices):
    SELF_CHECK = "self_check", "县级自查"
    LOOK_BACK = "look_back", "回头看"
    RE_CHECK = "re_check", "市级复验"
    SPOT_CHECK = "spot_check", "省级抽查验收"
    CROSS = "cross", "交叉互检"
    UNANNOUNCED = "unannounced", "督导暗访"
    RETURN_VISIT = "return_visit", "回访"
    PATROL = "patrol", "日常巡检"


# The level whose staff run each kind of round (seed §二(一) 1–2).
ROUND_LEVEL = {
    RoundKind.SELF_CHECK: "county",
    RoundKind.LOOK_BACK: "county",
    RoundKind.PATROL: "county",
    RoundKind.RE_CHECK: "city",
    RoundKind.CROSS: "city",
    RoundKind.SPOT_CHECK: "province",
    RoundKind.UNANNOUNCED: "province",
    RoundKind.RETURN_VISIT: "province",
}
# Rounds whose results move the enrollment through acceptance.
ACCEPTANCE_KINDS = {RoundKind.SELF_CHECK, RoundKind.RE_CHECK, RoundKind.SPOT_CHECK}
# Rounds that visit villages named in earlier years.
VISIT_KINDS = {RoundKind.UNANNOUNCED, RoundKind.RETURN_VISIT}


class RoundStatus(models.TextChoices):
    OPEN = "open", "进行中"
    SUBMITTED = "submitted", "已提交待审"
    SENT_BACK = "sent_back", "已退回"
    LOCKED = "locked", "已确认锁定"


class RecordStatus(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已提交"


class DrawStatus(models.TextChoices):
    PUBLISHED = "published", "已公布名单待开奖"
    DRAWN = "drawn", "已抽取"


class RevocationStatus(models.TextChoices):
    PROPOSED = "proposed", "已提议待省级决定"
    APPROVED = "approved", "已摘牌"
    REJECTED = "rejected", "不予摘牌"

SAMPLED_LABEL = {RoundKind.RE_CHECK: "按县分层，每县不低于复验比例", RoundKind.SPOT_CHECK: "按市分层，各市按比例抽取"}


class SeedSource(models.TextChoices):
    """Public lotteries whose results can serve as a draw's seed: drawn in public, published nationally, and
    written as a fixed count of numbers, so a result can be written down in one way only (no choosing among
    "plausible" spellings of the same result)."""

    FC3D = "fc3d", "中国福利彩票3D"
    SSQ = "ssq", "中国福利彩票双色球"
    KL8 = "kl8", "中国福利彩票快乐8"
    PL3 = "pl3", "中国体育彩票排列3"
    DLT = "dlt", "中国体育彩票超级大乐透"
