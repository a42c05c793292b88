"""Access table of the participation pages and API (see core/tests/test_access.py)."""

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from qiancun.core.testing import HUNCHUN, HUNCHUN_VILLAGE, YANJI, YANJI_TOWNSHIP, YANJI_VILLAGE, Route, make_user
from qiancun.participation import actions
from qiancun.participation.models import HouseholdImport
from qiancun.regions.models import Region

from .factories import county_criteria, failed_import, give_points, goods, household

V = YANJI_VILLAGE
FAR = HUNCHUN_VILLAGE
VILLAGE_STAFF = ("staff", V)
COUNTY_STAFF = ("staff", YANJI)
COUNTY_ADMIN = ("admin", YANJI)
LEADER = ("leader", "22")
VIEWERS = {VILLAGE_STAFF, COUNTY_STAFF, COUNTY_ADMIN, LEADER}
NOT_VIEWERS = {("inspector", "22"), ("department", "22")}
EDITORS = {VILLAGE_STAFF, COUNTY_STAFF}
NOT_EDITORS = {LEADER, ("inspector", "22")}
VILLAGE_ONLY = {VILLAGE_STAFF}
NOT_VILLAGE = {COUNTY_STAFF, COUNTY_ADMIN, LEADER, ("staff", YANJI_TOWNSHIP)}
RECORDERS = {VILLAGE_STAFF, ("staff", YANJI_TOWNSHIP)}
NOT_RECORDERS = {COUNTY_STAFF, LEADER}
COUNTY = {COUNTY_STAFF, COUNTY_ADMIN}
NOT_COUNTY = {VILLAGE_STAFF, LEADER}
UNMASKERS = {COUNTY_ADMIN}
NOT_UNMASKERS = {COUNTY_STAFF, VILLAGE_STAFF, LEADER}

# Public by design: the farmer's own page is reached by a signed link, not a login.
COVERED_ELSEWHERE = {
    "participation:farmer": "public page behind a revocable signed link; tests/test_farmer_links.py checks it",
    "participation:farmer_home": "public page behind a revocable signed link; tests/test_farmer_links.py checks it",
}


def xlsx_upload():
    return {"file": SimpleUploadedFile("h.xlsx", b"not a workbook"), "village_code": V}


def routes() -> dict[str, Route]:
    staff, far_staff = make_user("staff", V), make_user("staff", FAR)
    county_criteria(YANJI)
    county_criteria(HUNCHUN)
    hh, far = household(V), household(FAR)
    group = actions.do_create_group(hh.village, acting_user=staff, name="第一组")
    far_group = actions.do_create_group(far.village, acting_user=far_staff, name="第一组")
    member, far_member = hh.members.first(), far.members.first()
    rnd = actions.do_create_round(hh.village, acting_user=staff, name="2022年二季度", starts_on=date(2022, 4, 1), ends_on=date(2022, 6, 30), pass_score=60)
    far_rnd = actions.do_create_round(far.village, acting_user=far_staff, name="2022年二季度", starts_on=date(2022, 4, 1), ends_on=date(2022, 6, 30), pass_score=60)
    rule = actions.do_create_rule(hh.village, acting_user=staff, name="义务清扫", points=5)
    proposal = actions.do_propose_points(hh, acting_user=staff, idempotency_key="acc-p", rule_id=rule.pk)
    far_proposal = actions.do_propose_points(far, acting_user=far_staff, idempotency_key="acc-fp", points=3, reason="x")
    entry, far_entry = give_points(hh, 50), give_points(far, 50, FAR)
    item, far_item = goods(V), goods(FAR)
    redemption = actions.do_redeem(hh, [(item.pk, 1)], acting_user=staff, idempotency_key="acc-r")
    far_redemption = actions.do_redeem(far, [(far_item.pk, 1)], acting_user=far_staff, idempotency_key="acc-fr")
    venue = actions.do_create_venue(hh.village, acting_user=staff, kind="library", name="农家书屋")
    far_venue = actions.do_create_venue(far.village, acting_user=far_staff, kind="library", name="农家书屋")
    from qiancun.inspections.tests.factories import jpeg

    activity = actions.do_record_activity(venue, acting_user=staff, held_on=date(2022, 7, 1), kind="读书", title="读书会", participants=9, photo=jpeg())
    far_activity = actions.do_record_activity(far_venue, acting_user=far_staff, held_on=date(2022, 7, 1), kind="读书", title="读书会", participants=9, photo=jpeg())
    link, _ = actions.do_issue_link(hh, acting_user=staff)
    far_link, _ = actions.do_issue_link(far, acting_user=far_staff)
    renewable, _ = actions.do_issue_link(household(V), acting_user=staff)  # the revoke routes may run first
    job = HouseholdImport.objects.create(village=hh.village, original_name="a.xlsx", file="x.xlsx", report={"errors": [{"row": 2, "column": "姓名", "reason": "x"}]})
    far_job = HouseholdImport.objects.create(village=Region.objects.get(code=FAR), original_name="a.xlsx", file="x.xlsx")
    failed, failed_too, far_failed = failed_import(V), failed_import(V), failed_import(FAR)  # one rerun each
    h, fh = hh.pk, far.pk
    p, fp = "/participation", "/api/v1/participation"

    def page(name, url, allowed, denied=NOT_VIEWERS, far_url=None, role=COUNTY_STAFF, **kw):
        return Route(name, url, allowed, denied, url_out_of_scope=far_url, out_of_scope_role=role if far_url else None, **kw)

    def api(name, url, allowed, denied=NOT_VIEWERS, far_url=None, role=COUNTY_STAFF, **kw):
        return page(name, url, allowed, denied, far_url, role, api=True, **kw)

    return {
        "participation:index": page("index", f"{p}/", VIEWERS, far_url=f"{p}/?region={HUNCHUN}"),
        "participation:import_template": page("template", f"{p}/template.xlsx", VIEWERS),
        "participation:criteria": page("criteria", f"{p}/counties/{YANJI}/criteria/", VIEWERS, far_url=f"{p}/counties/{HUNCHUN}/criteria/"),
        "participation:village": page("village", f"{p}/villages/{V}/", VIEWERS, far_url=f"{p}/villages/{FAR}/"),
        "participation:households": page("households", f"{p}/villages/{V}/households/?q=张", VIEWERS, far_url=f"{p}/villages/{FAR}/households/"),
        "participation:household_create": page("household new", f"{p}/villages/{V}/households/new/", EDITORS, NOT_EDITORS, f"{p}/villages/{FAR}/households/new/"),
        "participation:households_export": page("export", f"{p}/villages/{V}/households/export/", VIEWERS, far_url=f"{p}/villages/{FAR}/households/export/"),
        "participation:region_households_export": page("region export", f"{p}/regions/{YANJI}/households/export/", {COUNTY_STAFF, COUNTY_ADMIN, LEADER},
                                                       far_url=f"{p}/regions/{HUNCHUN}/households/export/"),
        "participation:household_import": page("import", f"{p}/villages/{V}/households/import/", EDITORS, NOT_EDITORS, f"{p}/villages/{FAR}/households/import/"),
        "participation:groups": page("groups", f"{p}/villages/{V}/groups/", VIEWERS, far_url=f"{p}/villages/{FAR}/groups/"),
        "participation:rounds": page("rounds", f"{p}/villages/{V}/ratings/", VIEWERS, far_url=f"{p}/villages/{FAR}/ratings/"),
        "participation:bank": page("bank", f"{p}/villages/{V}/bank/", VIEWERS, far_url=f"{p}/villages/{FAR}/bank/"),
        "participation:rankings": page("rankings", f"{p}/villages/{V}/rankings/?month=2022-05", VIEWERS, far_url=f"{p}/villages/{FAR}/rankings/"),
        "participation:shop": page("shop", f"{p}/villages/{V}/shop/", VIEWERS, far_url=f"{p}/villages/{FAR}/shop/"),
        "participation:counter": page("counter", f"{p}/villages/{V}/counter/?q=张", VILLAGE_ONLY, NOT_VILLAGE, f"{p}/villages/{FAR}/counter/", VILLAGE_STAFF),
        "participation:reconciliation": page("reconciliation", f"{p}/villages/{V}/reconciliation/", VIEWERS, far_url=f"{p}/villages/{FAR}/reconciliation/"),
        "participation:activity_photo": page("activity photo", f"{p}/activities/{activity.pk}/photo/", VIEWERS, far_url=f"{p}/activities/{far_activity.pk}/photo/"),
        "participation:venues": page("venues", f"{p}/villages/{V}/venues/", VIEWERS, far_url=f"{p}/villages/{FAR}/venues/"),
        "participation:household": page("household", f"{p}/households/{h}/", VIEWERS, far_url=f"{p}/households/{fh}/"),
        "participation:household_group": page("household group", f"{p}/households/{h}/group/", EDITORS, NOT_EDITORS, f"{p}/households/{fh}/group/",
                                              method="post", data={"group": group.pk}),
        "participation:propose": page("propose", f"{p}/households/{h}/propose/", RECORDERS, NOT_RECORDERS, f"{p}/households/{fh}/propose/", VILLAGE_STAFF),
        "participation:link_issue": page("link", f"{p}/households/{h}/link/", VILLAGE_ONLY, NOT_VILLAGE, f"{p}/households/{fh}/link/", VILLAGE_STAFF, method="post"),
        "participation:link_revoke": page("revoke", f"{p}/links/{link.pk}/revoke/", VILLAGE_ONLY, NOT_VILLAGE, f"{p}/links/{far_link.pk}/revoke/", VILLAGE_STAFF, method="post"),
        "participation:link_renew": page("renew", f"{p}/links/{link.pk}/renew/", VILLAGE_ONLY, NOT_VILLAGE, f"{p}/links/{far_link.pk}/renew/", VILLAGE_STAFF, method="post"),
        "participation:member_unmask": Route("unmask", f"{p}/members/{member.pk}/unmask/", UNMASKERS, NOT_UNMASKERS, method="post",
              url_out_of_scope=f"{p}/members/{far_member.pk}/unmask/", out_of_scope_role=COUNTY_ADMIN),
        "participation:import_detail": page("import detail", f"{p}/imports/{job.pk}/", VIEWERS, far_url=f"{p}/imports/{far_job.pk}/"),
        "participation:import_errors": page("import errors", f"{p}/imports/{job.pk}/errors.xlsx", VIEWERS, far_url=f"{p}/imports/{far_job.pk}/errors.xlsx"),
        "participation:import_rerun": page("import rerun", f"{p}/imports/{failed.pk}/rerun/", {VILLAGE_STAFF}, NOT_EDITORS,
                                           f"{p}/imports/{far_failed.pk}/rerun/", method="post"),
        "participation:group": page("group", f"{p}/groups/{group.pk}/", VIEWERS, far_url=f"{p}/groups/{far_group.pk}/"),
        "participation:round": page("round", f"{p}/ratings/{rnd.pk}/", VIEWERS, far_url=f"{p}/ratings/{far_rnd.pk}/"),
        "participation:honour_list": page("honour", f"{p}/ratings/{rnd.pk}/honour/", VIEWERS, far_url=f"{p}/ratings/{far_rnd.pk}/honour/"),
        "participation:proposal_decide": page("decide", f"{p}/proposals/{proposal.pk}/decide/", set(), NOT_VILLAGE, f"{p}/proposals/{far_proposal.pk}/decide/",
                                              VILLAGE_STAFF, method="post", data={"approve": "0", "note": "x"}),
        "participation:entry_reverse": page("reverse", f"{p}/ledger/{entry.pk}/reverse/", set(), NOT_VILLAGE, f"{p}/ledger/{far_entry.pk}/reverse/",
                                            VILLAGE_STAFF, method="post", data={"reason": "x"}),
        "participation:receipt": page("receipt", f"{p}/redemptions/{redemption.pk}/", VIEWERS, far_url=f"{p}/redemptions/{far_redemption.pk}/"),
        # API
        "GET /api/v1/participation/households": api("households api", f"{fp}/households?village={V}", VIEWERS, far_url=f"{fp}/households?village={FAR}"),
        "POST /api/v1/participation/households": api("household create api", f"{fp}/households", set(), NOT_EDITORS, method="post",
                                                     data={"village_code": V, "number": "A1", "head_name": "王五"}),
        "GET /api/v1/participation/households/export": api("export api", f"{fp}/households/export?village={V}", VIEWERS, far_url=f"{fp}/households/export?village={FAR}"),
        "GET /api/v1/participation/regions/{code}/households/export": api("region export api", f"{fp}/regions/{YANJI}/households/export",
                                                                          {COUNTY_STAFF, COUNTY_ADMIN, LEADER}, far_url=f"{fp}/regions/{HUNCHUN}/households/export"),
        "POST /api/v1/participation/households/import": api("import api", f"{fp}/households/import", set(), NOT_EDITORS, method="post", multipart=True, data=xlsx_upload),
        "GET /api/v1/participation/imports/{import_id}": api("import api get", f"{fp}/imports/{job.pk}", VIEWERS, far_url=f"{fp}/imports/{far_job.pk}"),
        "POST /api/v1/participation/imports/{import_id}/rerun": api("import rerun api", f"{fp}/imports/{failed_too.pk}/rerun", {COUNTY_STAFF}, NOT_EDITORS,
                                                                    f"{fp}/imports/{far_failed.pk}/rerun", method="post"),
        "GET /api/v1/participation/households/{household_id}": api("household api", f"{fp}/households/{h}", VIEWERS, far_url=f"{fp}/households/{fh}"),
        "PATCH /api/v1/participation/households/{household_id}": api("household patch", f"{fp}/households/{h}", EDITORS, NOT_EDITORS, f"{fp}/households/{fh}",
                                                                     method="patch", data={"address": "一组"}),
        "POST /api/v1/participation/households/{household_id}/members": api("member api", f"{fp}/households/{h}/members", set(), NOT_EDITORS,
                                                                            f"{fp}/households/{fh}/members", method="post", data={"name": "小明", "relation": "child"}),
        "POST /api/v1/participation/members/{member_id}/unmask": api("unmask api", f"{fp}/members/{member.pk}/unmask", UNMASKERS, NOT_UNMASKERS,
                                                                     f"{fp}/members/{far_member.pk}/unmask", COUNTY_ADMIN, method="post"),
        "GET /api/v1/participation/households/{household_id}/ledger": api("ledger api", f"{fp}/households/{h}/ledger", VIEWERS, far_url=f"{fp}/households/{fh}/ledger"),
        "POST /api/v1/participation/households/{household_id}/link": api("link api", f"{fp}/households/{h}/link", VILLAGE_ONLY, NOT_VILLAGE,
                                                                         f"{fp}/households/{fh}/link", VILLAGE_STAFF, method="post"),
        "POST /api/v1/participation/links/{link_id}/revoke": api("revoke api", f"{fp}/links/{link.pk}/revoke", VILLAGE_ONLY, NOT_VILLAGE,
                                                                 f"{fp}/links/{far_link.pk}/revoke", VILLAGE_STAFF, method="post"),
        "POST /api/v1/participation/links/{link_id}/renew": api("renew api", f"{fp}/links/{renewable.pk}/renew", VILLAGE_ONLY, NOT_VILLAGE,
                                                                f"{fp}/links/{far_link.pk}/renew", VILLAGE_STAFF, method="post"),
        "GET /api/v1/participation/groups": api("groups api", f"{fp}/groups?village={V}", VIEWERS, far_url=f"{fp}/groups?village={FAR}"),
        "POST /api/v1/participation/groups": api("group create api", f"{fp}/groups", set(), NOT_EDITORS, method="post", data={"village_code": V, "name": "新组"}),
        "POST /api/v1/participation/groups/{group_id}/households": api("group assign api", f"{fp}/groups/{group.pk}/households", EDITORS, NOT_EDITORS,
                                                                       f"{fp}/groups/{far_group.pk}/households", method="post", data={"household_ids": [h]}),
        "PUT /api/v1/participation/groups/{group_id}/leader": api("leader api", f"{fp}/groups/{group.pk}/leader", EDITORS, NOT_EDITORS,
                                                                  f"{fp}/groups/{far_group.pk}/leader", method="put", data={"member_id": None}),
        "GET /api/v1/participation/criteria": api("criteria api", f"{fp}/criteria?county={YANJI}", VIEWERS, far_url=f"{fp}/criteria?county={HUNCHUN}"),
        "POST /api/v1/participation/criteria": api("criterion api", f"{fp}/criteria", set(), NOT_COUNTY, method="post", data={"county_code": YANJI, "name": "x", "max_score": 5}),
        "GET /api/v1/participation/rounds": api("rounds api", f"{fp}/rounds?village={V}", VIEWERS, far_url=f"{fp}/rounds?village={FAR}"),
        "POST /api/v1/participation/rounds": api("round create api", f"{fp}/rounds", set(), NOT_RECORDERS, method="post",
                                                 data={"village_code": V, "name": "x", "starts_on": "2022-07-01", "ends_on": "2022-09-30", "pass_score": 60}),
        "GET /api/v1/participation/rounds/{round_id}": api("round api", f"{fp}/rounds/{rnd.pk}", VIEWERS, far_url=f"{fp}/rounds/{far_rnd.pk}"),
        "PUT /api/v1/participation/rounds/{round_id}/ratings/{household_id}": api(
            "rate api", f"{fp}/rounds/{rnd.pk}/ratings/{h}", RECORDERS, NOT_RECORDERS, f"{fp}/rounds/{far_rnd.pk}/ratings/{fh}", VILLAGE_STAFF, method="put",
            data={"scores": {str(c.pk): 20 for c in actions.criteria_for(V)}}),
        "POST /api/v1/participation/rounds/{round_id}/publish": api("publish api", f"{fp}/rounds/{rnd.pk}/publish", set(), NOT_RECORDERS,
                                                                    f"{fp}/rounds/{far_rnd.pk}/publish", VILLAGE_STAFF, method="post"),
        "GET /api/v1/participation/rules": api("rules api", f"{fp}/rules?village={V}", VIEWERS, far_url=f"{fp}/rules?village={FAR}"),
        "POST /api/v1/participation/rules": api("rule api", f"{fp}/rules", set(), NOT_VILLAGE, method="post", data={"village_code": V, "name": "y", "points": 2}),
        "GET /api/v1/participation/proposals": api("proposals api", f"{fp}/proposals?village={V}", VIEWERS, far_url=f"{fp}/proposals?village={FAR}"),
        "POST /api/v1/participation/proposals": api("propose api", f"{fp}/proposals", RECORDERS, NOT_RECORDERS, method="post",
                                                    data={"household_id": h, "rule_id": rule.pk, "idempotency_key": "acc-api-p"}),
        "POST /api/v1/participation/proposals/{proposal_id}/decision": api("decide api", f"{fp}/proposals/{proposal.pk}/decision", set(), NOT_VILLAGE,
                                                                           f"{fp}/proposals/{far_proposal.pk}/decision", VILLAGE_STAFF, method="post", data={"approve": True}),
        "POST /api/v1/participation/postings": api("posting api", f"{fp}/postings", VILLAGE_ONLY, NOT_VILLAGE, method="post",
                                                   data={"household_id": h, "points": 1, "reason": "x", "idempotency_key": "acc-post"}),
        "POST /api/v1/participation/ledger/{entry_id}/reversal": api("reversal api", f"{fp}/ledger/{entry.pk}/reversal", set(), NOT_VILLAGE,
                                                                     f"{fp}/ledger/{far_entry.pk}/reversal", VILLAGE_STAFF, method="post", data={"reason": "x"}),
        "GET /api/v1/participation/rankings": api("rankings api", f"{fp}/rankings?village={V}", VIEWERS, far_url=f"{fp}/rankings?village={FAR}"),
        "GET /api/v1/participation/goods": api("goods api", f"{fp}/goods?village={V}", VIEWERS, far_url=f"{fp}/goods?village={FAR}"),
        "POST /api/v1/participation/goods": api("goods create api", f"{fp}/goods", set(), NOT_VILLAGE, method="post", data={"village_code": V, "name": "盐", "price_points": 2}),
        "POST /api/v1/participation/goods/{goods_id}/stock": api("stock api", f"{fp}/goods/{item.pk}/stock", VILLAGE_ONLY, NOT_VILLAGE,
                                                                 f"{fp}/goods/{far_item.pk}/stock", VILLAGE_STAFF, method="post", data={"quantity": 1}),
        "POST /api/v1/participation/redemptions": api("redeem api", f"{fp}/redemptions", VILLAGE_ONLY, NOT_VILLAGE, method="post",
                                                      data={"household_id": h, "lines": [{"goods_id": item.pk, "quantity": 1}], "idempotency_key": "acc-api-r"}),
        "GET /api/v1/participation/reconciliation": api("reconciliation api", f"{fp}/reconciliation?village={V}&day=2022-05-01", VIEWERS,
                                                        far_url=f"{fp}/reconciliation?village={FAR}&day=2022-05-01"),
        "GET /api/v1/participation/venues": api("venues api", f"{fp}/venues?village={V}", VIEWERS, far_url=f"{fp}/venues?village={FAR}"),
        "POST /api/v1/participation/venues": api("venue api", f"{fp}/venues", set(), NOT_RECORDERS, method="post", data={"village_code": V, "kind": "culture", "name": "文化大院"}),
        "POST /api/v1/participation/venues/{venue_id}/activities": api("activity api", f"{fp}/venues/{venue.pk}/activities", RECORDERS, NOT_RECORDERS,
                                                                       f"{fp}/venues/{far_venue.pk}/activities", VILLAGE_STAFF, method="post",
                                                                       data={"held_on": "2022-05-01", "kind": "读书会", "title": "x", "participants": 5}),
        "GET /api/v1/participation/coverage": api("coverage api", f"{fp}/coverage?region={V}", VIEWERS, far_url=f"{fp}/coverage?region={HUNCHUN}"),
    }
