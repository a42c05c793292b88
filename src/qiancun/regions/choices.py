from django.db import models


class RegionLevel(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市（州）"
    COUNTY = "county", "县（市、区）"
    TOWNSHIP = "township", "乡镇（街道）"
    VILLAGE = "village", "村（社区）"


# Length of the statistical division code at each level; each code starts with its parent's.
CODE_LENGTH = {
    RegionLevel.PROVINCE: 2,
    RegionLevel.CITY: 4,
    RegionLevel.COUNTY: 6,
    RegionLevel.TOWNSHIP: 9,
    RegionLevel.VILLAGE: 12,
}
LEVEL_ORDER = list(CODE_LENGTH)
PARENT_LEVEL = {child: parent for parent, child in zip(LEVEL_ORDER, LEVEL_ORDER[1:])}
CHILD_LEVEL = {parent: child for child, parent in PARENT_LEVEL.items()}
LEVEL_OF_LENGTH = {length: level for level, length in CODE_LENGTH.items()}


class VillageType(models.TextChoices):
    RURAL = "rural", "村"
    URBAN = "urban", "社区"


# Counties on the border with the DPRK and Russia where the plan's 119 key border villages lie
# (珲春, 图们, 龙井, 和龙, 安图, 长白, 临江, 集安). Only their villages may carry the key-border flag.
BORDER_COUNTIES = {
    "222404": "珲春市",
    "222402": "图们市",
    "222405": "龙井市",
    "222406": "和龙市",
    "222426": "安图县",
    "220623": "长白朝鲜族自治县",
    "220681": "临江市",
    "220582": "集安市",
}
