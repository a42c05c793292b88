import getpass

from django.core.management.base import BaseCommand, CommandError

from qiancun.accounts.actions import do_bootstrap_admin
from qiancun.core.errors import DomainError


class Command(BaseCommand):
    help = "创建省级管理员（安装后第一个账号）。密码从终端输入或 QIANCUN_ADMIN_PASSWORD 环境变量读取。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--province", default="22", help="省级区划代码，默认 22（吉林省）")
        parser.add_argument("--name", default="省级管理员", help="姓名")

    def handle(self, *args, username, province, name, **options):
        import os

        password = os.environ.get("QIANCUN_ADMIN_PASSWORD") or getpass.getpass("密码：")
        try:
            user = do_bootstrap_admin(username=username, password=password, scope_code=province, display_name=name)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"已创建省级管理员 {user.username}")
