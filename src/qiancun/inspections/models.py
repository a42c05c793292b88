"""Inspection rounds, verifiable random draws, inspection records with verdicts and photos, revocations."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from qiancun.core.scoping import ScopedQuerySet
from qiancun.core.text import chinese_date

from .choices import DrawStatus, RecordStatus, RevocationStatus, RoundKind, RoundStatus, SeedSource


class RoundQuerySet(ScopedQuerySet):
    pass


class InspectionRound(models.Model):
    """One round of checks by one level over one region: a county's self-check, a city's re-check …"""

    scope_field = "region__code"

    campaign = models.ForeignKey("campaigns.Campaign", verbose_name="年度创建", on_delete=models.PROTECT, related_name="rounds")
    kind = models.CharField("类型", max_length=16, choices=RoundKind.choices)
    region = models.ForeignKey("regions.Region", verbose_name="范围", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    starts_on = models.DateField("开始日期")
    ends_on = models.DateField("结束日期")
    status = models.CharField("状态", max_length=10, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    task_force = models.CharField("工作专班", max_length=200, blank=True)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="检查人员", blank=True, related_name="rounds")
    send_back_reason = models.CharField("退回理由", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    locked_at = models.DateTimeField("锁定时间", null=True, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = "检查轮次"
        verbose_name_plural = "检查轮次"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.region_id

    @property
    def is_locked(self) -> bool:
        return self.status == RoundStatus.LOCKED


class CrossAssignment(models.Model):
    """交叉互检: one county's inspectors check another county's villages (never their own)."""

    round = models.ForeignKey(InspectionRound, on_delete=models.CASCADE, related_name="cross_assignments")
    inspecting_county = models.ForeignKey("regions.Region", verbose_name="检查方", on_delete=models.PROTECT, related_name="+")
    inspected_county = models.ForeignKey("regions.Region", verbose_name="被检查方", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "交叉互检分工"
        verbose_name_plural = "交叉互检分工"
        constraints = [
            models.UniqueConstraint(fields=["round", "inspected_county"], name="cross_one_inspector_per_county"),
            models.CheckConstraint(condition=~models.Q(inspecting_county=models.F("inspected_county")), name="cross_never_own_county"),
        ]


class Draw(models.Model):
    """A publicly verifiable random sample (RFC 3797 style, rules in `draws.py`).

    The eligible list, its SHA-256 and the named future public source of the seed (a lottery's issue
    and draw date) are committed first; the seed is that source's result, accepted from its date on;
    the sample is, in each stratum, the villages with the smallest SHA-256(seed ‖ code). The commitment
    and the result are links of one public chain (`DrawLink`). A redraw is decided by the province: a new
    Draw naming the one it replaces, why, and how many redraws the round has had; all stay visible.
    """

    round = models.ForeignKey(InspectionRound, verbose_name="检查轮次", on_delete=models.PROTECT, related_name="draws")
    status = models.CharField("状态", max_length=10, choices=DrawStatus.choices, default=DrawStatus.PUBLISHED)
    algorithm = models.CharField("算法", max_length=40)
    percent = models.PositiveSmallIntegerField("抽取比例（%）")
    strata = models.JSONField("分层与候选名单", help_text="{分层代码: [村代码, …]}")
    eligible_sha256 = models.CharField("候选名单 SHA-256", max_length=64)
    published_at = models.DateTimeField("名单公布时间", default=timezone.now)
    source = models.CharField("随机数来源", max_length=10, choices=SeedSource.choices, blank=True)
    source_issue = models.CharField("期号", max_length=20, blank=True)
    source_date = models.DateField("开奖日期", null=True, blank=True)
    seed = models.CharField("随机种子", max_length=200, blank=True)
    seed_source = models.CharField("种子来源", max_length=200, blank=True, help_text="如：2022年6月15日福利彩票3D开奖号码")
    drawn_at = models.DateTimeField("抽取时间", null=True, blank=True)
    result = models.JSONField("抽取结果", default=list, blank=True)
    replaces = models.OneToOneField("self", verbose_name="取代的抽取", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by")
    redraw_number = models.PositiveSmallIntegerField("第几次重抽", default=0, help_text="0 为首次抽取")
    reason = models.CharField("重抽理由", max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "随机抽取"
        verbose_name_plural = "随机抽取"
        ordering = ["-published_at", "-id"]

    def __str__(self) -> str:
        return f"抽取 #{self.pk}（{self.round}）"

    @property
    def audit_region_code(self) -> str:
        return self.round.region_id

    @property
    def is_current(self) -> bool:
        return not hasattr(self, "replaced_by") or self.replaced_by is None

    @property
    def committed_source(self) -> str:
        """The committed source in words: 中国福利彩票3D第2026158期（2026年6月15日开奖）."""
        if not self.source:
            return ""
        return f"{self.get_source_display()}第{self.source_issue}期（{chinese_date(self.source_date)}开奖）"

    def link(self, kind: str):
        return next((link for link in self.links.all() if link.kind == kind), None)

    @property
    def commitment_sha256(self) -> str:
        found = self.link("commitment")
        return found.sha256 if found else ""

    @property
    def record_sha256(self) -> str:
        found = self.link("result")
        return found.sha256 if found else ""


class DrawLink(models.Model):
    """One public record of the draw chain: a commitment (list, digest, named source) or a seed and result.

    `payload` is the record's canonical JSON, holding the previous link's SHA-256; `sha256` is its own.
    One chain across the platform, so rewriting any draw breaks every later link. Written only by actions.
    """

    seq = models.PositiveIntegerField("序号", unique=True)
    draw = models.ForeignKey(Draw, verbose_name="抽取", on_delete=models.PROTECT, related_name="links")
    kind = models.CharField("类型", max_length=10, choices=[("commitment", "承诺"), ("result", "种子和结果")])
    payload = models.TextField("记录内容（规范 JSON）")
    previous_sha256 = models.CharField("上一条记录 SHA-256", max_length=64, unique=True)
    sha256 = models.CharField("SHA-256", max_length=64)
    recorded_at = models.DateTimeField("记录时间", default=timezone.now)

    class Meta:
        verbose_name = "抽取公示记录"
        verbose_name_plural = "抽取公示记录"
        ordering = ["seq"]
        constraints = [models.UniqueConstraint(fields=["draw", "kind"], name="draw_link_once_per_kind")]


class RecordQuerySet(ScopedQuerySet):
    pass


class InspectionRecord(models.Model):
    """One village inspected in one round: a verdict per indicator, the inspector, time and place."""

    scope_field = "enrollment__village__code"

    round = models.ForeignKey(InspectionRound, verbose_name="检查轮次", on_delete=models.PROTECT, related_name="records")
    enrollment = models.ForeignKey("campaigns.Enrollment", verbose_name="村", on_delete=models.PROTECT, related_name="inspections")
    inspector = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="检查人", null=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("状态", max_length=10, choices=RecordStatus.choices, default=RecordStatus.DRAFT)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    submitted_at = models.DateTimeField("提交时间", null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    passed = models.BooleanField("通过", null=True)
    score = models.PositiveSmallIntegerField("得分", null=True, blank=True)
    summary = models.CharField("结论说明", max_length=500, blank=True)
    major_problem = models.BooleanField("发现重大问题或明显反弹", default=False)
    notes = models.TextField("备注", blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        verbose_name = "检查记录"
        verbose_name_plural = "检查记录"
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["round", "enrollment"], name="record_once_per_round")]

    def __str__(self) -> str:
        return f"{self.enrollment.village.name} · {self.round.get_kind_display()}"

    @property
    def audit_region_code(self) -> str:
        return self.enrollment.village_id


class IndicatorVerdict(models.Model):
    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="verdicts")
    indicator = models.ForeignKey("standards.Indicator", verbose_name="指标", on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField("判定", max_length=16, choices=[("met", "达到"), ("not_met", "未达到"), ("not_applicable", "不适用")])
    note = models.CharField("说明", max_length=300, blank=True)
    computed = models.BooleanField("平台计算", default=False)

    class Meta:
        verbose_name = "指标判定"
        verbose_name_plural = "指标判定"
        constraints = [models.UniqueConstraint(fields=["record", "indicator"], name="verdict_once_per_indicator")]


def photo_path(instance, filename: str) -> str:
    return f"inspections/{instance.record.round_id}/{instance.record_id}/{filename}"


class EvidencePhoto(models.Model):
    """A photo evidencing one or more indicators (one view of a street can show 无乱堆乱放 and 无垃圾乱倒).
    Checked as a real JPEG/PNG/HEIC image; HEIC is converted to JPEG."""

    record = models.ForeignKey(InspectionRecord, on_delete=models.CASCADE, related_name="photos")
    indicators = models.ManyToManyField("standards.Indicator", verbose_name="指标", blank=True, related_name="+")
    image = models.ImageField("照片", upload_to=photo_path)
    thumbnail = models.ImageField("缩略图", upload_to=photo_path)
    original_name = models.CharField("原文件名", max_length=200)
    sha256 = models.CharField(max_length=64)
    taken_at = models.DateTimeField("拍摄时间", null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=8, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "取证照片"
        verbose_name_plural = "取证照片"
        ordering = ["uploaded_at"]


class RevocationQuerySet(ScopedQuerySet):
    pass


class Revocation(models.Model):
    """摘牌: proposed after a visit found major problems or clear rebound; decided by the province."""

    scope_field = "enrollment__village__code"

    enrollment = models.ForeignKey("campaigns.Enrollment", verbose_name="示范村", on_delete=models.PROTECT, related_name="revocations")
    record = models.ForeignKey(InspectionRecord, verbose_name="依据的检查", on_delete=models.PROTECT, related_name="+")
    reason = models.CharField("理由", max_length=500)
    status = models.CharField("状态", max_length=10, choices=RevocationStatus.choices, default=RevocationStatus.PROPOSED)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    proposed_at = models.DateTimeField("提议时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("决定时间", null=True, blank=True)
    decision_note = models.CharField("决定说明", max_length=300, blank=True)

    objects = RevocationQuerySet.as_manager()

    class Meta:
        verbose_name = "摘牌"
        verbose_name_plural = "摘牌"
        ordering = ["-proposed_at"]

    def __str__(self) -> str:
        return f"{self.enrollment} 摘牌"

    @property
    def audit_region_code(self) -> str:
        return self.enrollment.village_id
