"""Campaign set-up for tests, through the actions (province → city → county quotas)."""

from qiancun.campaigns import actions
from qiancun.campaigns.models import Campaign
from qiancun.core.testing import make_user
from qiancun.regions.models import Region
from qiancun.standards.models import Standard

YANBIAN = "2224"
YANJI = "222401"
HUNCHUN = "222404"


def campaign_2022(**overrides) -> Campaign:
    campaign = Campaign.objects.filter(year=overrides.get("year", 2022)).first()
    if campaign:
        return campaign
    data = dict(
        year=2022, name="2022年“千村示范”创建", standard_id=Standard.objects.filter(year=2022).first().pk,
        target_total=1000, target_key_border=119, target_poverty=295,
    )
    data.update(overrides)
    return actions.do_create_campaign(acting_user=make_user("admin", "22"), **data)


def with_quotas(campaign: Campaign, city: str = YANBIAN, county: str = YANJI, city_total: int = 100, county_total: int = 10) -> Campaign:
    actions.do_set_quota(campaign, Region.objects.get(code=city), acting_user=make_user("admin", "22"), total=city_total)
    actions.do_set_quota(campaign, Region.objects.get(code=county), acting_user=make_user("admin", city), total=county_total)
    return campaign


def yanji_villages(n: int) -> list[Region]:
    return list(Region.objects.filter(code__startswith=YANJI, level="village", village_type="rural").order_by("code")[:n])
