"""Every change to the division tree and village records."""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from qiancun.accounts.permissions import Perm, ensure_can
from qiancun.core.audit import diff, record_audit, snapshot
from qiancun.core.errors import DomainError, ErrorCode, ValidationFailed
from qiancun.core.jobs import close_interrupted, run_import, this_process
from qiancun.core.models import AuditAction

from .cache import tree_changed
from .choices import BORDER_COUNTIES, RegionLevel, VillageType
from .importer import ImportReport, RegionFileError, import_file
from .models import ImportStatus, Region, RegionImport

VILLAGE_FIELDS = ["village_type", "is_key_border", "is_poverty_alleviated", "longitude", "latitude"]
# Jilin and its neighbours, generously: a point outside is a typo (swapped or missing digits).
LONGITUDE_RANGE = (Decimal("73"), Decimal("136"))
LATITUDE_RANGE = (Decimal("3"), Decimal("54"))


def _coordinate(value, name: str, field: str, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(f"{name}“{value}”不是有效数字", field=field) from None
    if not bounds[0] <= number <= bounds[1]:
        raise ValidationFailed(f"{name} {value} 超出范围（{bounds[0]}–{bounds[1]}，WGS84/CGCS2000 度）", field=field)
    return number


@transaction.atomic
def do_update_village(village: Region, *, acting_user, **changes) -> Region:
    """Village staff or above correct a village record: type, border/poverty flags, location."""
    ensure_can(acting_user, Perm.VILLAGE_EDIT)
    if not Region.objects.for_user(acting_user).filter(pk=village.pk).exists():
        raise DomainError(ErrorCode.NOT_FOUND, "村不存在或不在您的管辖范围内")
    if village.level != RegionLevel.VILLAGE:
        raise ValidationFailed("只有村级区划有村庄信息", field="code")
    unknown = set(changes) - set(VILLAGE_FIELDS)
    if unknown:
        raise ValidationFailed(f"不能修改字段：{'、'.join(sorted(unknown))}", field=sorted(unknown)[0])
    before = snapshot(village, VILLAGE_FIELDS)
    if "village_type" in changes:
        if changes["village_type"] not in VillageType.values:
            raise ValidationFailed("村庄类型须为“村”或“社区”", field="village_type")
        village.village_type = changes["village_type"]
    for flag in ("is_key_border", "is_poverty_alleviated"):
        if flag in changes:
            if not isinstance(changes[flag], bool):
                raise ValidationFailed("须为是或否", field=flag)
            setattr(village, flag, changes[flag])
    if village.is_key_border and not before["is_key_border"] and village.code[:6] not in BORDER_COUNTIES:
        raise ValidationFailed(
            f"重点边境村只能位于边境县（市）：{'、'.join(BORDER_COUNTIES.values())}", field="is_key_border"
        )
    if "longitude" in changes:
        village.longitude = _coordinate(changes["longitude"], "经度", "longitude", LONGITUDE_RANGE)
    if "latitude" in changes:
        village.latitude = _coordinate(changes["latitude"], "纬度", "latitude", LATITUDE_RANGE)
    if (village.longitude is None) != (village.latitude is None):
        raise ValidationFailed("经度和纬度须同时填写或同时留空", field="latitude" if village.latitude is None else "longitude")
    village.save()
    tree_changed()
    changed = diff(before, snapshot(village, VILLAGE_FIELDS))
    if changed:
        record_audit(AuditAction.UPDATE, acting_user=acting_user, obj=village, changes=changed)
    return village


def do_import_regions(path, *, acting_user=None, progress=None, on_written=None) -> ImportReport:
    """Load a division file (all or nothing) and audit what it added and updated.

    Raises RegionFileError, naming every bad line, when anything in the file is wrong. The audit entry
    and `on_written(report)` commit in the same transaction as the rows.
    """
    if acting_user is not None:
        ensure_can(acting_user, Perm.REGION_IMPORT)

    def written(report: ImportReport) -> None:
        record_audit(
            AuditAction.IMPORT,
            acting_user=acting_user,
            username="" if acting_user else "system",
            object_type="regions.region",
            object_repr=f"区划文件 {Path(str(getattr(path, 'name', path))).name}"[:200],
            changes={"added": report.added, "updated": report.updated, "unchanged": report.unchanged},
        )
        if on_written:
            on_written(report)

    return import_file(path, progress, on_written=written)


def _enqueue(job: RegionImport) -> None:
    from .tasks import run_region_import

    transaction.on_commit(lambda: run_region_import.enqueue(job.pk))


@transaction.atomic
def do_start_region_import(uploaded_file, *, acting_user) -> RegionImport:
    """The province administrator uploads a division file; a background job loads it. An empty file
    is refused here, before a job is queued."""
    ensure_can(acting_user, Perm.REGION_IMPORT)
    name = getattr(uploaded_file, "name", "") or "regions.csv"
    if not name.lower().endswith((".csv", ".csv.gz", ".gz")):
        raise DomainError(ErrorCode.INVALID_FILE, "请上传 CSV 文件（.csv 或 .csv.gz）", field="file")
    if not getattr(uploaded_file, "size", None):
        raise DomainError(ErrorCode.INVALID_FILE, f"上传的文件“{name}”是空文件（0 字节），请检查后重新上传", field="file")
    job = RegionImport(original_name=name[:200], created_by=acting_user)
    job.file.save(name, uploaded_file, save=False)
    job.save()
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=job)
    _enqueue(job)
    return job


@transaction.atomic
def do_rerun_region_import(job: RegionImport, *, acting_user) -> RegionImport:
    """The province administrator runs a failed import again on the file already uploaded (after the
    worker died, say); the new job loads it from the start, all or nothing as always."""
    ensure_can(acting_user, Perm.REGION_IMPORT)
    job = RegionImport.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.FAILED:
        raise DomainError(ErrorCode.CONFLICT, f"只有失败的导入可以重新运行（本次导入{job.get_status_display()}）")
    rerun = job.reruns.exclude(status=ImportStatus.FAILED).order_by("-pk").first()
    if rerun is not None and rerun.status == ImportStatus.SUCCEEDED:
        raise DomainError(ErrorCode.CONFLICT, f"该导入已重新运行成功（区划导入 #{rerun.pk}），无需再次运行")
    if rerun is not None:
        raise DomainError(ErrorCode.CONFLICT, f"该导入已在重新运行（区划导入 #{rerun.pk}）")
    if not job.file or not job.file.storage.exists(job.file.name):
        raise DomainError(ErrorCode.INVALID_FILE, "原上传文件已不存在，请重新上传", field="file")
    rerun = RegionImport.objects.create(
        file=job.file.name, original_name=job.original_name, created_by=acting_user, rerun_of=job
    )
    record_audit(AuditAction.CREATE, acting_user=acting_user, obj=rerun, changes={"rerun_of": [None, job.pk]})
    _enqueue(rerun)
    return rerun


@transaction.atomic
def do_fail_interrupted_region_import(job: RegionImport, *, reason: str, acting_user=None) -> RegionImport | None:
    """Close an import whose worker process died (`manage.py fail_stale_jobs`, or a worker as it starts):
    it shows failed with `reason` and can be rerun. Nothing of its file is in the tree, because the rows
    commit together with the job's success. Returns None when the job is no longer running."""
    if acting_user is not None:
        ensure_can(acting_user, Perm.REGION_IMPORT)
    return close_interrupted(job, reason=reason, report={"errors": [], "error_count": 0},
                             running=ImportStatus.RUNNING, failed=ImportStatus.FAILED, acting_user=acting_user)


def run_region_import_job(job: RegionImport, *, task_id: str = "") -> RegionImport:
    """Worker side of `do_start_region_import`: load the file, keep progress, record the outcome.

    The job notes which process runs it, so `fail_stale_jobs` can close it if that process dies; its
    success commits in the same transaction as the rows.
    """
    def work(handle, progress, on_written):
        do_import_regions(handle, acting_user=job.created_by, progress=progress, on_written=on_written)

    return run_import(job, work, statuses=ImportStatus, worker=this_process(), task_id=task_id, file_error=RegionFileError,
                      as_dict=lambda report: report.as_dict(), crash_report={"errors": [], "error_count": 1})
