"""Access table of the campaigns pages and API (see core/tests/test_access.py)."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from qiancun.campaigns import actions
from qiancun.campaigns.models import Tag
from qiancun.core.testing import EVERYONE, HUNCHUN, HUNCHUN_VILLAGE, YANJI, Route, make_user
from qiancun.regions.models import Region

from .factories import YANBIAN, campaign_2022, with_quotas, yanji_villages

PROVINCE_ADMIN = {("admin", "22")}
NOT_PROVINCE_ADMIN = {("admin", YANJI), ("staff", "22"), ("leader", "22")}
COUNTY = {("staff", YANJI), ("admin", YANJI)}
NOT_COUNTY = {("staff", "22"), ("leader", "22"), ("staff", "222401100"), ("inspector", "22")}
CITY_STAFF = {("staff", YANBIAN)}
NOT_CITY = {("staff", YANJI), ("leader", "22"), ("staff", "22")}
SHORTFALL_EDITORS = {("staff", YANJI), ("staff", "222401100")}
NOT_SHORTFALL_EDITORS = {("leader", "22"), ("staff", "22"), ("inspector", "22")}


def xlsx_upload():
    return {"file": SimpleUploadedFile("x.xlsx", b"not a workbook")}


def routes() -> dict[str, Route]:
    campaign = with_quotas(campaign_2022())
    actions.do_set_quota(campaign, Region.objects.get(code=HUNCHUN), acting_user=make_user("admin", YANBIAN), total=5)
    enrollment = actions.do_nominate(campaign, yanji_villages(1)[0], acting_user=make_user("staff", YANJI))
    elsewhere = actions.do_nominate(campaign, Region.objects.get(code=HUNCHUN_VILLAGE), acting_user=make_user("staff", HUNCHUN))
    for_api_review = actions.do_nominate(campaign, yanji_villages(3)[2], acting_user=make_user("staff", YANJI))
    indicator = campaign.standard.indicators.first()
    item = actions.do_add_shortfall(enrollment, acting_user=make_user("staff", YANJI), gap="缺", action_plan="补", responsible_person="张", due_date=date(2022, 9, 1), indicator_id=indicator.pk)
    far_item = actions.do_add_shortfall(elsewhere, acting_user=make_user("staff", HUNCHUN), gap="缺", action_plan="补", responsible_person="李", due_date=date(2022, 9, 1))
    tag = Tag.objects.first()
    e, f = enrollment.pk, elsewhere.pk
    return {
        "campaigns:list": Route("campaigns", "/campaigns/", EVERYONE),
        "campaigns:create": Route("campaign create", "/campaigns/new/", PROVINCE_ADMIN, NOT_PROVINCE_ADMIN),
        "campaigns:tags": Route("tags", "/campaigns/tags/", EVERYONE),
        "campaigns:tag_set_active": Route("tag active", f"/campaigns/tags/{tag.pk}/active/", PROVINCE_ADMIN, NOT_PROVINCE_ADMIN, method="post", data={"active": "1"}),
        "campaigns:detail": Route("overview", "/campaigns/2022/", EVERYONE, url_out_of_scope=f"/campaigns/2022/?region={HUNCHUN}", out_of_scope_role=("staff", YANJI)),
        "campaigns:edit": Route("campaign edit", "/campaigns/2022/edit/", PROVINCE_ADMIN, NOT_PROVINCE_ADMIN),
        "campaigns:quotas": Route("quotas", "/campaigns/2022/quotas/", {("admin", "22"), ("admin", YANBIAN)}, {("admin", YANJI), ("staff", YANBIAN), ("leader", "22")}),
        "campaigns:enrollments": Route("enrollments", "/campaigns/2022/enrollments/", EVERYONE),
        "campaigns:enrollments_bulk": Route("bulk", "/campaigns/2022/enrollments/bulk/", CITY_STAFF, NOT_CITY, method="post", data={"step": "review"}),
        "campaigns:enrollments_export": Route("export", "/campaigns/2022/enrollments/export/", EVERYONE),
        "campaigns:nominate": Route("nominate", "/campaigns/2022/nominate/", COUNTY, NOT_COUNTY),
        "campaigns:nominations_import": Route("nominate import", "/campaigns/2022/nominate/import/", set(), NOT_COUNTY, method="post", data=xlsx_upload, multipart=True),
        "campaigns:nomination_template": Route("template", "/campaigns/2022/nominate/template/", COUNTY, NOT_COUNTY),
        "campaigns:enrollment_detail": Route("enrollment", f"/campaigns/enrollments/{e}/", EVERYONE - {("staff", "222401001001")},
                                             url_out_of_scope=f"/campaigns/enrollments/{f}/", out_of_scope_role=("staff", YANJI)),
        "campaigns:enrollment_step": Route("step", f"/campaigns/enrollments/{e}/step/", CITY_STAFF, NOT_CITY, method="post", data={"step": "approve"},
                                           url_out_of_scope=f"/campaigns/enrollments/{f}/step/", out_of_scope_role=("staff", "2201")),
        "campaigns:enrollment_tags": Route("tags set", f"/campaigns/enrollments/{e}/tags/", COUNTY | {("department", "22")}, {("leader", "22"), ("inspector", "22")},
                                           method="post", data={"tags": []}, url_out_of_scope=f"/campaigns/enrollments/{f}/tags/", out_of_scope_role=("staff", YANJI)),
        "campaigns:shortfall_add": Route("shortfall add", f"/campaigns/enrollments/{e}/shortfalls/", SHORTFALL_EDITORS, NOT_SHORTFALL_EDITORS, method="post",
                                         data={"gap": "x", "action_plan": "y", "responsible_person": "z", "due_date": "2022-09-01"},
                                         url_out_of_scope=f"/campaigns/enrollments/{f}/shortfalls/", out_of_scope_role=("staff", YANJI)),
        "campaigns:shortfall_status": Route("shortfall status", f"/campaigns/shortfalls/{item.pk}/status/", SHORTFALL_EDITORS, NOT_SHORTFALL_EDITORS,
                                            method="post", data={"status": "in_progress"}, url_out_of_scope=f"/campaigns/shortfalls/{far_item.pk}/status/",
                                            out_of_scope_role=("staff", YANJI)),
        "GET /api/v1/campaigns": Route("campaigns api", "/api/v1/campaigns", EVERYONE, api=True),
        "POST /api/v1/campaigns": Route("campaign create api", "/api/v1/campaigns", set(), NOT_PROVINCE_ADMIN, method="post", api=True,
                                        data={"year": 2030, "name": "x", "standard_id": campaign.standard_id, "target_total": 1}),
        "GET /api/v1/campaigns/{year}": Route("campaign api", "/api/v1/campaigns/2022", EVERYONE, api=True),
        "PATCH /api/v1/campaigns/{year}": Route("campaign patch", "/api/v1/campaigns/2022", PROVINCE_ADMIN, NOT_PROVINCE_ADMIN, method="patch", data={"nomination_open": True}, api=True),
        "GET /api/v1/campaigns/{year}/overview": Route("overview api", "/api/v1/campaigns/2022/overview", EVERYONE, api=True,
                                                       url_out_of_scope=f"/api/v1/campaigns/2022/overview?region={HUNCHUN}", out_of_scope_role=("staff", YANJI)),
        "GET /api/v1/campaigns/{year}/quotas": Route("quotas api", "/api/v1/campaigns/2022/quotas", EVERYONE, api=True),
        "PUT /api/v1/campaigns/{year}/quotas/{region_code}": Route("quota put", f"/api/v1/campaigns/2022/quotas/{YANBIAN}", PROVINCE_ADMIN,
                                                                   {("admin", YANJI), ("staff", "22"), ("leader", "22")}, method="put", data={"total": 100}, api=True,
                                                                   url_out_of_scope=f"/api/v1/campaigns/2022/quotas/{HUNCHUN}", out_of_scope_role=("admin", "2201")),
        "GET /api/v1/campaigns/{year}/enrollments": Route("enrollments api", "/api/v1/campaigns/2022/enrollments", EVERYONE, api=True),
        "POST /api/v1/campaigns/{year}/enrollments": Route("nominate api", "/api/v1/campaigns/2022/enrollments", set(), NOT_COUNTY, method="post", api=True,
                                                           data={"village_code": yanji_villages(2)[1].code}),
        "POST /api/v1/campaigns/{year}/enrollments/import": Route("import api", "/api/v1/campaigns/2022/enrollments/import", set(), NOT_COUNTY, method="post",
                                                                  api=True, multipart=True, data=xlsx_upload),
        "GET /api/v1/campaigns/{year}/enrollments/export": Route("export api", "/api/v1/campaigns/2022/enrollments/export", EVERYONE, api=True),
        "GET /api/v1/enrollments/{enrollment_id}": Route("enrollment api", f"/api/v1/enrollments/{e}", {("staff", YANJI), ("leader", "22")}, api=True,
                                                         url_out_of_scope=f"/api/v1/enrollments/{f}", out_of_scope_role=("staff", YANJI)),
        "POST /api/v1/enrollments/{enrollment_id}/review": Route("review api", f"/api/v1/enrollments/{for_api_review.pk}/review", CITY_STAFF, NOT_CITY, method="post",
                                                                 data={"approve": True}, api=True, url_out_of_scope=f"/api/v1/enrollments/{f}/review", out_of_scope_role=("staff", "2201")),
        "POST /api/v1/enrollments/{enrollment_id}/confirm": Route("confirm api", f"/api/v1/enrollments/{e}/confirm", set(), {("staff", YANBIAN), ("leader", "22")},
                                                                  method="post", data={}, api=True),
        "POST /api/v1/enrollments/{enrollment_id}/resubmit": Route("resubmit api", f"/api/v1/enrollments/{e}/resubmit", set(), {("staff", YANBIAN), ("leader", "22")},
                                                                   method="post", data={}, api=True),
        "PUT /api/v1/enrollments/{enrollment_id}/tags": Route("tags api", f"/api/v1/enrollments/{e}/tags", COUNTY, {("leader", "22"), ("inspector", "22")},
                                                              method="put", data={"tag_ids": []}, api=True,
                                                              url_out_of_scope=f"/api/v1/enrollments/{f}/tags", out_of_scope_role=("staff", YANJI)),
        "POST /api/v1/enrollments/{enrollment_id}/shortfalls": Route("shortfall api", f"/api/v1/enrollments/{e}/shortfalls", SHORTFALL_EDITORS, NOT_SHORTFALL_EDITORS,
                                                                     method="post", api=True, data={"gap": "x", "action_plan": "y", "responsible_person": "z", "due_date": "2022-09-01"},
                                                                     url_out_of_scope=f"/api/v1/enrollments/{f}/shortfalls", out_of_scope_role=("staff", YANJI)),
        "PATCH /api/v1/shortfalls/{shortfall_id}": Route("shortfall patch api", f"/api/v1/shortfalls/{item.pk}", SHORTFALL_EDITORS, NOT_SHORTFALL_EDITORS,
                                                         method="patch", data={"status": "in_progress"}, api=True,
                                                         url_out_of_scope=f"/api/v1/shortfalls/{far_item.pk}", out_of_scope_role=("staff", YANJI)),
        "GET /api/v1/tags": Route("tags api list", "/api/v1/tags", EVERYONE, api=True),
        "POST /api/v1/tags": Route("tag create api", "/api/v1/tags", set(), NOT_PROVINCE_ADMIN, method="post", api=True, data={"kind": "pilot", "name": "新试点"}),
    }
