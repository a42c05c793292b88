"""`manage.py purge_audit --before 2024-01-01 --operator auditor`: delete audit entries older than the
retention (≥180 days), in the name of the province's audit administrator (三员分立)."""

from datetime import date

from django.core.management.base import BaseCommand, CommandError

from qiancun.core.actions import do_purge_audit, earliest_allowed_purge_date
from qiancun.core.errors import DomainError


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"日期格式须为 YYYY-MM-DD，收到“{value}”") from None


class Command(BaseCommand):
    help = "删除某日期之前的审计日志（不得晚于保留期限，至少 180 天），并记录本次清理"

    def add_arguments(self, parser):
        parser.add_argument("--before", required=True, help="删除此日期（本地 0 点）之前的审计日志，格式 YYYY-MM-DD")
        parser.add_argument("--batch-size", type=int, default=5000, help="每个事务删除的条数（默认 5000）")
        parser.add_argument("--operator", required=True, help="执行清理的省级审计管理员账号（记入审计日志）")

    def handle(self, *args, before: str, batch_size: int, operator: str, **options):
        from qiancun.accounts.models import User

        acting_user = User.objects.filter(username=operator, is_active=True).first()
        if acting_user is None:
            raise CommandError(f"账号 {operator} 不存在或已停用：--operator 须为省级审计管理员")
        try:
            deleted = do_purge_audit(before=_date(before), batch_size=batch_size, acting_user=acting_user)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(
            f"已删除 {before} 之前的审计日志 {deleted} 条（可清理的最晚日期：{earliest_allowed_purge_date():%Y-%m-%d}）"
        )
