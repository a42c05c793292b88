"""Yearly campaigns, their targets and quotas, tags, enrollments with their timeline, and shortfall lists."""

from django.conf import settings
from django.db import models

from qiancun.core.scoping import ScopedQuerySet

from .choices import EnrollmentStatus, ShortfallStatus, TagKind, Track


class Campaign(models.Model):
    """One year of the programme (千村示范 2022) with its standard version, dates and province targets.

    The targets are minimums (“1000 个以上”): see `rules` for what they mean for quotas.
    """

    year = models.PositiveSmallIntegerField("年度", unique=True)
    name = models.CharField("名称", max_length=100)
    standard = models.ForeignKey("standards.Standard", verbose_name="创建标准", on_delete=models.PROTECT, related_name="campaigns")
    target_total = models.PositiveIntegerField("示范村目标数")
    target_key_border = models.PositiveIntegerField("重点边境村目标数", default=0)
    target_poverty = models.PositiveIntegerField("脱贫村目标数", default=0)
    recheck_percent = models.PositiveSmallIntegerField("市级复验比例（%）", default=50)
    spot_check_percent = models.PositiveSmallIntegerField("省级抽查比例（%）", default=10)
    nomination_open = models.BooleanField("接受提名", default=True)
    document = models.CharField("依据文件", max_length=200, blank=True)
    starts_on = models.DateField("开始日期", null=True, blank=True)
    ends_on = models.DateField("结束日期", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = "年度创建"
        verbose_name_plural = "年度创建"
        ordering = ["-year"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return ""


class QuotaQuerySet(ScopedQuerySet):
    pass


class Quota(models.Model):
    """Places allocated by the level above: province → city, city → county."""

    scope_field = "region__code"

    campaign = models.ForeignKey(Campaign, verbose_name="年度创建", on_delete=models.CASCADE, related_name="quotas")
    region = models.ForeignKey("regions.Region", verbose_name="区划", on_delete=models.PROTECT, related_name="+")
    total = models.PositiveIntegerField("示范村名额")
    key_border = models.PositiveIntegerField("重点边境村名额", default=0)
    poverty = models.PositiveIntegerField("脱贫村名额", default=0)

    objects = QuotaQuerySet.as_manager()

    class Meta:
        verbose_name = "名额"
        verbose_name_plural = "名额"
        ordering = ["campaign", "region"]
        constraints = [models.UniqueConstraint(fields=["campaign", "region"], name="quota_campaign_region_unique")]

    def __str__(self) -> str:
        return f"{self.campaign} · {self.region}：{self.total}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class Tag(models.Model):
    """Village class, a department-led “示范创建+” theme, a pilot programme or an industry link."""

    kind = models.CharField("类别", max_length=20, choices=TagKind.choices)
    name = models.CharField("名称", max_length=60)
    department = models.ForeignKey(
        "accounts.Department", verbose_name="牵头部门", null=True, blank=True, on_delete=models.PROTECT, related_name="themes"
    )
    is_active = models.BooleanField("启用", default=True)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "标签"
        verbose_name_plural = "标签"
        ordering = ["kind", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="tag_kind_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return ""


class EnrollmentQuerySet(ScopedQuerySet):
    def active(self):
        from .lifecycle import ACTIVE_STATUSES

        return self.filter(status__in=ACTIVE_STATUSES)

    def with_theme_of(self, department_id: int):
        """Villages carrying a “示范创建+” theme led by this department (department users' work list)."""
        return self.filter(tags__kind=TagKind.THEME, tags__department_id=department_id).distinct()


class Enrollment(models.Model):
    """A village in a campaign (示范村 / 创建村), on one track, moving through the lifecycle."""

    scope_field = "village__code"

    campaign = models.ForeignKey(Campaign, verbose_name="年度创建", on_delete=models.PROTECT, related_name="enrollments")
    village = models.ForeignKey("regions.Region", verbose_name="村", on_delete=models.PROTECT, related_name="enrollments")
    track = models.CharField("类型", max_length=12, choices=Track.choices, default=Track.CREATE)
    status = models.CharField("状态", max_length=14, choices=EnrollmentStatus.choices, default=EnrollmentStatus.NOMINATED, db_index=True)
    tags = models.ManyToManyField(Tag, verbose_name="标签", blank=True, related_name="enrollments")
    note = models.CharField("说明", max_length=300, blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="提名人", null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("提名时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = EnrollmentQuerySet.as_manager()

    class Meta:
        verbose_name = "创建村"
        verbose_name_plural = "创建村"
        ordering = ["campaign", "village"]
        constraints = [models.UniqueConstraint(fields=["campaign", "village"], name="enrollment_once_per_campaign")]
        indexes = [models.Index(fields=["campaign", "status"], name="enrollment_campaign_status")]

    def __str__(self) -> str:
        return f"{self.village.name}（{self.campaign.year}）"

    @property
    def audit_region_code(self) -> str:
        return self.village_id


class EnrollmentEvent(models.Model):
    """The village's timeline in a campaign: who moved it, when, from what to what, and why."""

    enrollment = models.ForeignKey(Enrollment, verbose_name="创建村", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间", auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+")
    step = models.CharField("操作", max_length=20)
    from_status = models.CharField("原状态", max_length=14, choices=EnrollmentStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=14, choices=EnrollmentStatus.choices)
    reason = models.CharField("理由", max_length=300, blank=True)

    class Meta:
        verbose_name = "状态记录"
        verbose_name_plural = "状态记录"
        ordering = ["enrollment", "at", "id"]

    def __str__(self) -> str:
        return f"{self.enrollment} {self.step}"

    @property
    def step_label(self) -> str:
        from .lifecycle import STEP_LABELS

        return STEP_LABELS.get(self.step, "提名" if self.step == "nominate" else self.step)


class ShortfallQuerySet(ScopedQuerySet):
    pass


class ShortfallItem(models.Model):
    """One gap against the standard (短板弱项) with its planned action, owner, due date and status."""

    scope_field = "enrollment__village__code"

    enrollment = models.ForeignKey(Enrollment, verbose_name="创建村", on_delete=models.CASCADE, related_name="shortfalls")
    indicator = models.ForeignKey(
        "standards.Indicator", verbose_name="对应指标", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    gap = models.CharField("短板弱项", max_length=200)
    action_plan = models.CharField("补齐措施", max_length=300)
    responsible_person = models.CharField("责任人", max_length=50)
    due_date = models.DateField("完成时限")
    status = models.CharField("状态", max_length=12, choices=ShortfallStatus.choices, default=ShortfallStatus.OPEN)
    closed_at = models.DateTimeField("补齐时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    objects = ShortfallQuerySet.as_manager()

    class Meta:
        verbose_name = "短板弱项"
        verbose_name_plural = "短板弱项清单"
        ordering = ["enrollment", "due_date", "id"]

    def __str__(self) -> str:
        return self.gap

    @property
    def audit_region_code(self) -> str:
        return self.enrollment.village_id
