"""`manage.py db_worker`: django-tasks' database worker, made to outlast what kills it in production.

- As it starts it closes the imports that a dead worker on this machine left "running"
  (`fail_stale_jobs`), and puts back in the queue the tasks a dead worker had taken but not yet
  started (its import still says 排队中): nothing waits for ever on a worker that is gone.
- It does not die of a locked database. On SQLite a writer that holds the lock longer than
  busy_timeout (a long import, a restore) made the library's loop raise "database is locked" and the
  worker exit; now it waits with back-off (`core.jobs.retry_while_locked`) and goes on, and a finished
  task's result is saved the same way.
- Its worker id names its process (pid, start time, boot, PID namespace, host), so a successor can
  tell whether the worker that took a task is still alive.

(qiancun.core precedes django_tasks_db in INSTALLED_APPS so this command is the one `manage.py` runs.)
"""

import logging
import os

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django.utils.module_loading import import_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand
from django_tasks_db.management.commands.db_worker import Worker as DatabaseWorker
from django_tasks_db.management.commands.db_worker import logger as tasks_logger
from django_tasks_db.models import DBTaskResult

from qiancun.core.jobs import JOB_KINDS, WorkerProcess, retry_while_locked, sweep, this_process, why_gone

logger = logging.getLogger("qiancun.jobs")


def worker_id_for(process: WorkerProcess) -> str:
    """The process as a django-tasks worker id (at most 64 characters): pid.start.boot.namespace@host."""
    namespace = "".join(ch for ch in process.pid_namespace if ch.isdigit())
    return f"{process.pid}.{process.started}.{process.boot_id[:8]}.{namespace}@{process.host}"[:64]


def process_of(text: str) -> WorkerProcess | None:
    """The process a `worker_id_for` names, completed from this machine's identity where they agree
    (the id holds only a prefix of the boot id and host name); None for another worker's id."""
    head, at, host = (text or "").partition("@")
    parts = head.split(".")
    if not at or len(parts) != 4 or not parts[0].isdigit():
        return None
    pid, started, boot, namespace = parts
    here = this_process()
    return WorkerProcess(
        host=here.host if here.host.startswith(host) and host else host,
        boot_id=here.boot_id if boot and here.boot_id.startswith(boot) else boot,
        pid_namespace=here.pid_namespace if namespace == "".join(ch for ch in here.pid_namespace if ch.isdigit()) else namespace,
        pid=int(pid),
        started=started,
    )


def requeue_orphaned_tasks() -> list[str]:
    """Put back in the queue each task that a worker on this machine took and died before starting:
    its process is gone and no job has recorded the task (an import records it as its first step; a
    started import is closed by `sweep` instead). Returns one line per task put back."""
    started_jobs = [import_string(model_path) for model_path, _ in JOB_KINDS]
    lines = []
    for result in DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).order_by("started_at"):
        process = process_of(result.worker_ids[-1] if result.worker_ids else "")
        why = why_gone(process) if process else None
        if why is None or any(model.objects.filter(task_id=str(result.id)).exists() for model in started_jobs):
            continue
        if DBTaskResult.objects.filter(pk=result.pk, status=TaskResultStatus.RUNNING).update(
                status=TaskResultStatus.READY, started_at=None):
            lines.append(f"任务 {result.id}（{result.task_path}）：领取它的后台进程（{process.label}）{why}，已放回队列")
    return lines


class Worker(DatabaseWorker):
    def run(self) -> None:
        retry_while_locked(lambda: DatabaseWorker.run(self), what=f"后台任务进程 {self.worker_id}")

    def run_task(self, db_task_result: DBTaskResult) -> None:
        # The task has run: its result must be saved, however long the database stays locked.
        set_successful, set_failed = db_task_result.set_successful, db_task_result.set_failed
        what = f"保存任务 {db_task_result.id} 的结果"
        db_task_result.set_successful = lambda value: retry_while_locked(lambda: set_successful(value), what=what)
        db_task_result.set_failed = lambda exc: retry_while_locked(lambda: set_failed(exc), what=what)
        super().run_task(db_task_result)


class Command(DatabaseWorkerCommand):
    help = ("运行后台任务（django-tasks 数据库队列）；启动时先把本机已终止进程遗留的导入任务标记为失败、"
            "把已终止进程领取但未开始的任务放回队列；数据库被占用时等待重试，不退出")

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(worker_id=None)

    def handle(self, *, verbosity, queue_name, interval, batch, backend_name, startup_delay, reload, max_tasks,
               worker_id: str | None, exclude_queues, **options):
        self.configure_logging(verbosity)
        try:
            retry_while_locked(self.clean_up, what="启动时检查中断的任务")
        except Exception:  # an unreachable database must not keep the worker from starting
            logger.exception("启动时检查中断的任务失败；可稍后运行 manage.py fail_stale_jobs")
        if reload and batch:
            tasks_logger.warning("Warning: --reload and --batch cannot be specified together. Disabling autoreload.")
            reload = False
        queue_names = queue_name.split(",")
        excluded = exclude_queues.split(",") if exclude_queues else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = Worker(queue_names=queue_names, interval=interval, batch=batch, backend_name=backend_name,
                        startup_delay=startup_delay, max_tasks=max_tasks,
                        worker_id=worker_id or worker_id_for(this_process()), excluded_queue_names=excluded)
        if reload:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()

    def clean_up(self) -> None:
        for line in sweep():
            if line.state == "failed":
                logger.warning("%s", line)
        for line in requeue_orphaned_tasks():
            logger.warning("%s", line)
