"""The provincial departments and people's organisations the work plan names (seed §二 7)."""

from django.db import migrations

DEPARTMENTS = [
    ("rural-revitalization", "省乡村振兴局"),
    ("development-reform", "省发展改革委"),
    ("justice", "省司法厅"),
    ("health", "省卫生健康委"),
    ("housing", "省住房城乡建设厅"),
    ("science", "省科技厅"),
    ("water", "省水利厅"),
    ("ecology", "省生态环境厅"),
    ("forestry", "省林业和草原局"),
    ("animal-husbandry", "省畜牧业管理局"),
    ("agri-academy", "省农业科学院"),
    ("agriculture", "省农业农村厅"),
    ("transport", "省交通运输厅"),
    ("women-federation", "省妇联"),
    ("youth-league", "团省委"),
    ("trade-union", "省总工会"),
    ("science-association", "省科协"),
]


def add(apps, schema_editor):
    Department = apps.get_model("accounts", "Department")
    for code, name in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})


def remove(apps, schema_editor):
    apps.get_model("accounts", "Department").objects.filter(code__in=[c for c, _ in DEPARTMENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_initial")]
    operations = [migrations.RunPython(add, remove)]
