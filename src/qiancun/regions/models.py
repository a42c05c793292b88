"""The division tree: province > city > county > township > village (statistical division codes)."""

from django.db import models

from qiancun.core.choices import ImportStatus  # noqa: F401  (shared by every import job)
from qiancun.core.models import ImportJob
from qiancun.core.scoping import ScopedQuerySet

from .choices import RegionLevel, VillageType


class RegionQuerySet(ScopedQuerySet):
    def villages(self):
        return self.filter(level=RegionLevel.VILLAGE)


class Region(models.Model):
    """One division unit. The 2/4/6/9/12-digit code is the key and encodes the whole path."""

    scope_field = "code"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=100)
    level = models.CharField("层级", max_length=10, choices=RegionLevel.choices)
    # Indexed by (parent, code) below; a separate FK index would only slow the national load.
    parent = models.ForeignKey(
        "self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
        db_index=False,
    )
    name_pinyin = models.CharField("拼音", max_length=400, blank=True)
    name_initials = models.CharField("拼音首字母", max_length=100, blank=True)

    # Village records (level == village) only.
    village_type = models.CharField("村庄类型", max_length=10, choices=VillageType.choices, blank=True)
    is_key_border = models.BooleanField("重点边境村", default=False)
    is_poverty_alleviated = models.BooleanField("脱贫村", default=False)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    latitude = models.DecimalField("纬度", max_digits=8, decimal_places=6, null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["code"]
        # Search is by prefix (`jyx%`): pattern_ops on PostgreSQL; other databases ignore opclasses.
        indexes = [
            models.Index(fields=["parent", "code"], name="region_parent_code"),
            # Lists and counts by level within a scope (the village list page of the API) read only this index.
            models.Index(fields=["level", "code"], name="region_level_code"),
            models.Index(fields=["name_initials"], name="region_initials_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name_pinyin"], name="region_pinyin_prefix", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def audit_region_code(self) -> str:
        return self.code

    @property
    def is_village(self) -> bool:
        return self.level == RegionLevel.VILLAGE

    @property
    def ancestor_codes(self) -> list[str]:
        """Codes of the ancestors, province first (derived from the code itself, no queries)."""
        from .choices import CODE_LENGTH

        return [self.code[:n] for n in CODE_LENGTH.values() if n < len(self.code)]


class RegionImport(ImportJob):
    """A division file uploaded in the browser or API, loaded by a background job."""

    file = models.FileField("文件", upload_to="imports/regions/%Y/%m/")

    class Meta:
        verbose_name = "区划导入"
        verbose_name_plural = "区划导入"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"区划导入 #{self.pk} {self.original_name}"

    @property
    def audit_region_code(self) -> str:
        return ""

    @property
    def progress_key(self) -> str:
        return f"region-import:{self.pk}:progress"
