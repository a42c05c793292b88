"""Access table of the rectification pages and API (see core/tests/test_access.py)."""

from datetime import date, timedelta

from qiancun.core.testing import EVERYONE, HUNCHUN, YANJI, Route, make_user

from .factories import hunchun_enrollment, open_problem, photo, submitted, yanji_enrollment

# Perm.INSPECT / RECTIFICATION_VERIFY: admin, staff and inspectors at any level.
OPENERS = {("staff", YANJI), ("inspector", "22"), ("admin", "22")}
NOT_OPENERS = {("leader", "22"), ("department", "22")}
# Perm.RECTIFICATION_FIX: admin and staff of a county, township or village.
FIXERS = {("staff", YANJI), ("admin", YANJI), ("staff", "222401100")}
NOT_FIXERS = {("staff", "22"), ("inspector", "22"), ("leader", "22"), ("department", "22")}
VERIFIERS = {("inspector", "22"), ("admin", YANJI)}
NOT_VERIFIERS = {("leader", "22"), ("department", "22")}


def routes() -> dict[str, Route]:
    enrollment = yanji_enrollment()
    far_enrollment = hunchun_enrollment()
    problem = open_problem(enrollment)
    far = open_problem(far_enrollment, responsible_unit="敬信镇", responsible_person="李")
    waiting = open_problem(enrollment, description="公厕无人管护")
    submitted(waiting)
    far_waiting = open_problem(far_enrollment, description="垃圾箱破损", responsible_unit="敬信镇", responsible_person="李")
    submitted(far_waiting, make_user("staff", HUNCHUN))
    for_api = open_problem(enrollment, description="文化大院无人管理")
    photo_id = waiting.photos.first().pk
    far_photo = far_waiting.photos.first().pk
    p, f, w, fw = problem.pk, far.pk, waiting.pk, far_waiting.pk
    out = ("staff", YANJI)
    assign = {"responsible_unit": "小营镇政府", "responsible_person": "张三", "deadline": (date.today() + timedelta(days=20)).isoformat()}
    # The role checks run before the state checks: allowed roles may be refused by the state (3xx with a message).
    return {
        "rectification:index": Route("problems", "/rectification/", EVERYONE),
        "rectification:overview": Route("overview", "/rectification/overview/", EVERYONE,
                                        url_out_of_scope=f"/rectification/overview/?region={HUNCHUN}", out_of_scope_role=out),
        "rectification:overdue": Route("overdue", "/rectification/overdue/", EVERYONE,
                                       url_out_of_scope=f"/rectification/overdue/?region={HUNCHUN}", out_of_scope_role=out),
        "rectification:open": Route("open", f"/rectification/new/?enrollment={enrollment.pk}", OPENERS, NOT_OPENERS,
                                    url_out_of_scope=f"/rectification/new/?enrollment={far_enrollment.pk}", out_of_scope_role=out),
        "rectification:detail": Route("problem", f"/rectification/{p}/", EVERYONE - {("staff", "222401001001")},
                                      url_out_of_scope=f"/rectification/{f}/", out_of_scope_role=out),
        "rectification:assign": Route("assign", f"/rectification/{p}/assign/", FIXERS | VERIFIERS, NOT_OPENERS, method="post", data=assign,
                                      url_out_of_scope=f"/rectification/{f}/assign/", out_of_scope_role=out),
        "rectification:start": Route("start", f"/rectification/{p}/start/", FIXERS, NOT_FIXERS, method="post",
                                     url_out_of_scope=f"/rectification/{f}/start/", out_of_scope_role=out),
        "rectification:submit": Route("submit", f"/rectification/{p}/submit/", FIXERS, NOT_FIXERS, method="post",
                                      data=lambda: {"note": "已整改", "photos": photo()},
                                      url_out_of_scope=f"/rectification/{f}/submit/", out_of_scope_role=out),
        "rectification:verify": Route("verify", f"/rectification/{w}/verify/", VERIFIERS, NOT_VERIFIERS, method="post",
                                      data={"decision": "reopen", "reason": "照片看不清"},
                                      url_out_of_scope=f"/rectification/{fw}/verify/", out_of_scope_role=("admin", YANJI)),
        "rectification:photo": Route("photo", f"/rectification/photos/{photo_id}/", EVERYONE - {("staff", "222401001001")},
                                     url_out_of_scope=f"/rectification/photos/{far_photo}/", out_of_scope_role=out),
        "GET /api/v1/problems": Route("problems api", "/api/v1/problems", EVERYONE, api=True),
        "POST /api/v1/problems": Route("open api", "/api/v1/problems", OPENERS, NOT_OPENERS, method="post", api=True,
                                       data={"enrollment_id": enrollment.pk, "description": "村民活动广场照明损坏"},
                                       url_out_of_scope="/api/v1/problems", out_of_scope_role=("staff", HUNCHUN)),
        "GET /api/v1/problems/{problem_id}": Route("problem api", f"/api/v1/problems/{p}", EVERYONE - {("staff", "222401001001")}, api=True,
                                                   url_out_of_scope=f"/api/v1/problems/{f}", out_of_scope_role=out),
        "POST /api/v1/problems/{problem_id}/assign": Route("assign api", f"/api/v1/problems/{for_api.pk}/assign", FIXERS | VERIFIERS, NOT_OPENERS,
                                                           method="post", data=assign, api=True,
                                                           url_out_of_scope=f"/api/v1/problems/{f}/assign", out_of_scope_role=out),
        "POST /api/v1/problems/{problem_id}/start": Route("start api", f"/api/v1/problems/{p}/start", set(), NOT_FIXERS, method="post", api=True,
                                                          url_out_of_scope=f"/api/v1/problems/{f}/start", out_of_scope_role=out),
        "POST /api/v1/problems/{problem_id}/submit": Route("submit api", f"/api/v1/problems/{p}/submit", set(), NOT_FIXERS, method="post",
                                                           api=True, multipart=True, data=lambda: {"note": "已整改", "photos": photo()},
                                                           url_out_of_scope=f"/api/v1/problems/{f}/submit", out_of_scope_role=out),
        "POST /api/v1/problems/{problem_id}/verify": Route("verify api", f"/api/v1/problems/{w}/verify", set(), NOT_VERIFIERS, method="post",
                                                           api=True, data={"accept": False, "reason": "照片看不清"},
                                                           url_out_of_scope=f"/api/v1/problems/{fw}/verify", out_of_scope_role=("admin", YANJI)),
        "GET /api/v1/problems/{problem_id}/photos/{photo_id}": Route("photo api", f"/api/v1/problems/{w}/photos/{photo_id}",
                                                                     EVERYONE - {("staff", "222401001001")}, api=True,
                                                                     url_out_of_scope=f"/api/v1/problems/{fw}/photos/{far_photo}", out_of_scope_role=out),
        "GET /api/v1/rectification/overview": Route("overview api", "/api/v1/rectification/overview", EVERYONE, api=True,
                                                    url_out_of_scope=f"/api/v1/rectification/overview?region={HUNCHUN}", out_of_scope_role=out),
    }
