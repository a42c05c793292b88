"""The default 2022 standard (九有六无), drafted from the work plan's own terms.

The work plan (吉政办函〔2022〕52号) says "2022年继续坚持‘九有六无’创建标准" but our sources do not hold
the standard's official wording. This draft is worded strictly from the plan's requirements and is
marked provisional (is_provisional=True): the UI says so, and province administrators replace it by
Excel import once the official text is at hand. The text lives here, not in a data file, so that this
migration gives the same result forever.

For "无" (must-not) indicators the verdict "met" means the village meets the requirement — the problem
was not found; "not_met" means it was found.
"""

from django.db import migrations, models

NAME = "2022年“千村示范”创建标准（九有六无）"
DESCRIPTION = (
    "依据《2022年全省乡村建设行动“千村示范”创建工作方案》（吉政办函〔2022〕52号）：“2022年继续坚持‘九有六无’创建标准”。"
    "工作方案未列出各项标准的正式条文，本草案由平台按方案中的工作要求整理，措辞待替换为正式印发的标准文本"
    "（可导出 Excel、修改后再导入）。"
)

# code, kind, category, title, description, evidence_required, is_veto
INDICATORS = [
    (
        "有1", "have", "planning", "有“多规合一”实用性村庄规划",
        "查阅规划文本和批复文件：以村庄分类布局成果为基础，因地制宜编制“多规合一”实用性村庄规划（可以乡镇或重要片区为单元编制），"
        "编制中征求了村民意见，已按程序报批，报批后的规划数据成果已纳入国土空间规划“一张图”；村内建设与规划相符。",
        True, True,
    ),
    (
        "有2", "have", "industry", "有带动就业的融合产业",
        "查看主导产业和带动就业情况：有明确的主导产业，通过农产品加工、现代农业服务业或乡村旅游等推进一二三产融合，"
        "带动农民就地就近就业；与村党支部领办合作社、“十大产业集群”、“秸秆变肉”暨千万头肉牛建设工程等结合的，查看项目和收益台账。",
        True, False,
    ),
    (
        "有3", "have", "environment", "有日常保洁和垃圾清运机制",
        "现场查看街路、公共场所和房前屋后，查阅制度和记录：卫生日常保洁、垃圾清运、检查评比等制度健全并实际执行，"
        "有保洁和清运记录；落实专职保洁队伍和专项经费；垃圾收集设施布设合理、清运及时。",
        True, False,
    ),
    (
        "有4", "have", "infrastructure", "有配套完善的基础设施",
        "现场查看：村内道路、供水、供电等基础设施配套完善、运行正常，无损毁未修、建成闲置的情况；公共场所设施完好可用。",
        True, False,
    ),
    (
        "有5", "have", "upkeep", "有长效管护机制（“四有”）",
        "查阅资料并走访：有制度——基础设施、公共环境等管护制度健全；有队伍——有相对固定且与工作量相匹配的管护人员；"
        "有投入——县级建有常态化投入保障机制，经费到位；有监督——老党员、老干部、老教师等群体及社会志愿力量参与监督。四项均具备方为达到。",
        True, False,
    ),
    (
        "有6", "have", "participation", "有“十户一组”网格化管理",
        "查阅网格划分和名册，抽查农户：按照“合理区划、网格管理、定人定责、层层督导”原则，全覆盖建立“十户一组”网格化管理机制，"
        "每组有组长、责任到人，农户知道自己所在的小组和组长。",
        False, False,
    ),
    (
        "有7", "have", "governance", "有村规民约和群众监督",
        "查阅资料并走访：党组织领导的自治、法治、德治相结合的乡村治理体系健全；村规民约经村民会议或村民代表会议讨论通过并公开张贴；"
        "开展群众评议，发挥老党员、老干部监督作用，有活动记录。",
        False, False,
    ),
    (
        "有8", "have", "participation", "有“干净人家”评选和“道德银行”“爱心超市”",
        "查阅评选和积分台账，现场查看：全覆盖开展“干净人家”评选活动，评选结果公示；建立“道德银行”，按户记录积分；"
        "“爱心超市”正常开放，积分可兑换物品，有兑换记录。",
        True, False,
    ),
    (
        "有9", "have", "culture", "有文化和科技服务阵地",
        "现场查看并查阅活动记录：农村文化大院、农家书屋、科技小院等载体有场所、有人管理、有活动，能够正常开放使用，"
        "发挥宣传教育和技术服务作用。",
        True, False,
    ),
    (
        "无1", "must_not", "environment", "无乱堆乱放",
        "现场查看街路两侧、房前屋后和公共场所：柴草、粪土、杂物、建筑材料等堆放整齐有序，不占道。发现乱堆乱放即为“未达到”。",
        True, False,
    ),
    (
        "无2", "must_not", "environment", "无垃圾乱倒",
        "现场查看村内、村周边和河沟渠塘：无随意倾倒的垃圾，无积存垃圾和卫生死角，垃圾收集设施无满溢。发现即为“未达到”。",
        True, False,
    ),
    (
        "无3", "must_not", "environment", "无污水乱排",
        "现场查看：生活污水不随意泼洒、乱排乱放，村内无污水横流和黑臭水体。发现即为“未达到”。",
        True, False,
    ),
    (
        "无4", "must_not", "planning", "无违章建筑",
        "对照村庄规划现场查看：无违反规划的私搭乱建、违章建筑，新建房屋和设施符合规划要求。发现即为“未达到”。",
        True, False,
    ),
    (
        "无5", "must_not", "environment", "无残垣断壁",
        "现场查看：无废弃房屋、残垣断壁、破旧圈舍和废弃设施未清理的情况，拆除后的场地已清运整治。发现即为“未达到”。",
        True, False,
    ),
    (
        "无6", "must_not", "safety", "无重大安全隐患",
        "现场查看并查阅排查记录：无住人危房，道路、桥梁、供水、用电、消防等设施无重大安全隐患。发现重大安全隐患即为“未达到”，一票否决。",
        True, True,
    ),
]


def create_default_standard(apps, schema_editor):
    Standard = apps.get_model("standards", "Standard")
    Indicator = apps.get_model("standards", "Indicator")
    if Standard.objects.filter(year=2022, version=1).exists():
        return
    standard = Standard.objects.create(
        year=2022, version=1, name=NAME, description=DESCRIPTION, is_provisional=True, pass_rule="all"
    )
    Indicator.objects.bulk_create(
        Indicator(
            standard=standard, code=code, kind=kind, category=category, title=title, description=description,
            evidence_required=evidence, is_veto=veto, judged_by="inspector", computation="", weight=0, order=order,
        )
        for order, (code, kind, category, title, description, evidence, veto) in enumerate(INDICATORS, start=1)
    )


def remove_default_standard(apps, schema_editor):
    Standard = apps.get_model("standards", "Standard")
    Standard.objects.filter(year=2022, version=1, name=NAME, frozen_at__isnull=True).delete()


class Migration(migrations.Migration):

    dependencies = [
        ("standards", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="standard",
            name="description",
            field=models.TextField(
                blank=True, help_text="依据文件、适用范围等，印在创建标准手册的开头", verbose_name="说明"
            ),
        ),
        migrations.RunPython(create_default_standard, remove_default_standard),
    ]
