"""The village map: GeoJSON of the located villages in the user's scope, coloured by the campaign status;
the map page counts and lists the villages that have no position yet (未标注位置)."""

import gzip
import json
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qiancun.campaigns import actions as campaign_actions
from qiancun.campaigns.tests.factories import campaign_2022, with_quotas
from qiancun.core.testing import HUNCHUN_VILLAGE, YANJI, client_for, make_user
from qiancun.regions import actions, queries
from qiancun.regions.models import Region

pytestmark = pytest.mark.django_db

YANJI_VILLAGES = 148  # village-level units of 延吉市 in data/regions/jilin.csv
GEOJSON = "/api/v1/regions/villages.geojson"


def locate(code: str, longitude: str, latitude: str) -> Region:
    village = Region.objects.get(code=code)
    return actions.do_update_village(village, acting_user=make_user("admin", "22"), longitude=longitude, latitude=latitude)


def yanji_rural(n: int) -> list[Region]:
    return list(Region.objects.filter(code__startswith=YANJI, level="village", village_type="rural").order_by("code")[:n])


def enrolled_and_located():
    """Two located 延吉 villages (one nominated in 2022), one located 珲春 village."""
    first, second = yanji_rural(2)
    locate(first.code, "129.508123", "42.891234")
    locate(second.code, "129.412", "42.95")
    locate(HUNCHUN_VILLAGE, "130.366", "42.862")
    campaign = with_quotas(campaign_2022())
    campaign_actions.do_nominate(campaign, first, acting_user=make_user("staff", YANJI))
    return campaign, first, second


def test_county_staff_get_their_located_villages_with_the_campaign_status_and_nothing_outside():
    _campaign, first, second = enrolled_and_located()
    response = client_for(make_user("staff", YANJI)).get(GEOJSON, {"campaign": 2022})
    assert response.status_code == 200 and response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection" and body["campaign"] == 2022
    by_code = {f["properties"]["code"]: f for f in body["features"]}
    assert set(by_code) == {first.code, second.code}  # 珲春's village is outside 延吉
    assert by_code[first.code] == {
        "type": "Feature", "geometry": {"type": "Point", "coordinates": [129.508123, 42.891234]},
        "properties": {"code": first.code, "name": first.name, "type": "rural", "key_border": False, "poverty": False,
                       "status": "nominated"},
    }
    assert by_code[second.code]["properties"]["status"] is None
    assert body["unlocated"] == YANJI_VILLAGES - 2


def test_without_a_campaign_every_status_is_null_and_the_province_sees_every_located_village():
    enrolled_and_located()
    body = client_for(make_user("leader", "22")).get(GEOJSON).json()
    assert len(body["features"]) == 3 and body["campaign"] is None
    assert {f["properties"]["status"] for f in body["features"]} == {None}
    assert body["unlocated"] == 11860 - 3


def test_an_unknown_campaign_is_a_404_in_the_api_shape():
    response = client_for(make_user("leader", "22")).get(GEOJSON, {"campaign": 1999})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_geojson_is_compressed_for_clients_that_accept_gzip():
    enrolled_and_located()
    client = client_for(make_user("leader", "22"))
    plain = client.get(GEOJSON, {"campaign": 2022})
    packed = client.get(GEOJSON, {"campaign": 2022}, headers={"Accept-Encoding": "gzip, deflate"})
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    assert gzip.decompress(packed.content) == plain.content


def test_the_geojson_takes_the_same_few_queries_for_three_villages_or_the_whole_province():
    campaign, _first, _second = enrolled_and_located()
    user = make_user("leader", "22")
    with CaptureQueriesContext(connection) as few:
        small = json.loads(queries.village_geojson(user, campaign))
    # Every village of the province gets a position (one UPDATE, as the benchmark data has them).
    Region.objects.filter(level="village").update(longitude="126.5", latitude="43.8")
    with CaptureQueriesContext(connection) as all_of_them:
        started = time.perf_counter()
        everything = json.loads(queries.village_geojson(user, campaign))
        elapsed = time.perf_counter() - started
    assert len(small["features"]) == 3 and len(everything["features"]) == 11860 and everything["unlocated"] == 0
    assert len(few.captured_queries) == len(all_of_them.captured_queries) == 3
    assert elapsed < 2.0, f"{elapsed:.2f} s for the province's villages"  # about 0.1 s on the reference machine


def test_the_map_page_counts_and_lists_the_villages_without_a_position():
    _campaign, first, second = enrolled_and_located()
    unlocated_enrolled = yanji_rural(3)[2]
    campaign_actions.do_nominate(campaign_2022(), unlocated_enrolled, acting_user=make_user("staff", YANJI))
    client = client_for(make_user("staff", YANJI))
    page = client.get(reverse("regions:map"), {"campaign": 2022})
    html = page.content.decode()
    assert page.status_code == 200 and "创建村地图" in html
    assert page.context["located_count"] == 2 and page.context["page_obj"].paginator.count == YANJI_VILLAGES - 2
    assert 'data-villages="/api/v1/regions/villages.geojson?campaign=2022"' in html
    assert "/static/geo/jilin_counties.geojson" in html and 'data-scope="222401"' in html
    listed = {v.code for v in page.context["page_obj"]}
    assert first.code not in listed and second.code not in listed and all(code.startswith(YANJI) for code in listed)
    only_enrolled = client.get(reverse("regions:map"), {"campaign": 2022, "enrolled": "1"})
    assert [v.code for v in only_enrolled.context["page_obj"]] == [unlocated_enrolled.code]
    assert "县级已提名" in only_enrolled.content.decode()
    assert client.get(reverse("regions:map"), {"campaign": 1999}).status_code == 404


def test_the_county_boundaries_are_served_locally_as_a_static_file():
    from django.contrib.staticfiles import finders

    path = finders.find("geo/jilin_counties.geojson")
    boundaries = json.loads(open(path, encoding="utf-8").read())
    assert len(boundaries["features"]) == 60 and any(f["properties"]["code"] == YANJI for f in boundaries["features"])
