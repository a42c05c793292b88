"""`manage.py fail_stale_jobs`: close the imports whose worker process died (kill -9, out of memory,
a crash or a reboot), so they show failed with the reason and can be rerun. See core/jobs.py."""

from django.core.management.base import BaseCommand

from qiancun.core.jobs import sweep


class Command(BaseCommand):
    help = "把执行进程已终止（被强行结束、内存不足、服务器重启）却仍显示“进行中”的导入任务标记为失败，以便重新运行"

    def add_arguments(self, parser):
        parser.add_argument(
            "--lost-host", action="append", default=[], metavar="HOST",
            help="确认已失联、不会再恢复的主机名：其上的任务一并标记为失败（可多次指定）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只列出，不修改")

    def handle(self, *args, lost_host: list[str], dry_run: bool, **options):
        lines = sweep(lost_hosts=frozenset(lost_host), dry_run=dry_run)
        for line in lines:
            self.stdout.write(str(line))
        failed = sum(line.state in ("failed", "would_fail") for line in lines)
        verb = "将标记" if dry_run else "已标记"
        self.stdout.write(f"{verb} {failed} 个中断的任务为失败；共检查 {len(lines)} 个进行中的任务")
