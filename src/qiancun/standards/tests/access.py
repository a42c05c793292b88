"""Access table of the standards pages and API (see core/tests/test_access.py).

Every role reads standards; only province administrators manage them. Standards are province-wide,
so there is no out-of-scope case. Each route that changes something gets its own standard, because
the allowed call really happens (a delete deletes, a freeze freezes).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from qiancun.core.testing import EVERYONE, NOT_PROVINCE_ADMIN, READERS_ONLY, Route, province_admin
from qiancun.standards.actions import do_create_standard
from qiancun.standards.models import Standard
from qiancun.standards.spreadsheet import export_indicators

PROVINCE_ADMIN = {("admin", "22")}
NOT_MANAGERS = NOT_PROVINCE_ADMIN | READERS_ONLY


def default_standard() -> Standard:
    return Standard.objects.get(year=2022, version=1)


def fresh_standard(name: str) -> Standard:
    """An editable copy of the default standard, for one route to change."""
    return do_create_standard(acting_user=province_admin(), year=2099, name=name, copy_from=default_standard())


def routes() -> dict[str, Route]:
    default = default_standard()
    s = {key: fresh_standard(f"access {key}") for key in (
        "edit", "delete", "freeze", "revision", "indicator", "indicator_delete", "move",
        "api_patch", "api_delete", "api_freeze", "api_revision", "api_add", "api_order", "api_indicator",
        "api_indicator_delete", "api_import",
    )}
    first = {key: standard.indicators.order_by("order").first() for key, standard in s.items()}
    xlsx = export_indicators(s["api_import"])

    def upload():
        return {"file": SimpleUploadedFile("指标.xlsx", xlsx)}

    order = list(s["api_order"].indicators.order_by("-order").values_list("pk", flat=True))
    base = "/api/v1/standards"
    return {
        # pages
        "standards:list": Route("standards", "/standards/", EVERYONE),
        "standards:create": Route("create", "/standards/new/", PROVINCE_ADMIN, NOT_MANAGERS),
        "standards:detail": Route("detail", f"/standards/{default.pk}/", EVERYONE),
        "standards:edit": Route("edit", f"/standards/{s['edit'].pk}/edit/", PROVINCE_ADMIN, NOT_MANAGERS),
        "standards:delete": Route(
            "delete", f"/standards/{s['delete'].pk}/delete/", PROVINCE_ADMIN, NOT_MANAGERS, method="post"
        ),
        "standards:freeze": Route(
            "freeze", f"/standards/{s['freeze'].pk}/freeze/", PROVINCE_ADMIN, NOT_MANAGERS, method="post"
        ),
        "standards:revision": Route(
            "revision", f"/standards/{s['revision'].pk}/revision/", PROVINCE_ADMIN, NOT_MANAGERS, method="post"
        ),
        "standards:indicator_add": Route(
            "indicator add", f"/standards/{s['indicator'].pk}/indicators/new/", PROVINCE_ADMIN, NOT_MANAGERS
        ),
        "standards:indicator_edit": Route(
            "indicator edit", f"/standards/{s['indicator'].pk}/indicators/{first['indicator'].pk}/edit/",
            PROVINCE_ADMIN, NOT_MANAGERS,
        ),
        "standards:indicator_delete": Route(
            "indicator delete",
            f"/standards/{s['indicator_delete'].pk}/indicators/{first['indicator_delete'].pk}/delete/",
            PROVINCE_ADMIN, NOT_MANAGERS, method="post",
        ),
        "standards:indicator_move": Route(
            "indicator move", f"/standards/{s['move'].pk}/indicators/{first['move'].pk}/move/",
            PROVINCE_ADMIN, NOT_MANAGERS, method="post", data={"direction": "down"},
        ),
        "standards:export": Route("export", f"/standards/{default.pk}/export.xlsx", EVERYONE),
        "standards:import": Route("import", f"/standards/{s['edit'].pk}/import/", PROVINCE_ADMIN, NOT_MANAGERS),
        "standards:handbook": Route("handbook", f"/standards/{default.pk}/handbook/", EVERYONE),
        "standards:handbook_docx": Route("handbook docx", f"/standards/{default.pk}/handbook.docx", EVERYONE),
        # API
        f"GET {base}": Route("list api", base, EVERYONE, api=True),
        f"POST {base}": Route(
            "create api", base, PROVINCE_ADMIN, NOT_MANAGERS, method="post", api=True,
            data={"year": 2098, "name": "接口新建的标准"},
        ),
        f"GET {base}/computations": Route("computations api", f"{base}/computations", EVERYONE, api=True),
        f"GET {base}/{{standard_id}}": Route("detail api", f"{base}/{default.pk}", EVERYONE, api=True),
        f"PATCH {base}/{{standard_id}}": Route(
            "patch api", f"{base}/{s['api_patch'].pk}", PROVINCE_ADMIN, NOT_MANAGERS, method="patch", api=True,
            data={"name": "改名"},
        ),
        f"DELETE {base}/{{standard_id}}": Route(
            "delete api", f"{base}/{s['api_delete'].pk}", PROVINCE_ADMIN, NOT_MANAGERS, method="delete", api=True
        ),
        f"POST {base}/{{standard_id}}/freeze": Route(
            "freeze api", f"{base}/{s['api_freeze'].pk}/freeze", PROVINCE_ADMIN, NOT_MANAGERS, method="post", api=True
        ),
        f"POST {base}/{{standard_id}}/revision": Route(
            "revision api", f"{base}/{s['api_revision'].pk}/revision", PROVINCE_ADMIN, NOT_MANAGERS, method="post",
            api=True,
        ),
        f"POST {base}/{{standard_id}}/indicators": Route(
            "indicator add api", f"{base}/{s['api_add'].pk}/indicators", PROVINCE_ADMIN, NOT_MANAGERS, method="post",
            api=True, data={"kind": "have", "category": "industry", "title": "有电商服务点", "description": "查看服务点"},
        ),
        f"PUT {base}/{{standard_id}}/indicators/order": Route(
            "order api", f"{base}/{s['api_order'].pk}/indicators/order", PROVINCE_ADMIN, NOT_MANAGERS, method="put",
            api=True, data={"indicator_ids": order},
        ),
        f"PATCH {base}/{{standard_id}}/indicators/{{indicator_id}}": Route(
            "indicator patch api", f"{base}/{s['api_indicator'].pk}/indicators/{first['api_indicator'].pk}",
            PROVINCE_ADMIN, NOT_MANAGERS, method="patch", api=True, data={"weight": 10},
        ),
        f"DELETE {base}/{{standard_id}}/indicators/{{indicator_id}}": Route(
            "indicator delete api",
            f"{base}/{s['api_indicator_delete'].pk}/indicators/{first['api_indicator_delete'].pk}",
            PROVINCE_ADMIN, NOT_MANAGERS, method="delete", api=True,
        ),
        f"GET {base}/{{standard_id}}/export": Route("export api", f"{base}/{default.pk}/export", EVERYONE, api=True),
        f"POST {base}/{{standard_id}}/import": Route(
            "import api", f"{base}/{s['api_import'].pk}/import", PROVINCE_ADMIN, NOT_MANAGERS, method="post",
            api=True, multipart=True, data=upload,
        ),
        f"GET {base}/{{standard_id}}/handbook": Route("handbook api", f"{base}/{default.pk}/handbook", EVERYONE, api=True),
        f"POST {base}/{{standard_id}}/evaluate": Route(
            "evaluate api", f"{base}/{default.pk}/evaluate", EVERYONE, method="post", api=True,
            data={"verdicts": {str(i): "met" for i in default.indicators.values_list("pk", flat=True)}},
        ),
    }
