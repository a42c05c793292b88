"""Users, their role (what they may do) and scope region (where), departments and API tokens."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone

from qiancun.core.scoping import ScopedQuerySet
from qiancun.regions.choices import RegionLevel

from .choices import ADMINISTRATOR_ROLES, Role


class Department(models.Model):
    """A provincial department or people's organisation (司法厅, 卫生健康委, 妇联 …)."""

    code = models.SlugField("代码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=100, unique=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = "部门"
        verbose_name_plural = "部门"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    scope_field = "scope__code"  # the join to the primary key is trimmed: a prefix match on scope_id

    display_name = models.CharField("姓名", max_length=50, blank=True)
    role = models.CharField("角色", max_length=20, choices=Role.choices, default=Role.STAFF)
    scope = models.ForeignKey(
        "regions.Region", verbose_name="管辖区划", null=True, blank=True,
        on_delete=models.PROTECT, related_name="users",
    )
    department = models.ForeignKey(
        Department, verbose_name="所属部门", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    must_change_password = models.BooleanField("首次登录须改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    objects = ScopedUserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["scope_id", "username"]

    def __str__(self) -> str:
        return f"{self.display_name or self.username}（{self.username}）"

    @property
    def scope_code(self) -> str | None:
        """Prefix of every region code this user may read; '' means everything, None nothing."""
        if self.is_superuser:
            return ""
        return self.scope_id or None

    @property
    def scope_level(self) -> str | None:
        return self.scope.level if self.scope_id else None

    @property
    def audit_region_code(self) -> str:
        return self.scope_id or ""

    @property
    def role_label(self) -> str:
        """`县级管理员`, `村级工作人员`, `检查员`…: the role as users say it."""
        if (self.role in ADMINISTRATOR_ROLES or self.role == Role.STAFF) and self.scope_id:
            level = {
                RegionLevel.PROVINCE: "省级",
                RegionLevel.CITY: "市级",
                RegionLevel.COUNTY: "县级",
                RegionLevel.TOWNSHIP: "乡镇级",
                RegionLevel.VILLAGE: "村级",
            }[self.scope.level]
            return level + self.get_role_display()
        return self.get_role_display()


TOKEN_PREFIX = "qc_"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        """Not revoked, not expired, and — for whoever must use the second factor — while it is set up
        (core.api_base._token_sql is the same condition as one plain statement)."""
        from django.conf import settings
        from django_otp.plugins.otp_totp.models import TOTPDevice

        now = timezone.now()
        second_factor = TOTPDevice.objects.filter(user=models.OuterRef("user_id"), confirmed=True)
        return (
            self.filter(revoked_at__isnull=True)
            .filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))
            .filter(
                models.Q(user__is_superuser=False) & ~models.Q(user__role__in=settings.QIANCUN_OTP_REQUIRED_ROLES)
                | models.Exists(second_factor)
            )
        )


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the secret is shown once at creation."""

    user = models.ForeignKey(User, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=100)
    key_prefix = models.CharField("前缀", max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name}（{self.key_prefix}…）"

    @property
    def audit_region_code(self) -> str:
        return self.user.scope_id or ""

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > timezone.now())

    @staticmethod
    def new_secret() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)
