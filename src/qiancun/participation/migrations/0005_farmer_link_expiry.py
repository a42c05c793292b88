"""Farmers' links expire (issue #11): `expires_at`, set on issue and renewal. Links issued before get
the default lifetime from their issue date (365 days unless QIANCUN_FARMER_LINK_DAYS says otherwise)."""

from datetime import timedelta

from django.conf import settings
from django.db import migrations, models


def set_expiry(apps, schema_editor):
    FarmerLink = apps.get_model("participation", "FarmerLink")
    days = timedelta(days=getattr(settings, "QIANCUN_FARMER_LINK_DAYS", 365))
    for link in FarmerLink.objects.filter(expires_at__isnull=True).only("pk", "created_at").iterator():
        FarmerLink.objects.filter(pk=link.pk).update(expires_at=link.created_at + days)


class Migration(migrations.Migration):
    dependencies = [("participation", "0004_ledger_no_delete")]

    operations = [
        migrations.AddField(model_name="farmerlink", name="expires_at", field=models.DateTimeField(null=True, verbose_name="有效期至")),
        migrations.RunPython(set_expiry, migrations.RunPython.noop),
        migrations.AlterField(model_name="farmerlink", name="expires_at", field=models.DateTimeField(verbose_name="有效期至")),
    ]
