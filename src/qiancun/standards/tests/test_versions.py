"""Editing standards: pages and API for province administrators, frozen versions refused, revisions."""

import pytest
from django.urls import reverse

from qiancun.core.errors import DomainError
from qiancun.core.models import AuditEntry
from qiancun.core.testing import CHANGCHUN, YANJI, client_for, make_user, province_admin
from qiancun.standards import actions
from qiancun.standards.models import Standard

from .factories import default_standard, editable_copy, indicator_rows

pytestmark = pytest.mark.django_db


def admin_client():
    return client_for(make_user("admin", "22"))


def test_province_admin_creates_a_standard_copied_from_the_default_and_it_takes_the_next_version():
    source = default_standard()
    response = admin_client().post(
        reverse("standards:create"),
        {"year": 2022, "name": "2022年创建标准（修订稿）", "copy_from": source.pk, "pass_rule": "all", "is_provisional": "on"},
    )
    created = Standard.objects.get(year=2022, name="2022年创建标准（修订稿）")
    assert response.status_code == 302 and response["Location"] == reverse("standards:detail", args=[created.pk])
    assert created.version == 2 and created.previous is None
    assert [r[:-1] for r in indicator_rows(created)] == [r[:-1] for r in indicator_rows(source)]
    assert AuditEntry.objects.filter(object_type="standards.standard", object_id=str(created.pk), action="create").exists()


def test_a_new_empty_standard_starts_without_indicators():
    response = admin_client().post(reverse("standards:create"), {"year": 2031, "name": "2031年创建标准", "pass_rule": "all"})
    created = Standard.objects.get(year=2031)
    assert response.status_code == 302 and created.version == 1 and not created.indicators.exists()
    assert created.is_provisional is False  # the box was left unticked


def test_score_rule_needs_a_pass_score_and_the_form_says_so():
    standard = editable_copy()
    page = admin_client().post(reverse("standards:edit", args=[standard.pk]), {"name": standard.name, "pass_rule": "score"})
    assert page.status_code == 200
    assert "须填写分数线" in str(page.context["form"].errors["pass_score"])
    ok = admin_client().post(
        reverse("standards:edit", args=[standard.pk]), {"name": "改名", "pass_rule": "score", "pass_score": 60}
    )
    standard.refresh_from_db()
    assert ok.status_code == 302 and (standard.name, standard.pass_rule, standard.pass_score) == ("改名", "score", 60)


def test_indicators_are_added_edited_moved_and_deleted_on_the_pages():
    standard = editable_copy()
    client = admin_client()
    added = client.post(
        reverse("standards:indicator_add", args=[standard.pk]),
        {"kind": "have", "category": "infrastructure", "title": "有位置登记", "description": "村庄位置已登记", "judged_by": "computed",
         "computation": "village_location_recorded", "weight": 5},
    )
    assert added.status_code == 302
    new = standard.indicators.get(title="有位置登记")
    assert new.code == "有10" and new.order == 16 and new.computation == "village_location_recorded"

    client.post(reverse("standards:indicator_move", args=[standard.pk, new.pk]), {"direction": "up"})
    haves = list(standard.indicators.filter(kind="have").order_by("order").values_list("code", flat=True))
    assert haves[-2:] == ["有10", "有9"]

    edited = client.post(
        reverse("standards:indicator_edit", args=[standard.pk, new.pk]),
        {"code": "有10", "kind": "have", "category": "infrastructure", "title": "有村庄位置登记", "description": "经纬度已登记",
         "judged_by": "inspector", "computation": "village_location_recorded", "weight": 0},
    )
    new.refresh_from_db()
    assert edited.status_code == 302 and new.title == "有村庄位置登记" and new.computation == ""  # inspectors name no computation

    client.post(reverse("standards:indicator_delete", args=[standard.pk, new.pk]))
    assert standard.indicators.count() == 15
    assert list(standard.indicators.order_by("order").values_list("order", flat=True)) == list(range(1, 16))


def test_indicator_form_names_the_field_that_is_wrong():
    standard = editable_copy()
    client = admin_client()
    computed = client.post(
        reverse("standards:indicator_add", args=[standard.pk]),
        {"kind": "have", "category": "planning", "title": "有规划", "description": "查规划", "judged_by": "computed", "weight": 0},
    )
    assert "须选择计算规则" in str(computed.context["form"].errors["computation"])
    duplicate = client.post(
        reverse("standards:indicator_add", args=[standard.pk]),
        {"code": "无1", "kind": "must_not", "category": "safety", "title": "无危房", "description": "查危房", "judged_by": "inspector", "weight": 0},
    )
    assert "已被本标准的其他指标使用" in str(duplicate.context["form"].errors["code"])
    assert standard.indicators.count() == 15


def test_a_frozen_standard_refuses_every_edit_with_a_clear_chinese_message():
    standard = editable_copy()
    # The inspections domain freezes a version when an inspection first uses it; the inspector acts.
    actions.do_freeze_standard(standard, acting_user=make_user("inspector", "22"))
    before = indicator_rows(standard)
    admin = make_user("admin", "22")
    indicator = standard.indicators.first()
    attempts = [
        lambda: actions.do_update_standard(standard, acting_user=admin, name="改"),
        lambda: actions.do_add_indicator(standard, acting_user=admin, kind="have", category="planning", title="t", description="d"),
        lambda: actions.do_update_indicator(indicator, acting_user=admin, title="改"),
        lambda: actions.do_delete_indicator(indicator, acting_user=admin),
        lambda: actions.do_move_indicator(indicator, "down", acting_user=admin),
        lambda: actions.do_delete_standard(standard, acting_user=admin),
    ]
    for attempt in attempts:
        with pytest.raises(DomainError) as refused:
            attempt()
        assert refused.value.code == "conflict" and "已冻结" in refused.value.message and "创建新版本" in refused.value.message

    client = client_for(admin)
    api = client.patch(f"/api/v1/standards/{standard.pk}", {"name": "改"}, content_type="application/json")
    assert api.status_code == 409 and api.json()["code"] == "conflict" and "已冻结" in api.json()["message"]
    added = client.post(
        f"/api/v1/standards/{standard.pk}/indicators",
        {"kind": "have", "category": "planning", "title": "t", "description": "d"}, content_type="application/json",
    )
    assert added.status_code == 409
    page = client.post(reverse("standards:edit", args=[standard.pk]), {"name": "改", "pass_rule": "all"})
    assert "已冻结" in str(page.context["form"].non_field_errors())
    assert client.get(reverse("standards:edit", args=[standard.pk])).status_code == 302
    standard.refresh_from_db()
    assert standard.name == "2030年测试标准" and indicator_rows(standard) == before


def test_a_frozen_standard_offers_a_new_version_instead_of_edit_buttons():
    standard = editable_copy()
    actions.do_freeze_standard(standard, acting_user=province_admin())
    content = admin_client().get(reverse("standards:detail", args=[standard.pk])).content.decode()
    assert "创建新版本" in content and 'data-testid="frozen-banner"' in content
    assert reverse("standards:edit", args=[standard.pk]) not in content
    assert reverse("standards:indicator_add", args=[standard.pk]) not in content
    assert reverse("standards:import", args=[standard.pk]) not in content


def test_revision_creates_version_two_with_copied_indicators():
    standard = editable_copy(year=2032)
    actions.do_freeze_standard(standard, acting_user=province_admin())
    response = admin_client().post(reverse("standards:revision", args=[standard.pk]))
    revision = Standard.objects.get(year=2032, version=2)
    assert response.status_code == 302 and response["Location"] == reverse("standards:detail", args=[revision.pk])
    assert revision.previous == standard and not revision.is_frozen and revision.name == standard.name
    assert indicator_rows(revision) == indicator_rows(standard)
    assert set(revision.indicators.values_list("pk", flat=True)).isdisjoint(standard.indicators.values_list("pk", flat=True))
    # The new version is editable; the frozen one is untouched.
    actions.do_update_indicator(revision.indicators.first(), acting_user=province_admin(), title="有村庄规划（修订）")
    assert standard.indicators.order_by("order").first().title == "有“多规合一”实用性村庄规划"
    assert f"第 {revision.version} 版" in admin_client().get(reverse("standards:detail", args=[standard.pk])).content.decode()


def test_revision_through_the_api():
    standard = editable_copy(year=2033)
    client = admin_client()
    frozen = client.post(f"/api/v1/standards/{standard.pk}/freeze").json()
    assert frozen["is_frozen"] is True
    created = client.post(f"/api/v1/standards/{standard.pk}/revision")
    assert created.status_code == 201
    body = created.json()
    assert (body["version"], body["previous_id"], body["is_frozen"], len(body["indicators"])) == (2, standard.pk, False, 15)


def test_freezing_twice_keeps_the_first_time_and_an_empty_standard_cannot_be_frozen():
    standard = editable_copy()
    first = actions.do_freeze_standard(standard, acting_user=None).frozen_at
    assert actions.do_freeze_standard(standard, acting_user=None).frozen_at == first
    empty = actions.do_create_standard(acting_user=province_admin(), year=2034, name="空")
    with pytest.raises(DomainError, match="没有任何指标"):
        actions.do_freeze_standard(empty, acting_user=None)


def test_score_above_the_total_weight_cannot_be_frozen():
    standard = editable_copy(pass_rule="score", pass_score=50)
    with pytest.raises(DomainError, match="高于全部指标分值之和 0"):
        actions.do_freeze_standard(standard, acting_user=None)


def test_a_standard_with_a_later_version_cannot_be_deleted():
    standard = editable_copy()
    actions.do_create_revision(standard, acting_user=province_admin())
    response = admin_client().post(reverse("standards:delete", args=[standard.pk]), follow=True)
    assert Standard.objects.filter(pk=standard.pk).exists()
    assert "不能删除" in response.content.decode()


def test_api_reorders_all_indicators_and_refuses_a_partial_list():
    standard = editable_copy()
    client = admin_client()
    ids = list(standard.indicators.order_by("order").values_list("pk", flat=True))
    partial = client.put(f"/api/v1/standards/{standard.pk}/indicators/order", {"indicator_ids": ids[:3]}, content_type="application/json")
    assert partial.status_code == 400 and partial.json()["field"] == "indicator_ids"
    reordered = client.put(
        f"/api/v1/standards/{standard.pk}/indicators/order", {"indicator_ids": ids[::-1]}, content_type="application/json"
    )
    assert [i["id"] for i in reordered.json()["indicators"]] == ids[::-1]


def test_api_crud_of_indicators_with_chinese_errors():
    standard = editable_copy()
    client = admin_client()
    bad = client.post(
        f"/api/v1/standards/{standard.pk}/indicators",
        {"kind": "have", "category": "planning", "title": "", "description": "d"}, content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json() == {"code": "invalid", "message": "请填写指标名称", "field": "title"}
    unknown = client.post(
        f"/api/v1/standards/{standard.pk}/indicators",
        {"kind": "have", "category": "planning", "title": "t", "description": "d", "judged_by": "computed", "computation": "nope"},
        content_type="application/json",
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "computation" and "未注册" in unknown.json()["message"]
    created = client.post(
        f"/api/v1/standards/{standard.pk}/indicators",
        {"kind": "must_not", "category": "safety", "title": "无危房住人", "description": "查危房", "is_veto": True},
        content_type="application/json",
    )
    assert created.status_code == 201 and created.json()["code"] == "无7"
    indicator_id = created.json()["id"]
    patched = client.patch(
        f"/api/v1/standards/{standard.pk}/indicators/{indicator_id}", {"weight": 8}, content_type="application/json"
    )
    assert patched.json()["weight"] == 8
    assert client.delete(f"/api/v1/standards/{standard.pk}/indicators/{indicator_id}").status_code == 204
    assert client.get(f"/api/v1/standards/{standard.pk}/indicators/{indicator_id}").status_code in (404, 405)


def test_api_creates_and_patches_standards():
    client = admin_client()
    created = client.post(
        "/api/v1/standards", {"year": 2035, "name": "2035年标准", "copy_from": default_standard().pk, "pass_rule": "score", "pass_score": 1},
        content_type="application/json",
    )
    assert created.status_code == 201 and len(created.json()["indicators"]) == 15
    standard_id = created.json()["id"]
    patched = client.patch(f"/api/v1/standards/{standard_id}", {"is_provisional": False, "pass_rule": "all"}, content_type="application/json")
    assert patched.json()["is_provisional"] is False and patched.json()["pass_rule"] == "all"
    missing = client.post("/api/v1/standards", {"year": 2035, "name": "x", "copy_from": 999999}, content_type="application/json")
    assert missing.status_code == 400 and missing.json()["field"] == "copy_from"
    assert client.get("/api/v1/standards?year=2035").json()[0]["id"] == standard_id


@pytest.mark.parametrize(("role", "scope"), [("admin", CHANGCHUN), ("admin", YANJI), ("staff", "22"), ("inspector", "22"), ("leader", "22")])
def test_only_province_admins_manage_standards(role, scope):
    client = client_for(make_user(role, scope))
    standard = editable_copy()
    assert client.get(reverse("standards:create")).status_code == 403
    assert client.post(reverse("standards:revision", args=[standard.pk])).status_code == 403
    refused = client.patch(f"/api/v1/standards/{standard.pk}", {"name": "x"}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    with pytest.raises(DomainError) as denied:
        actions.do_create_revision(standard, acting_user=make_user(role, scope))
    assert denied.value.code == "forbidden"
    assert client.get(reverse("standards:detail", args=[standard.pk])).status_code == 200


def test_changes_to_a_standard_are_in_the_audit_log():
    standard = editable_copy()
    admin = make_user("admin", "22")
    indicator = standard.indicators.get(code="有2")
    actions.do_update_indicator(indicator, acting_user=admin, title="有特色产业")
    actions.do_freeze_standard(standard, acting_user=make_user("inspector", "22"))
    entries = AuditEntry.objects.filter(object_type__startswith="standards.")
    edit = entries.get(object_type="standards.indicator", object_id=str(indicator.pk), action="update")
    assert edit.changes == {"title": ["有带动就业的融合产业", "有特色产业"]} and edit.actor == admin
    assert "有2" in edit.object_repr and "2030年第 1 版" in edit.object_repr
    freeze = entries.filter(object_type="standards.standard", object_id=str(standard.pk), action="update").get()
    assert freeze.actor_username == "t_inspector_22" and freeze.changes["frozen_at"][0] is None


def test_moving_needs_a_direction_and_stays_within_its_group():
    standard = editable_copy()
    last_have = standard.indicators.get(code="有9")
    with pytest.raises(DomainError, match="up 或 down"):
        actions.do_move_indicator(last_have, "sideways", acting_user=province_admin())
    actions.do_move_indicator(last_have, "down", acting_user=province_admin())  # already last of the 有 group
    assert standard.indicators.get(code="有9").order == 9
