import getpass

from django.core.management.base import BaseCommand, CommandError

from qiancun.accounts.actions import do_bootstrap_admin
from qiancun.core.errors import DomainError


class Command(BaseCommand):
    help = (
        "创建省级管理员（安装后的第一批账号）：系统管理员（默认）、安全管理员或审计管理员（三员分立，省级三员只能在此创建）。"
        "密码从终端输入或 QIANCUN_ADMIN_PASSWORD 环境变量读取。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--province", default="22", help="省级区划代码，默认 22（吉林省）")
        parser.add_argument("--role", default="admin", choices=["admin", "security_admin", "auditor"],
                            help="admin 系统管理员（默认）、security_admin 安全管理员、auditor 审计管理员")
        parser.add_argument("--name", default=None, help="姓名（默认按角色：省级管理员 / 省级安全管理员 / 省级审计管理员）")

    def handle(self, *args, username, province, role, name, **options):
        import os

        from qiancun.accounts.choices import Role

        name = name or f"省级{Role(role).label}"
        password = os.environ.get("QIANCUN_ADMIN_PASSWORD") or getpass.getpass("密码：")
        try:
            user = do_bootstrap_admin(username=username, password=password, scope_code=province, display_name=name, role=role)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已创建{user.role_label} {user.username}")
