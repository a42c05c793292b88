"""Platform-wide models: the audit log."""

from django.conf import settings
from django.db import models

from .choices import ImportStatus
from .scoping import ScopedQuerySet


class AuditAction(models.TextChoices):
    LOGIN = "login", "登录"
    LOGOUT = "logout", "退出"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOCKED_OUT = "locked_out", "账号锁定"
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    DELETE = "delete", "删除"
    PASSWORD_CHANGE = "password_change", "修改密码"
    PASSWORD_RESET = "password_reset", "重置密码"
    IMPORT = "import", "导入"
    UNMASK = "unmask", "查看明文"
    OTP_ENABLE = "otp_enable", "启用双因素认证"
    OTP_VERIFY = "otp_verify", "双因素认证通过"
    OTP_FAILED = "otp_failed", "双因素认证失败"
    OTP_RECOVERY_USED = "otp_recovery_used", "使用恢复码"
    OTP_RECOVERY_RESET = "otp_recovery_reset", "重新生成恢复码"
    OTP_DISABLE = "otp_disable", "停用双因素认证"
    AUDIT_PURGE = "audit_purge", "清理审计日志"
    EXPORT = "export", "导出个人信息"


# Names of changes that are not model fields (import summaries, token revocation).
CHANGE_LABELS = {
    "added": "新增", "updated": "更新", "unchanged": "未变", "revoked": "已吊销", "removed": "删除", "file": "文件",
    "copied_from": "复制自", "indicators": "指标数", "indicator_order": "指标顺序", "reason": "理由", "tags": "标签",
    "campaign": "年度", "fields": "字段", "members": "成员数", "members_added": "新增成员", "skipped": "跳过",
    "status": "状态", "passed": "通过", "photo": "照片", "seed": "随机种子", "result": "抽取结果", "cross": "互检分工",
    "eligible_sha256": "候选名单摘要",
    "device": "认证设备", "recovery_codes": "恢复码数", "before": "早于", "deleted": "删除条数",
    "retention_days": "保留天数", "households": "农户数", "rows": "行数",
    "locked": "登录锁定", "tokens_revoked": "吊销令牌数",
}


class AuditEntryQuerySet(ScopedQuerySet):
    pass


class AuditEntry(models.Model):
    """One thing that happened: who, when, what, before → after. Append-only.

    `region_code` is the region the object belongs to, so city and county administrators
    read the entries of their own scope through the same prefix match as everything else.
    """

    scope_field = "region_code"

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    actor_username = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=64, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    region_code = models.CharField("所属区划", max_length=12, blank=True, db_index=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IP 地址", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=300, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "审计日志"
        verbose_name_plural = "审计日志"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_username} {self.get_action_display()} {self.object_repr}"

    def labelled_changes(self) -> list[tuple[str, object]]:
        """The changes with each field's Chinese name (`scope_id` → 管辖区划) for people to read."""
        from django.apps import apps

        try:
            model = apps.get_model(self.object_type) if self.object_type else None
        except (LookupError, ValueError):
            model = None
        labels, choices = {}, {}
        if model is not None:
            for field in model._meta.get_fields():
                if hasattr(field, "verbose_name"):
                    for key in {field.name, getattr(field, "attname", field.name)}:
                        labels[key] = str(field.verbose_name)
                        if getattr(field, "choices", None):
                            choices[key] = {k: str(v) for k, v in field.flatchoices}
        shown = []
        for name, change in self.changes.items():
            if name in choices and isinstance(change, list):
                change = [choices[name].get(value, value) for value in change]
            shown.append((labels.get(name, CHANGE_LABELS.get(name, name)), change))
        return shown

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("审计日志不能删除")


# ------------------------------------------------------------------ background import jobs


class ImportJob(models.Model):
    """What every uploaded file loaded by a background job records (region and household imports):
    who sent it, its state and report, the worker process running it (core.jobs, so a job whose
    process died is closed by `manage.py fail_stale_jobs`) and the job it reruns. Each import adds its
    file field (its own folder) and what it needs."""

    original_name = models.CharField("文件名", max_length=200)
    status = models.CharField("状态", max_length=10, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="发起人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    report = models.JSONField("结果", default=dict, blank=True)
    worker = models.CharField("执行进程", max_length=300, blank=True, default="")
    task_id = models.CharField("任务编号", max_length=64, blank=True, default="")
    rerun_of = models.ForeignKey(
        "self", verbose_name="重新运行自", null=True, blank=True, on_delete=models.SET_NULL, related_name="reruns"
    )

    class Meta:
        abstract = True

