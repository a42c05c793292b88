"""The tag lists the work plan names (seed §一(二), §二 7–8); province administrators maintain them."""

from django.db import migrations

VILLAGE_CLASSES = ["集聚提升类", "城郊融合类", "特色保护类", "搬迁撤并类"]
THEMES = [  # “示范创建+”: (theme, lead department code)
    ("示范创建+发展改革", "development-reform"),
    ("示范创建+民主法治", "justice"),
    ("示范创建+健康村", "health"),
    ("示范创建+宜居农房", "housing"),
    ("示范创建+科技", "science"),
    ("示范创建+水美乡村", "water"),
    ("示范创建+生态环保", "ecology"),
    ("示范创建+森林乡村", "forestry"),
    ("示范创建+畜牧", "animal-husbandry"),
    ("示范创建+农科院", "agri-academy"),
]
PILOTS = ["村党支部领办合作社", "乡村旅游重点村", "红色美丽村庄试点村", "宜居农房改造试点村"]
INDUSTRIES = ["十大产业集群", "“秸秆变肉”暨千万头肉牛建设工程"]


def add(apps, schema_editor):
    Tag = apps.get_model("campaigns", "Tag")
    Department = apps.get_model("accounts", "Department")
    for order, name in enumerate(VILLAGE_CLASSES):
        Tag.objects.get_or_create(kind="village_class", name=name, defaults={"order": order})
    for order, (name, department) in enumerate(THEMES):
        Tag.objects.get_or_create(
            kind="theme", name=name, defaults={"order": order, "department": Department.objects.get(code=department)}
        )
    for order, name in enumerate(PILOTS):
        Tag.objects.get_or_create(kind="pilot", name=name, defaults={"order": order})
    for order, name in enumerate(INDUSTRIES):
        Tag.objects.get_or_create(kind="industry", name=name, defaults={"order": order})


def remove(apps, schema_editor):
    apps.get_model("campaigns", "Tag").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial"), ("accounts", "0003_departments")]
    operations = [migrations.RunPython(add, remove)]
