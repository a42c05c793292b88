"""Access table of the inspections pages and API (see core/tests/test_access.py)."""

from datetime import date

from qiancun.core.testing import EVERYONE, Route, make_user
from qiancun.inspections import actions

from .factories import HUNCHUN, YANBIAN, YANJI, confirmed_campaign, jpeg, publish, self_check

CITY = {("staff", YANBIAN)}
NOT_CITY = {("staff", YANJI), ("leader", "22"), ("staff", "22")}
COUNTY = {("staff", YANJI)}
NOT_COUNTY = {("leader", "22"), ("department", "22")}
PROVINCE_ADMIN = {("admin", "22")}

# Open to anyone, signed in or not, by design: the README promises that anyone can verify a draw.
COVERED_ELSEWHERE = {
    "inspections:draw_detail": "public verification page, open to anonymous users: "
                               "test_draws.py::test_anyone_can_open_the_verification_page_without_logging_in",
}
COMMITMENT = {"source": "fc3d", "source_issue": "2099158", "source_date": "2099-06-15"}


def routes() -> dict[str, Route]:
    campaign, _ = confirmed_campaign(per_county=2)
    self_check(campaign, HUNCHUN)
    own = self_check(campaign, YANJI, sign_off=False)  # open self-check of 延吉, all villages inspected
    hunchun_round = campaign.rounds.get(kind="self_check", region_id=HUNCHUN)
    record = own.records.first()
    far_record = hunchun_round.records.first()
    city = make_user("staff", YANBIAN)
    recheck = actions.do_create_round(campaign, acting_user=city, kind="re_check", name="复验", starts_on=date(2022, 6, 1), ends_on=date(2022, 6, 9))
    draw = publish(recheck, city)
    spare = actions.eligible(own).last()
    patrol = actions.do_create_round(campaign, acting_user=make_user("staff", YANJI), kind="patrol", name="日常巡检",
                                     starts_on=date(2022, 7, 1), ends_on=date(2022, 7, 31))
    return {
        "inspections:index": Route("inspections", "/inspections/", EVERYONE),
        "inspections:round_create": Route("round create", "/inspections/rounds/new/", {("staff", YANJI), ("admin", "22")}, {("leader", "22"), ("staff", "222401100")}),
        "inspections:round_detail": Route("round", f"/inspections/rounds/{own.pk}/", {("staff", YANJI), ("leader", "22")},
                                          url_out_of_scope=f"/inspections/rounds/{hunchun_round.pk}/", out_of_scope_role=("staff", YANJI)),
        "inspections:round_step": Route("round step", f"/inspections/rounds/{patrol.pk}/step/", COUNTY, NOT_COUNTY | {("staff", "22")}, method="post",
                                        data={"step": "close"}, url_out_of_scope=f"/inspections/rounds/{hunchun_round.pk}/step/", out_of_scope_role=("staff", YANJI)),
        "inspections:inspect_start": Route("inspect", f"/inspections/rounds/{own.pk}/inspect/{spare.pk}/", COUNTY, {("leader", "22"), ("department", "22")},
                                           method="post", url_out_of_scope=f"/inspections/rounds/{hunchun_round.pk}/inspect/{far_record.enrollment_id}/",
                                           out_of_scope_role=("staff", YANJI)),
        "inspections:draw_step": Route("draw step", f"/inspections/draws/{draw.pk}/step/", set(), {("leader", "22")}, method="post",
                                       data={"step": "seed", "source": "fc3d", "source_issue": "2099158", "numbers": "1 2 3"}),
        "inspections:record": Route("record", f"/inspections/records/{record.pk}/", {("staff", YANJI), ("leader", "22")},
                                    url_out_of_scope=f"/inspections/records/{far_record.pk}/", out_of_scope_role=("staff", YANJI)),
        "inspections:revocation_propose": Route("propose", f"/inspections/records/{record.pk}/revocation/", set(), {("leader", "22"), ("department", "22")},
                                                method="post", data={"reason": "x"}),
        "inspections:photo": Route("photo", f"/inspections/photos/{record.photos.first().pk}/thumb/", {("staff", YANJI), ("leader", "22")},
                                   url_out_of_scope=f"/inspections/photos/{far_record.photos.first().pk}/thumb/", out_of_scope_role=("staff", YANJI)),
        "inspections:revocations": Route("revocations", "/inspections/revocations/", EVERYONE),
        "inspections:revocation_decide": Route("decide", "/inspections/revocations/999999/decide/", set(), {("staff", "22"), ("inspector", "22"), ("admin", YANJI)},
                                               method="post", data={"approve": "1"}),
        "inspections:dashboard": Route("dashboard", "/inspections/dashboard/2022/", EVERYONE,
                                       url_out_of_scope=f"/inspections/dashboard/2022/?region={HUNCHUN}", out_of_scope_role=("staff", YANJI)),
        "inspections:circular": Route("circular", "/inspections/circular/2022/", EVERYONE),
        "inspections:circular_export": Route("circular export", "/inspections/circular/2022/export/", EVERYONE),
        "GET /api/v1/rounds": Route("rounds api", "/api/v1/rounds", EVERYONE, api=True),
        "POST /api/v1/rounds": Route("round create api", "/api/v1/rounds", set(), {("leader", "22"), ("department", "22")}, method="post", api=True,
                                     data={"campaign_year": 2022, "kind": "patrol", "name": "巡检", "starts_on": "2022-07-01", "ends_on": "2022-07-02"}),
        "GET /api/v1/rounds/{round_id}": Route("round api", f"/api/v1/rounds/{own.pk}", {("staff", YANJI), ("leader", "22")}, api=True,
                                               url_out_of_scope=f"/api/v1/rounds/{hunchun_round.pk}", out_of_scope_role=("staff", YANJI)),
        "POST /api/v1/rounds/{round_id}/submit": Route("submit api", f"/api/v1/rounds/{hunchun_round.pk}/submit", set(), {("staff", YANBIAN), ("leader", "22")},
                                                       method="post", api=True, url_out_of_scope=f"/api/v1/rounds/{hunchun_round.pk}/submit", out_of_scope_role=("staff", YANJI)),
        "POST /api/v1/rounds/{round_id}/sign-off": Route("sign-off api", f"/api/v1/rounds/{own.pk}/sign-off", set(), {("staff", YANJI), ("leader", "22")},
                                                         method="post", data={"accept": True}, api=True),
        "POST /api/v1/rounds/{round_id}/close": Route("close api", f"/api/v1/rounds/{recheck.pk}/close", set(), {("leader", "22"), ("inspector", "22")},
                                                      method="post", api=True),
        "POST /api/v1/rounds/{round_id}/draws": Route("draw api", f"/api/v1/rounds/{recheck.pk}/draws", set(), {("leader", "22")}, method="post", api=True,
                                                      data=COMMITMENT),
        "GET /api/v1/draws/{draw_id}": Route("draw get api", f"/api/v1/draws/{draw.pk}", {("staff", YANBIAN), ("leader", "22")}, api=True,
                                             url_out_of_scope=f"/api/v1/draws/{draw.pk}", out_of_scope_role=("staff", "2201")),
        "POST /api/v1/draws/{draw_id}/seed": Route("seed api", f"/api/v1/draws/{draw.pk}/seed", set(), {("leader", "22")}, method="post", api=True,
                                                   data={"source": "fc3d", "source_issue": "2099158", "numbers": "1 2 3"}),
        "POST /api/v1/draws/{draw_id}/redraw": Route("redraw api", f"/api/v1/draws/{draw.pk}/redraw", set(), {("leader", "22"), ("staff", YANBIAN)},
                                                     method="post", api=True, data={"reason": "x", **COMMITMENT}),
        "GET /api/v1/draws/{draw_id}/verify": Route("verify api", f"/api/v1/draws/{draw.pk}/verify", {("staff", YANBIAN), ("leader", "22")}, api=True),
        "POST /api/v1/rounds/{round_id}/records/{enrollment_id}": Route(
            "start api", f"/api/v1/rounds/{own.pk}/records/{spare.pk}", COUNTY, {("leader", "22")}, method="post", api=True,
            url_out_of_scope=f"/api/v1/rounds/{hunchun_round.pk}/records/{far_record.enrollment_id}", out_of_scope_role=("staff", YANJI)),
        "GET /api/v1/records/{record_id}": Route("record api", f"/api/v1/records/{record.pk}", {("staff", YANJI), ("leader", "22")}, api=True,
                                                 url_out_of_scope=f"/api/v1/records/{far_record.pk}", out_of_scope_role=("staff", YANJI)),
        "PUT /api/v1/records/{record_id}/verdicts/{indicator_id}": Route(
            "verdict api", f"/api/v1/records/{record.pk}/verdicts/{campaign.standard.indicators.first().pk}", set(), {("leader", "22")},
            method="put", data={"verdict": "met"}, api=True),
        "POST /api/v1/records/{record_id}/photos": Route("photo api", f"/api/v1/records/{record.pk}/photos", set(), {("leader", "22")}, method="post", api=True,
                                                         multipart=True, data=lambda: {"photo": jpeg()}),
        "POST /api/v1/records/{record_id}/submit": Route("submit record api", f"/api/v1/records/{record.pk}/submit", set(), {("leader", "22")}, method="post",
                                                         data={}, api=True),
        "GET /api/v1/revocations": Route("revocations api", "/api/v1/revocations", EVERYONE, api=True),
        "POST /api/v1/records/{record_id}/revocation": Route("propose api", f"/api/v1/records/{record.pk}/revocation", set(), {("leader", "22")},
                                                             method="post", data={"reason": "x"}, api=True),
        "POST /api/v1/revocations/{revocation_id}/decide": Route("decide api", "/api/v1/revocations/999999/decide", set(),
                                                                 {("staff", "22"), ("inspector", "22")}, method="post", data={"approve": True}, api=True),
        "GET /api/v1/campaigns/{year}/circular": Route("circular api", "/api/v1/campaigns/2022/circular", EVERYONE, api=True),
        "GET /api/v1/campaigns/{year}/dashboard": Route("dashboard api", "/api/v1/campaigns/2022/dashboard", EVERYONE, api=True,
                                                        url_out_of_scope=f"/api/v1/campaigns/2022/dashboard?region={HUNCHUN}",
                                                        out_of_scope_role=("staff", YANJI)),
    }
