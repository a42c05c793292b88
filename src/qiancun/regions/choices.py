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
