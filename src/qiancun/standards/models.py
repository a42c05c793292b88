"""The standard (九有六无): versioned per year, nine must-haves and six must-nots, and its pass rule."""

from django.db import models

from .choices import IndicatorCategory, IndicatorKind, JudgedBy, PassRule


class Standard(models.Model):
    """One version of the creation standard. Frozen once an inspection has used it; edits then make a new version."""

    year = models.PositiveSmallIntegerField("年度")
    version = models.PositiveSmallIntegerField("版本", default=1)
    name = models.CharField("名称", max_length=100)
    description = models.TextField("说明", blank=True, help_text="依据文件、适用范围等，印在创建标准手册的开头")
    is_provisional = models.BooleanField(
        "草案", default=True, help_text="内容为平台起草的草案，待替换为正式印发的标准文本"
    )
    pass_rule = models.CharField("通过规则", max_length=10, choices=PassRule.choices, default=PassRule.ALL)
    pass_score = models.PositiveSmallIntegerField("分数线", null=True, blank=True)
    previous = models.ForeignKey(
        "self", verbose_name="上一版本", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    frozen_at = models.DateTimeField("冻结时间", null=True, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "创建标准"
        verbose_name_plural = "创建标准"
        ordering = ["-year", "-version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="standard_year_version_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.year} 第 {self.version} 版）"

    @property
    def audit_region_code(self) -> str:
        return ""

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Indicator(models.Model):
    """One line of the standard: what the inspector checks, with what evidence, judged how."""

    standard = models.ForeignKey(Standard, verbose_name="标准", on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField("编号", max_length=10, help_text="如 有1、无3")
    kind = models.CharField("类型", max_length=10, choices=IndicatorKind.choices)
    category = models.CharField("类别", max_length=20, choices=IndicatorCategory.choices)
    title = models.CharField("指标", max_length=100)
    description = models.TextField("检查内容", help_text="检查员核查什么、怎样算达到")
    evidence_required = models.BooleanField("须拍照取证", default=False)
    is_veto = models.BooleanField("一票否决", default=False)
    judged_by = models.CharField("判定方式", max_length=10, choices=JudgedBy.choices, default=JudgedBy.INSPECTOR)
    computation = models.CharField("计算规则", max_length=60, blank=True)
    weight = models.PositiveSmallIntegerField("分值", default=0)
    order = models.PositiveSmallIntegerField("顺序", default=0)

    class Meta:
        verbose_name = "指标"
        verbose_name_plural = "指标"
        ordering = ["standard", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["standard", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def audit_region_code(self) -> str:
        return ""
