"""Access table of the regions pages and API (see core/tests/test_access.py)."""

from django.core.files.uploadedfile import SimpleUploadedFile

from qiancun.core.testing import (
    EDITORS,
    EVERYONE,
    HUNCHUN_VILLAGE,
    NOT_PROVINCE_ADMIN,
    READERS_ONLY,
    YANJI,
    YANJI_VILLAGE,
    Route,
    province_admin,
)
from qiancun.regions.models import RegionImport

from .factories import failed_import


def csv_upload():
    return {"file": SimpleUploadedFile("x.csv", b"code,name,level,parent_code\n")}


def routes() -> dict[str, Route]:
    job = RegionImport.objects.create(original_name="x.csv", created_by=province_admin())
    failed, failed_too = failed_import(), failed_import()  # one rerun each: a second rerun of one job is refused
    return {
        "regions:index": Route("regions", "/regions/", EVERYONE),
        "regions:search": Route("search", "/regions/search/?q=jyx", EVERYONE),
        "regions:map": Route("village map", "/regions/map/", EVERYONE),
        "GET /api/v1/regions/villages.geojson": Route("village geojson", "/api/v1/regions/villages.geojson", EVERYONE, api=True),
        "regions:detail": Route(
            "region", f"/regions/{YANJI_VILLAGE}/", EVERYONE, url_out_of_scope=f"/regions/{HUNCHUN_VILLAGE}/",
            out_of_scope_role=("staff", YANJI),
        ),
        "regions:village_edit": Route(
            "village edit", f"/regions/{YANJI_VILLAGE}/edit/", EDITORS, READERS_ONLY,
            url_out_of_scope=f"/regions/{HUNCHUN_VILLAGE}/edit/", out_of_scope_role=("staff", YANJI),
        ),
        "regions:import_list": Route("imports", "/regions/imports/", {("admin", "22")}, NOT_PROVINCE_ADMIN),
        "regions:import_detail": Route("import", f"/regions/imports/{job.pk}/", {("admin", "22")}, NOT_PROVINCE_ADMIN),
        "regions:import_rerun": Route(
            "import rerun", f"/regions/imports/{failed.pk}/rerun/", {("admin", "22")}, NOT_PROVINCE_ADMIN, method="post"
        ),
        "GET /api/v1/regions": Route("regions api", "/api/v1/regions", EVERYONE, api=True),
        "GET /api/v1/regions/{code}": Route(
            "region api", f"/api/v1/regions/{YANJI_VILLAGE}", EVERYONE, api=True,
            url_out_of_scope=f"/api/v1/regions/{HUNCHUN_VILLAGE}", out_of_scope_role=("staff", YANJI),
        ),
        "PATCH /api/v1/regions/{code}": Route(
            "village patch", f"/api/v1/regions/{YANJI_VILLAGE}", EDITORS, READERS_ONLY, method="patch",
            data={"is_key_border": False}, api=True,
            url_out_of_scope=f"/api/v1/regions/{HUNCHUN_VILLAGE}", out_of_scope_role=("staff", YANJI),
        ),
        "GET /api/v1/regions/imports/{import_id}": Route(
            "import api", f"/api/v1/regions/imports/{job.pk}", {("admin", "22")}, NOT_PROVINCE_ADMIN, api=True
        ),
        "POST /api/v1/regions/imports/{import_id}/rerun": Route(
            "import rerun api", f"/api/v1/regions/imports/{failed_too.pk}/rerun", {("admin", "22")}, NOT_PROVINCE_ADMIN,
            method="post", api=True,
        ),
        "POST /api/v1/regions/imports": Route(
            "import start api", "/api/v1/regions/imports", set(), NOT_PROVINCE_ADMIN, method="post",
            data=csv_upload, api=True, multipart=True,
        ),
    }
