"""Demo accounts, one per role, on the real Jilin tree. For `make demo` only: known passwords."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from qiancun.accounts.actions import do_bootstrap_admin, do_create_user
from qiancun.accounts.models import User
from qiancun.regions.models import Region

DEMO_PASSWORD = "Demo@2022qc"

# username, name, role, scope code (or a lookup), department, what to say in the login table
DEMO_USERS = [
    ("changchun_admin", "长春市管理员", "admin", "2201", None),
    ("yanji_admin", "延吉市管理员", "admin", "222401", None),
    ("yanji_staff", "延吉市工作人员", "staff", "222401", None),
    ("yanji_township", "乡镇工作人员", "staff", "township:222401", None),
    ("yanji_village", "村级工作人员", "staff", "village:222401", None),
    ("inspector", "省级检查员", "inspector", "22", None),
    ("justice_dept", "省司法厅联络员", "department", "22", "justice"),
    ("leader", "省领导（只读）", "leader", "22", None),
]


def _scope(spec: str) -> str:
    if ":" not in spec:
        return spec
    level, under = spec.split(":")
    # A town (镇) and a rural village (村), so the demo shows the countryside rather than a street office.
    candidates = Region.objects.filter(level=level, code__startswith=under).order_by("code")
    preferred = candidates.filter(name__endswith="镇") if level == "township" else candidates.filter(village_type="rural")
    code = (preferred.first() or candidates.first() or Region(code=None)).code
    if code is None:
        raise CommandError(f"找不到 {under} 下的{level}，请先导入行政区划")
    return code


class Command(BaseCommand):
    help = "创建演示账号（每个角色一个），可重复执行。仅用于演示环境。"

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.QIANCUN_DEMO_DATA_ALLOWED:
            raise CommandError(
                f"当前设置（{settings.SETTINGS_MODULE}）不允许载入演示数据：演示账号的密码是公开的。"
                "仅在演示环境运行（DJANGO_SETTINGS_MODULE=qiancun.settings.demo）。"
            )
        if not Region.objects.filter(code="22").exists():
            raise CommandError("请先导入吉林省行政区划：manage.py import_regions data/regions/jilin.csv")
        admin = User.objects.filter(username="province_admin").first()
        if admin is None:
            admin = do_bootstrap_admin(username="province_admin", password=DEMO_PASSWORD, scope_code="22", display_name="省级管理员")
        rows = [admin]
        # 三员分立: the province's security and audit administrators, created like the province
        # administrator (no level stands above the province to appoint them).
        for username, name, role in (("security_admin", "省级安全管理员", "security_admin"), ("auditor", "省级审计管理员", "auditor")):
            user = User.objects.filter(username=username).first() or do_bootstrap_admin(
                username=username, password=DEMO_PASSWORD, scope_code="22", display_name=name, role=role,
            )
            rows.append(user)
        for username, name, role, scope, department in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user, _ = do_create_user(
                    acting_user=admin, username=username, display_name=name, role=role,
                    scope_code=_scope(scope), department_code=department,
                )
                # Demo only: a known password and no forced change, so the logins below just work.
                user.set_password(DEMO_PASSWORD)
                user.must_change_password = False
                user.save(update_fields=["password", "must_change_password"])
            rows.append(user)
        from qiancun.regions.demo import seed_positions

        # The sources carry no village positions: the demo's map gets synthetic ones inside each county.
        self.stdout.write(f"生成演示数据：村庄位置（县域内示意位置）{seed_positions()} 个……")
        from qiancun.campaigns.demo import seed_campaigns
        from qiancun.inspections.demo import seed_inspections
        from qiancun.participation.demo import seed_participation
        from qiancun.rectification.demo import seed_rectification

        # Everything below goes through the actions, as users would: about two minutes on SQLite.
        for label, seed in (
            ("2021、2022 年度创建（名额、提名、审核、确认）", seed_campaigns),
            ("农民参与（24 个村的农户、十户一组、评选、积分、爱心超市）", seed_participation),
            ("2022 年度验收（县级自查、市级复验、省级抽查）与暗访摘牌", seed_inspections),
            ("问题整改", seed_rectification),
        ):
            self.stdout.write(f"生成演示数据：{label}……")
            self.stdout.flush()
            seed(admin, DEMO_PASSWORD)
        self.stdout.write(f"\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for user in rows:
            scope = f"{user.scope.name} {user.scope_id}" if user.scope_id else ""
            self.stdout.write(f"  {user.username:<16} {user.role_label:<8} {scope}")
        self.stdout.write("  另有各市管理员 admin_<市代码>（如 admin_2224）、各县工作人员 staff_<县代码>（如 staff_222404），密码相同")
