from django.db import models


class ImportStatus(models.TextChoices):
    """The state of a background import job (core.models.ImportJob)."""

    QUEUED = "queued", "排队中"
    RUNNING = "running", "进行中"
    SUCCEEDED = "succeeded", "已完成"
    FAILED = "failed", "失败"
