"""三员分立 (security and audit administrators) and API tokens that always expire."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def tokens_expire(apps, schema_editor):
    """Tokens created without an expiry now end at the maximum lifetime counted from their creation."""
    ApiToken = apps.get_model("accounts", "ApiToken")
    longest = timedelta(days=getattr(settings, "QIANCUN_API_TOKEN_MAX_DAYS", 365))
    for token in ApiToken.objects.filter(expires_at__isnull=True).only("id", "created_at"):
        ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at + longest)


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_departments'),
    ]

    operations = [
        migrations.AlterField(
            model_name='user',
            name='role',
            field=models.CharField(choices=[('admin', '管理员'), ('security_admin', '安全管理员'), ('auditor', '审计管理员'), ('staff', '工作人员'), ('inspector', '检查员'), ('department', '部门用户'), ('leader', '领导（只读）')], default='staff', max_length=20, verbose_name='角色'),
        ),
        migrations.RunPython(tokens_expire, migrations.RunPython.noop),
    ]
