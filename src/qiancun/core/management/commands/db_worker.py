"""`manage.py db_worker`: django-tasks' database worker, which first closes the imports that a dead
worker on this machine left "running" (`fail_stale_jobs`), so a worker restarted by systemd or by hand
cleans up after the one that died. (qiancun.core precedes django_tasks_db in INSTALLED_APPS so this
command is the one `manage.py` runs.)"""

import logging

from django_tasks_db.management.commands.db_worker import Command as DatabaseWorkerCommand

from qiancun.core.jobs import sweep

logger = logging.getLogger("qiancun.jobs")


class Command(DatabaseWorkerCommand):
    help = "运行后台任务（django-tasks 数据库队列）；启动时先把本机已终止进程遗留的导入任务标记为失败"

    def handle(self, *args, **options):
        try:
            for line in sweep():
                if line.state == "failed":
                    logger.warning("%s", line)
        except Exception:  # a busy or unreachable database must not keep the worker from starting
            logger.exception("启动时检查中断的任务失败；可稍后运行 manage.py fail_stale_jobs")
        super().handle(*args, **options)
