"""Problems found by inspections and their fix-on-find loop (即查即改): timeline and after-photos."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from qiancun.core.scoping import ScopedQuerySet

from .choices import ProblemStatus

# After-photos a fix may carry (the form and the action both hold to it).
MAX_PHOTOS = 9


class ProblemQuerySet(ScopedQuerySet):
    def overdue(self, today=None):
        """Past the deadline and not closed (a submitted fix still waits for its check)."""
        today = today or timezone.localdate()
        return self.exclude(status=ProblemStatus.CLOSED).filter(deadline__lt=today)


class Problem(models.Model):
    """One problem in one village: what is wrong, who fixes it by when, and where the fix stands."""

    scope_field = "enrollment__village__code"

    enrollment = models.ForeignKey("campaigns.Enrollment", verbose_name="村", on_delete=models.PROTECT, related_name="problems")
    indicator = models.ForeignKey(
        "standards.Indicator", verbose_name="对应指标", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    record = models.ForeignKey(
        "inspections.InspectionRecord", verbose_name="发现问题的检查", null=True, blank=True,
        on_delete=models.PROTECT, related_name="problems",
    )
    description = models.CharField("问题描述", max_length=500)
    responsible_unit = models.CharField("责任单位", max_length=100, blank=True)
    responsible_person = models.CharField("责任人", max_length=50, blank=True)
    deadline = models.DateField("整改时限", db_index=True)
    status = models.CharField("状态", max_length=14, choices=ProblemStatus.choices, default=ProblemStatus.OPEN, db_index=True)
    fix_note = models.TextField("整改说明", blank=True)
    reopen_count = models.PositiveSmallIntegerField("退回次数", default=0)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发现人", null=True, on_delete=models.SET_NULL, related_name="+")
    opened_at = models.DateTimeField("发现时间")
    fix_submitted_at = models.DateTimeField("提交整改时间", null=True, blank=True)
    fix_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="提交人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        verbose_name = "整改问题"
        verbose_name_plural = "整改问题"
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="problem_status_deadline")]

    def __str__(self) -> str:
        return f"{self.enrollment.village.name}：{self.description[:40]}"

    @property
    def audit_region_code(self) -> str:
        return self.enrollment.village_id

    @property
    def is_overdue(self) -> bool:
        return self.status != ProblemStatus.CLOSED and self.deadline < timezone.localdate()

    @property
    def days_overdue(self) -> int:
        return (timezone.localdate() - self.deadline).days if self.is_overdue else 0

    @property
    def days_to_close(self) -> float | None:
        if self.closed_at is None:
            return None
        return round((self.closed_at - self.opened_at).total_seconds() / 86400, 1)


class ProblemEvent(models.Model):
    """The problem's timeline: who took which step, when, from what to what, and why."""

    problem = models.ForeignKey(Problem, verbose_name="问题", on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, on_delete=models.SET_NULL, related_name="+")
    step = models.CharField("操作", max_length=10)
    from_status = models.CharField("原状态", max_length=14, choices=ProblemStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=14, choices=ProblemStatus.choices)
    reason = models.TextField("说明或理由", blank=True)

    class Meta:
        verbose_name = "整改记录"
        verbose_name_plural = "整改记录"
        ordering = ["problem", "at", "id"]

    def __str__(self) -> str:
        return f"{self.problem_id} {self.step}"

    @property
    def step_label(self) -> str:
        from .lifecycle import STEP_LABELS

        return STEP_LABELS.get(self.step, self.step)


def fix_photo_path(instance, filename: str) -> str:
    return f"rectification/{instance.problem_id}/{filename}"


class FixPhoto(models.Model):
    """A photo of the fixed site, handed in with a fix (checked as a real JPEG or PNG, at most 10 MB)."""

    problem = models.ForeignKey(Problem, verbose_name="问题", on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(ProblemEvent, verbose_name="提交记录", null=True, on_delete=models.SET_NULL, related_name="photos")
    image = models.FileField("照片", upload_to=fix_photo_path, max_length=200)
    content_type = models.CharField("类型", max_length=20)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    width = models.PositiveIntegerField("宽")
    height = models.PositiveIntegerField("高")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField("上传时间")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "整改照片"
        verbose_name_plural = "整改照片"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
