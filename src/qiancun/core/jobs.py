"""Background jobs and the worker processes that run them.

When the worker (`manage.py db_worker`) starts an import it writes on the job which process runs it:
host name, boot id, PID namespace, process id and the process's start time. If that process dies
(kill -9, out of memory, power loss) nothing else would ever end the job, and it would say "running"
for ever. `manage.py fail_stale_jobs` (and every worker as it starts) asks `why_gone` about each
running job and closes those whose process is gone, through each domain's audited action.

`why_gone` never calls a live process dead: on the machine that ran the job, the job's process is
gone only when its process id no longer exists, is a zombie, or now belongs to a process started at
another time, or when the machine has rebooted since. A job of another machine (or of another
container's PID namespace) cannot be judged here and is left alone, unless the operator declares that
machine lost. There is no time limit: the national division file or a 20,000-row household workbook
may run as long as it runs.
"""

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.utils import timezone
from django.utils.module_loading import import_string

PROC = Path("/proc")

# Every kind of job the worker runs for a user: its model and the action that closes it when its
# process died. Each model has `status` (queued/running/succeeded/failed), `worker` and `task_id`.
JOB_KINDS = [
    ("qiancun.regions.models.RegionImport", "qiancun.regions.actions.do_fail_interrupted_region_import"),
    ("qiancun.participation.models.HouseholdImport", "qiancun.participation.actions.do_fail_interrupted_household_import"),
]


logger = logging.getLogger("qiancun.jobs")

# Waits between attempts when the database is locked: doubling, then every 30 s for as long as it lasts.
LOCKED_BACKOFF = (0.5, 1, 2, 4, 8, 15, 30)


def is_database_locked(exc: BaseException) -> bool:
    """SQLite's "database is locked" / "database table is locked": another connection holds the write
    lock longer than busy_timeout (a long import, a restore). It passes; nothing is wrong with the data."""
    from django.db import OperationalError

    return isinstance(exc, OperationalError) and "is locked" in str(exc).lower()


def retry_while_locked(work: Callable[[], object], *, what: str, backoff=LOCKED_BACKOFF, sleep=time.sleep,
                       fresh_after: float = 300.0):
    """Call `work` until it returns, waiting with back-off while the database is locked; any other error
    is raised. After `fresh_after` seconds without a lock the back-off starts again from its shortest
    wait (a worker that ran for hours and meets a lock waits half a second, not 30)."""
    from django.db import close_old_connections, connection

    attempt = 0
    while True:
        began = time.monotonic()
        try:
            return work()
        except Exception as exc:
            if not is_database_locked(exc) or connection.in_atomic_block:
                raise  # inside a transaction, only the caller can start again
            if time.monotonic() - began > fresh_after:
                attempt = 0
            wait = backoff[min(attempt, len(backoff) - 1)]
            attempt += 1
            logger.warning("%s：数据库被占用（%s），%s 秒后重试（第 %d 次）", what, exc, wait, attempt)
            close_old_connections()
            sleep(wait)


class WorkerDied(Exception):
    """Recorded on a django-tasks result whose worker process died while running it."""


@dataclass(frozen=True)
class WorkerProcess:
    host: str
    boot_id: str
    pid_namespace: str
    pid: int
    started: str  # start time in clock ticks after boot (/proc/<pid>/stat); "" where there is no /proc

    def __str__(self) -> str:
        return "|".join([self.host, self.boot_id, self.pid_namespace, str(self.pid), self.started])

    @classmethod
    def parse(cls, text: str) -> "WorkerProcess | None":
        parts = (text or "").split("|")
        if len(parts) != 5 or not parts[3].isdigit():
            return None
        return cls(parts[0], parts[1], parts[2], int(parts[3]), parts[4])

    @property
    def label(self) -> str:
        return f"主机 {self.host}，进程号 {self.pid}"


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def _boot_id() -> str:
    return _read(PROC / "sys/kernel/random/boot_id")


def _pid_namespace() -> str:
    try:
        return os.readlink(PROC / "self/ns/pid")
    except OSError:
        return ""


def _stat(pid: int) -> tuple[str, str] | None:
    """(state, start time) of a process from /proc/<pid>/stat, None when there is no such process."""
    text = _read(PROC / str(pid) / "stat")
    if not text:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: count fields after the last ')'.
    fields = text.rsplit(")", 1)[-1].split()
    return fields[0], fields[19]


def this_process() -> WorkerProcess:
    """The process running this code, as a job records it."""
    stat = _stat(os.getpid())
    return WorkerProcess(socket.gethostname(), _boot_id(), _pid_namespace(), os.getpid(), stat[1] if stat else "")


def why_gone(worker: WorkerProcess, *, lost_hosts: frozenset[str] = frozenset()) -> str | None:
    """Why the job's process is certainly gone (Chinese, for the report), or None when it may be alive
    or cannot be judged from here (see `can_judge`)."""
    if worker.host in lost_hosts:
        return f"主机 {worker.host} 已由运维人员确认失联"
    if not can_judge(worker):
        return None
    boot = _boot_id()
    if worker.boot_id and boot and worker.boot_id != boot:
        return "服务器已重启"
    if PROC.is_dir():
        stat = _stat(worker.pid)
        if stat is None:
            return "进程已不存在"
        state, started = stat
        if state in ("Z", "X"):
            return "进程已终止"
        if worker.started and started != worker.started:
            return "进程已不存在（进程号已被其他进程使用）"
        return None
    try:  # no /proc (not Linux): the process id alone
        os.kill(worker.pid, 0)
    except ProcessLookupError:
        return "进程已不存在"
    except PermissionError:
        return None
    return None


def can_judge(worker: WorkerProcess) -> bool:
    """Only the machine (and PID namespace) that ran a process can tell whether it is still there."""
    return worker.host == socket.gethostname() and worker.pid_namespace == _pid_namespace()


def fail_task_result(task_id: str, reason: str) -> int:
    """End the django-tasks row of a job whose worker died, so the queue does not show it running."""
    if not task_id:
        return 0
    from django_tasks_db.compat import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(pk=task_id, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED,
        finished_at=timezone.now(),
        exception_class_path=f"{WorkerDied.__module__}.{WorkerDied.__qualname__}",
        traceback=reason,
        return_value=None,
    )


@dataclass
class SweepLine:
    """One running job the sweep looked at, and what it did."""

    job: object
    state: str  # failed | would_fail | alive | elsewhere | unrecorded
    why: str = ""

    def __str__(self) -> str:
        worker = WorkerProcess.parse(self.job.worker)
        if self.state == "unrecorded":
            return f"{self.job}：没有记录执行进程（升级前启动的任务），无法判断，未处理"
        if self.state == "elsewhere":
            return (f"{self.job}：在{worker.label}上运行，本机无法判断；请在该主机上运行本命令，"
                    f"或在确认该主机失联后使用 --lost-host {worker.host}")
        if self.state == "alive":
            return f"{self.job}：仍在运行（{worker.label}）"
        verb = "已标记为失败" if self.state == "failed" else "将标记为失败"
        return f"{self.job}：{verb}（{worker.label}，{self.why}）"


def interrupted_reason(worker: WorkerProcess, why: str) -> str:
    return f"导入中断：执行导入的后台进程（{worker.label}）{why}，本次导入没有写入任何数据，可重新运行。"


def sweep(*, lost_hosts: frozenset[str] = frozenset(), dry_run: bool = False) -> list[SweepLine]:
    """Close every running job whose worker process is gone; one line for each running job found."""
    lines = []
    for model_path, action_path in JOB_KINDS:
        model, fail = import_string(model_path), import_string(action_path)
        for job in model.objects.filter(status="running").order_by("pk"):
            worker = WorkerProcess.parse(job.worker)
            if worker is None:
                lines.append(SweepLine(job, "unrecorded"))
                continue
            why = why_gone(worker, lost_hosts=lost_hosts)
            if why is None:
                lines.append(SweepLine(job, "alive" if can_judge(worker) else "elsewhere"))
            elif dry_run:
                lines.append(SweepLine(job, "would_fail", why))
            elif fail(job, reason=interrupted_reason(worker, why)) is not None:
                lines.append(SweepLine(job, "failed", why))
            # else: it finished or was closed between the query and the action
    return lines


def close_interrupted(job, *, reason: str, report: dict, running: str, failed: str, acting_user=None):
    """The shared end of the domains' `do_fail_interrupted_*` actions (called inside their transaction,
    after their own permission and scope checks): lock the job if it is still running on the same
    worker, mark it failed with `reason` and `report`, fail its queue row, audit, drop its progress.
    Returns the job, or None when it is no longer running there."""
    from django.core.cache import cache

    from qiancun.core.audit import record_audit
    from qiancun.core.models import AuditAction

    locked = type(job).objects.select_for_update().filter(pk=job.pk, status=running, worker=job.worker).first()
    if locked is None:
        return None
    locked.status, locked.finished_at, locked.report = failed, timezone.now(), {"summary": reason, **report, "interrupted": True}
    locked.save(update_fields=["status", "finished_at", "report"])
    fail_task_result(locked.task_id, reason)
    record_audit(AuditAction.UPDATE, acting_user=acting_user, username="" if acting_user else "system", obj=locked,
                 changes={"status": [running, failed], "reason": [None, reason]})
    cache.delete(locked.progress_key)
    return locked


def run_import(job, work, *, statuses, worker, task_id: str = "", file_error: type[Exception], as_dict=dict,
               crash_report: dict):
    """The worker side shared by the imports: mark `job` running on `worker`, call
    `work(handle, progress, on_written)` on its file, record the outcome. `on_written(report)` runs
    inside the import's write transaction, so the rows and the job's success commit together; a
    `file_error` (the file's own faults, carrying `.report`) fails the job; anything else fails it with
    its message and is raised again for the task queue."""
    from django.core.cache import cache

    jobs = type(job).objects.filter(pk=job.pk)
    jobs.update(status=statuses.RUNNING, started_at=timezone.now(), worker=str(worker), task_id=str(task_id or ""))

    def progress(phase: str, done: int, total: int) -> None:
        cache.set(job.progress_key, {"phase": phase, "done": done, "total": total}, 3600)

    def succeeded(report) -> None:
        jobs.update(status=statuses.SUCCEEDED, report=as_dict(report), finished_at=timezone.now())

    try:
        with job.file.open("rb") as handle:
            work(handle, progress, succeeded)
    except file_error as exc:
        jobs.update(status=statuses.FAILED, report=as_dict(exc.report), finished_at=timezone.now())
    except Exception as exc:  # the job must end in a state the user can read, whatever happened
        jobs.update(status=statuses.FAILED, finished_at=timezone.now(), report={"summary": f"导入失败：{exc}", **crash_report})
        raise
    cache.delete(job.progress_key)
    job.refresh_from_db()
    return job

