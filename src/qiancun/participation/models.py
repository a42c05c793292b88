"""Farmers' participation: households and their members, ten-household groups, clean-household
ratings, the moral bank (an append-only points ledger with a balance row the database keeps ≥ 0),
the love supermarket, venues and the farmers' own access links.

Every model with a village carries ``scope_field = "village__code"`` (a prefix match on village_id).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from qiancun.core.models import ImportJob
from qiancun.core.scoping import ScopedQuerySet

from . import personal_data
from .choices import (
    DonorKind,
    EntryKind,
    ImportMode,
    ProposalStatus,
    Relation,
    RoundPeriod,
    StockKind,
    VenueKind,
)

USER = settings.AUTH_USER_MODEL


class VillageScoped(models.Model):
    scope_field = "village__code"

    village = models.ForeignKey("regions.Region", verbose_name="村", on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def audit_region_code(self) -> str:
        return self.village_id


class HouseholdGroup(VillageScoped):
    """十户一组: about ten households with a leader, the unit that proposes points and ratings."""

    name = models.CharField("组名", max_length=50)
    leader = models.ForeignKey("Member", verbose_name="组长", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "十户一组"
        verbose_name_plural = "十户一组"
        ordering = ["village", "name"]
        constraints = [models.UniqueConstraint(fields=["village", "name"], name="group_name_per_village")]

    def __str__(self) -> str:
        return self.name


class Household(VillageScoped):
    """One household (户) of a village: its number, head, address and ten-household group."""

    number = models.CharField("户号", max_length=30)
    head_name = models.CharField("户主", max_length=50)
    address = models.CharField("住址", max_length=200, blank=True)
    group = models.ForeignKey(HouseholdGroup, verbose_name="十户一组", null=True, blank=True, on_delete=models.SET_NULL, related_name="households")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "农户"
        verbose_name_plural = "农户"
        ordering = ["village", "number"]
        constraints = [models.UniqueConstraint(fields=["village", "number"], name="household_number_per_village")]

    def __str__(self) -> str:
        return f"{self.head_name}（{self.number}）"


class Member(models.Model):
    """A household member. ID number and phone are stored SM4-encrypted with an SM3 lookup hash."""

    scope_field = "household__village__code"

    household = models.ForeignKey(Household, verbose_name="农户", on_delete=models.CASCADE, related_name="members")
    name = models.CharField("姓名", max_length=50)
    relation = models.CharField("与户主关系", max_length=12, choices=Relation.choices)
    id_cipher = models.TextField("身份证号（密文）", blank=True)
    id_hash = models.CharField(max_length=64, null=True, blank=True)
    id_masked = models.CharField("身份证号", max_length=18, blank=True)
    phone_cipher = models.TextField("手机号（密文）", blank=True)
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    phone_masked = models.CharField("手机号", max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "家庭成员"
        verbose_name_plural = "家庭成员"
        ordering = ["household", "id"]
        constraints = [
            # One person, one registration on the whole platform (the hash is keyed, so equal IDs collide).
            models.UniqueConstraint(fields=["id_hash"], name="member_id_number_unique"),
        ]
        indexes = [models.Index(fields=["household", "relation"], name="member_household_relation")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id

    @property
    def id_tail(self) -> str:
        return self.id_masked[-4:]

    def reveal(self) -> dict:
        return {"id_number": personal_data.decrypt(self.id_cipher), "phone": personal_data.decrypt(self.phone_cipher)}


# ------------------------------------------------------------------ clean-household ratings


class RatingCriterion(models.Model):
    """One criterion of the county's clean-household rating, with its maximum score."""

    scope_field = "county__code"

    county = models.ForeignKey("regions.Region", verbose_name="县（市、区）", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("评分项", max_length=60)
    max_score = models.PositiveSmallIntegerField("满分")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    is_active = models.BooleanField("启用", default=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "干净人家评分项"
        verbose_name_plural = "干净人家评分项"
        ordering = ["county", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["county", "name"], name="criterion_name_per_county")]

    def __str__(self) -> str:
        return f"{self.name}（{self.max_score}分）"

    @property
    def audit_region_code(self) -> str:
        return self.county_id


class RatingRound(VillageScoped):
    """A village's clean-household rating round (monthly or quarterly)."""

    name = models.CharField("名称", max_length=60)
    period = models.CharField("周期", max_length=10, choices=RoundPeriod.choices, default=RoundPeriod.QUARTERLY)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    pass_score = models.PositiveSmallIntegerField("干净人家分数线")
    published_at = models.DateTimeField("公布时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "干净人家评选"
        verbose_name_plural = "干净人家评选"
        ordering = ["village", "-starts_on", "-id"]

    def __str__(self) -> str:
        return self.name


class Rating(models.Model):
    """One household's rating in one round: the score per criterion and whether it is a clean household."""

    round = models.ForeignKey(RatingRound, verbose_name="评选", on_delete=models.CASCADE, related_name="ratings")
    household = models.ForeignKey(Household, verbose_name="农户", on_delete=models.PROTECT, related_name="ratings")
    scores = models.JSONField("各项得分", default=dict)
    total = models.PositiveSmallIntegerField("总分")
    is_clean = models.BooleanField("干净人家")
    rated_by = models.ForeignKey(USER, verbose_name="评分人", null=True, on_delete=models.SET_NULL, related_name="+")
    rated_at = models.DateTimeField("评分时间", auto_now=True)

    class Meta:
        verbose_name = "评分"
        verbose_name_plural = "评分"
        ordering = ["round", "-total", "household"]
        constraints = [models.UniqueConstraint(fields=["round", "household"], name="rating_once_per_round")]

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id


# ------------------------------------------------------------------ moral bank


class PointsRule(VillageScoped):
    """A named deed and its points (+5 volunteer cleaning, −3 littering), set by the village."""

    name = models.CharField("事项", max_length=60)
    points = models.IntegerField("积分")
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "积分规则"
        verbose_name_plural = "积分规则"
        ordering = ["village", "-points", "name"]
        constraints = [models.UniqueConstraint(fields=["village", "name"], name="rule_name_per_village")]

    def __str__(self) -> str:
        return f"{self.name}（{self.points:+d}）"


class PointsAccount(models.Model):
    """The household's balance row. The database refuses a negative balance (CheckConstraint);
    postings change it with F() under a row lock in the same transaction as their ledger entry."""

    household = models.OneToOneField(Household, verbose_name="农户", on_delete=models.PROTECT, related_name="account", primary_key=True)
    balance = models.IntegerField("积分余额", default=0)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "积分账户"
        verbose_name_plural = "积分账户"
        constraints = [models.CheckConstraint(condition=Q(balance__gte=0), name="points_balance_not_negative")]


class PointsProposal(VillageScoped):
    """Points proposed by a group leader or village staff, waiting for the village committee."""

    household = models.ForeignKey(Household, verbose_name="农户", on_delete=models.PROTECT, related_name="proposals")
    rule = models.ForeignKey(PointsRule, verbose_name="积分规则", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    points = models.IntegerField("积分")
    reason = models.CharField("事由", max_length=200)
    occurred_on = models.DateField("发生日期")
    status = models.CharField("状态", max_length=10, choices=ProposalStatus.choices, default=ProposalStatus.PROPOSED, db_index=True)
    idempotency_key = models.CharField("幂等键", max_length=80, unique=True)
    proposed_by = models.ForeignKey(USER, verbose_name="提议人", null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField("提议时间", auto_now_add=True)
    decided_by = models.ForeignKey(USER, verbose_name="审批人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        verbose_name = "积分申报"
        verbose_name_plural = "积分申报"
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.household.head_name} {self.points:+d} {self.reason}"


class LedgerQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise RuntimeError("积分台账只能追加，不能修改")

    def delete(self):
        raise RuntimeError("积分台账只能追加，不能删除")


class LedgerEntry(VillageScoped):
    """One posting to a household's points. Append-only: a mistake is undone by a reversing entry."""

    household = models.ForeignKey(Household, verbose_name="农户", on_delete=models.PROTECT, related_name="ledger")
    kind = models.CharField("类别", max_length=12, choices=EntryKind.choices)
    points = models.IntegerField("积分")
    balance_after = models.IntegerField("余额")
    reason = models.CharField("事由", max_length=200)
    rule = models.ForeignKey(PointsRule, verbose_name="积分规则", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    proposal = models.OneToOneField(PointsProposal, verbose_name="积分申报", null=True, blank=True, on_delete=models.PROTECT, related_name="entry")
    redemption = models.OneToOneField("Redemption", verbose_name="兑换", null=True, blank=True, on_delete=models.PROTECT, related_name="entry")
    reverses = models.OneToOneField("self", verbose_name="冲正的记录", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    idempotency_key = models.CharField("幂等键", max_length=80, unique=True)
    created_by = models.ForeignKey(USER, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("记账时间", db_index=True)

    objects = LedgerQuerySet.as_manager()

    class Meta:
        verbose_name = "积分台账"
        verbose_name_plural = "积分台账"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["village", "created_at"], name="ledger_village_time"),
            models.Index(fields=["household", "created_at"], name="ledger_household_time"),
        ]
        constraints = [models.CheckConstraint(condition=Q(balance_after__gte=0), name="ledger_balance_after_not_negative")]

    def __str__(self) -> str:
        return f"{self.household.head_name} {self.points:+d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RuntimeError("积分台账只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("积分台账只能追加，不能删除")


# ------------------------------------------------------------------ love supermarket


class Goods(VillageScoped):
    """An article of the village's love supermarket: its price in points and its stock (≥ 0, by the database)."""

    name = models.CharField("品名", max_length=60)
    unit = models.CharField("单位", max_length=10, default="件")
    price_points = models.PositiveIntegerField("兑换积分")
    stock = models.IntegerField("库存", default=0)
    is_active = models.BooleanField("上架", default=True)

    class Meta:
        verbose_name = "爱心超市商品"
        verbose_name_plural = "爱心超市商品"
        ordering = ["village", "price_points", "name"]
        constraints = [
            models.UniqueConstraint(fields=["village", "name"], name="goods_name_per_village"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="goods_stock_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name


class Redemption(VillageScoped):
    """One redemption at the counter: a receipt, the household, the points it cost."""

    household = models.ForeignKey(Household, verbose_name="农户", on_delete=models.PROTECT, related_name="redemptions")
    receipt_no = models.CharField("小票号", max_length=30, blank=True, db_index=True)
    total_points = models.PositiveIntegerField("积分合计")
    idempotency_key = models.CharField("幂等键", max_length=80, unique=True)
    created_by = models.ForeignKey(USER, verbose_name="收银员", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("兑换时间", db_index=True)

    class Meta:
        verbose_name = "兑换"
        verbose_name_plural = "兑换"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.receipt_no


class RedemptionLine(models.Model):
    redemption = models.ForeignKey(Redemption, verbose_name="兑换", on_delete=models.CASCADE, related_name="lines")
    goods = models.ForeignKey(Goods, verbose_name="商品", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField("数量")
    price_points = models.PositiveIntegerField("单价（积分）")

    class Meta:
        verbose_name = "兑换明细"
        verbose_name_plural = "兑换明细"
        ordering = ["redemption", "id"]

    @property
    def points(self) -> int:
        return self.quantity * self.price_points


class StockMove(VillageScoped):
    """Stock in (purchase, donation with its donor) or out (redemption)."""

    goods = models.ForeignKey(Goods, verbose_name="商品", on_delete=models.PROTECT, related_name="moves")
    kind = models.CharField("类别", max_length=12, choices=StockKind.choices)
    quantity = models.IntegerField("数量")
    donor_name = models.CharField("捐赠方", max_length=100, blank=True)
    donor_kind = models.CharField("捐赠方类别", max_length=12, choices=DonorKind.choices, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    redemption = models.ForeignKey(Redemption, verbose_name="兑换", null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    created_by = models.ForeignKey(USER, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "出入库"
        verbose_name_plural = "出入库"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["village", "created_at"], name="stockmove_village_time")]


# ------------------------------------------------------------------ venues


class Venue(VillageScoped):
    kind = models.CharField("类别", max_length=10, choices=VenueKind.choices)
    name = models.CharField("名称", max_length=60)

    class Meta:
        verbose_name = "阵地"
        verbose_name_plural = "阵地"
        ordering = ["village", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["village", "name"], name="venue_name_per_village")]

    def __str__(self) -> str:
        return self.name


class VenueActivity(VillageScoped):
    venue = models.ForeignKey(Venue, verbose_name="阵地", on_delete=models.PROTECT, related_name="activities")
    held_on = models.DateField("日期")
    kind = models.CharField("活动类型", max_length=30)
    title = models.CharField("活动内容", max_length=100)
    participants = models.PositiveIntegerField("参加人数")
    photo = models.FileField("照片", upload_to="participation/venues/%Y/%m/", blank=True)
    created_by = models.ForeignKey(USER, verbose_name="记录人", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = "阵地活动"
        verbose_name_plural = "阵地活动"
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


# ------------------------------------------------------------------ farmers' links and imports


class FarmerLink(VillageScoped):
    """A household's access link to its own phone page. Only a hash of its secret is stored. It works
    until `expires_at` (settings.QIANCUN_FARMER_LINK_DAYS after it is issued or last renewed)."""

    household = models.ForeignKey(Household, verbose_name="农户", on_delete=models.CASCADE, related_name="links")
    secret_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(USER, verbose_name="发放人", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("发放时间", auto_now_add=True)
    expires_at = models.DateTimeField("有效期至")
    revoked_at = models.DateTimeField("收回时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近访问", null=True, blank=True)

    class Meta:
        verbose_name = "农户访问链接"
        verbose_name_plural = "农户访问链接"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.household} 的访问链接"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class HouseholdImport(VillageScoped, ImportJob):
    """An Excel of households uploaded for a village, loaded by a background job."""

    file = models.FileField("文件", upload_to="imports/households/%Y/%m/")
    mode = models.CharField("导入方式", max_length=16, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING)

    class Meta:
        verbose_name = "农户导入"
        verbose_name_plural = "农户导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"农户导入 #{self.pk} {self.original_name}"

    @property
    def progress_key(self) -> str:
        return f"household-import:{self.pk}:progress"
