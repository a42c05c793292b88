"""三员分立 and who appoints administrators: what a 等保 level-3 assessor checks on the user pages and API."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from qiancun.accounts import actions
from qiancun.accounts.models import User
from qiancun.core.errors import DomainError
from qiancun.core.models import AuditEntry
from qiancun.core.testing import CHANGCHUN, PASSWORD, YANJI, YANJI_VILLAGE, client_for, make_user, province_admin

pytestmark = pytest.mark.django_db


def post_user(client, **data):
    body = {"username": "new_admin", "display_name": "新管理员", "role": "admin", "scope_code": CHANGCHUN}
    body.update(data)
    return client.post("/api/v1/users", body, content_type="application/json")


def test_the_system_administrator_manages_users_but_cannot_read_the_audit_log():
    admin = client_for(make_user("admin", "22"))
    assert admin.get(reverse("accounts:user_list")).status_code == 200
    assert admin.get(reverse("core:audit_list")).status_code == 403
    assert admin.get("/api/v1/audit").status_code == 403
    assert "审计日志" not in admin.get(reverse("core:home")).content.decode()


def test_the_audit_administrator_reads_the_audit_log_and_changes_nothing():
    make_user("staff", YANJI)  # something to read: its creation
    auditor = make_user("auditor", "22")
    client = client_for(auditor)
    page = client.get(reverse("core:audit_list"), {"action": "create"})
    assert page.status_code == 200 and page.context["page_obj"].paginator.count > 0
    assert "审计日志" in page.content.decode() and "用户管理" not in page.content.decode()
    assert client.get("/api/v1/audit").json()["count"] > 0
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert post_user(client, username="by_auditor", role="staff", scope_code=YANJI).status_code == 403
    assert client.post(reverse("regions:village_edit", args=[YANJI_VILLAGE]), {"village_type": "urban"}).status_code == 403
    assert client.post(reverse("accounts:user_unlock", args=[auditor.pk])).status_code == 403
    assert not User.objects.filter(username="by_auditor").exists()


def test_the_security_administrator_neither_manages_users_nor_reads_the_audit_log():
    client = client_for(make_user("security_admin", "22"))
    home = client.get(reverse("core:home")).content.decode()
    assert "账号安全" in home and "用户管理" not in home and "审计日志" not in home
    assert "账号安全" not in client_for(make_user("admin", "22")).get(reverse("core:home")).content.decode()
    assert client.get(reverse("accounts:security")).status_code == 200
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert post_user(client, username="by_security", role="staff", scope_code=YANJI).status_code == 403
    assert client.get(reverse("core:audit_list")).status_code == 403


def test_a_city_administrator_cannot_create_or_promote_administrators_at_its_own_level():
    city = client_for(make_user("admin", CHANGCHUN))
    for role in ("admin", "security_admin", "auditor"):
        refused = post_user(city, username=f"peer_{role}", role=role, scope_code=CHANGCHUN)
        assert refused.status_code == 403 and refused.json()["code"] == "forbidden", role
        assert ("只能由上一级管理员设立" if role == "admin" else "只能由上一级安全管理员设立") in refused.json()["message"]
    assert not User.objects.filter(username__startswith="peer_").exists()
    staff = make_user("staff", CHANGCHUN)
    promoted = city.patch(f"/api/v1/users/{staff.pk}", {"role": "admin"}, content_type="application/json")
    assert promoted.status_code == 403
    staff.refresh_from_db()
    assert staff.role == "staff"
    # The level below is the city's to appoint: a county (district) administrator of 双阳区.
    assert post_user(city, username="shuangyang_admin", scope_code="220112").status_code == 201


def test_an_administrator_cannot_reset_the_password_of_a_peer_administrator():
    peer = make_user("admin", CHANGCHUN, username="changchun_admin_2")
    city = client_for(make_user("admin", CHANGCHUN))
    assert city.post(f"/api/v1/users/{peer.pk}/reset-password").status_code == 403
    assert city.post(f"/api/v1/users/{peer.pk}/deactivate").status_code == 403
    peer.refresh_from_db()
    assert peer.check_password(PASSWORD) and peer.is_active
    assert client_for(province_admin()).post(f"/api/v1/users/{peer.pk}/deactivate").status_code == 200


def test_the_user_pages_refuse_a_peer_administrator_with_the_reason():
    peer = make_user("admin", CHANGCHUN, username="changchun_admin_2")
    city = client_for(make_user("admin", CHANGCHUN))
    reset = city.post(reverse("accounts:user_reset_password", args=[peer.pk]), follow=True)
    assert reset.status_code == 200 and "与您同级，只能由上一级管理员管理" in reset.content.decode()
    edited = city.post(reverse("accounts:user_detail", args=[peer.pk]),
                       {"display_name": "改名", "role": "admin", "scope": CHANGCHUN, "department": ""})
    assert "与您同级，只能由上一级管理员管理" in edited.content.decode()
    peer.refresh_from_db()
    assert peer.check_password(PASSWORD) and peer.display_name == "changchun_admin_2"


def test_a_county_administrator_may_never_appoint_administrators_and_hears_403_before_409():
    county = client_for(make_user("admin", YANJI))
    taken = make_user("staff", "222401100").username
    answer = post_user(county, username=taken, role="admin", scope_code="222401100")
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    assert post_user(county, username=taken, role="staff", scope_code="222401100").status_code == 409


def test_a_department_is_refused_for_users_who_are_not_department_users():
    admin = client_for(province_admin())
    refused = post_user(admin, username="not_dept", role="staff", scope_code=YANJI, department_code="justice")
    assert refused.status_code == 400
    assert refused.json()["field"] == "department" and refused.json()["message"] == "只有部门用户才能选择所属部门，工作人员不能选择"
    dept = make_user("department", "22")
    changed = admin.patch(f"/api/v1/users/{dept.pk}", {"role": "leader"}, content_type="application/json")
    assert changed.status_code == 200 and changed.json()["department_code"] is None  # the department goes with the role


def test_the_province_security_and_audit_administrators_come_from_the_command_line(monkeypatch):
    with pytest.raises(DomainError) as caught:
        actions.do_create_user(acting_user=province_admin(), username="p_auditor", display_name="审计",
                               role="auditor", scope_code="22")
    assert caught.value.code == "forbidden"
    monkeypatch.setenv("QIANCUN_ADMIN_PASSWORD", "Shenji@2022qc")
    call_command("create_admin", "p_auditor", "--role", "auditor")
    auditor = User.objects.get(username="p_auditor")
    assert (auditor.role, auditor.scope_id, auditor.role_label) == ("auditor", "22", "省级审计管理员")
    assert AuditEntry.objects.filter(action="create", object_id=str(auditor.pk), actor_username="system").exists()


def test_no_system_administrator_appoints_a_security_or_audit_administrator():
    # 三员分立: the system administrator would otherwise read the audit log through an auditor of his own making.
    province = client_for(province_admin())
    refused = post_user(province, username="aud7", role="auditor", scope_code=CHANGCHUN)
    assert refused.status_code == 403
    assert refused.json()["message"] == "系统管理员不能设立或更改审计管理员：只能由上一级安全管理员设立"
    city_admin = make_user("admin", CHANGCHUN)
    city = client_for(city_admin)
    staff = make_user("staff", "220102")
    promoted = city.patch(f"/api/v1/users/{staff.pk}", {"role": "security_admin", "scope_code": "220102"},
                          content_type="application/json")
    assert promoted.status_code == 403 and "安全管理员" in promoted.json()["message"]
    assert post_user(city, username="ccaud_x1", role="auditor", scope_code="220102").status_code == 403
    yanji_staff = make_user("staff", YANJI)
    assert province.patch(f"/api/v1/users/{yanji_staff.pk}", {"role": "auditor"},
                          content_type="application/json").status_code == 403
    staff.refresh_from_db()
    yanji_staff.refresh_from_db()
    assert (staff.role, yanji_staff.role) == ("staff", "staff")
    assert not User.objects.filter(username__in=["aud7", "ccaud_x1"]).exists()
    # Nor resets, disables or demotes one appointed by the security administrator.
    auditor = make_user("auditor", CHANGCHUN)
    assert province.post(f"/api/v1/users/{auditor.pk}/reset-password").status_code == 403
    assert province.post(f"/api/v1/users/{auditor.pk}/deactivate").status_code == 403
    assert province.patch(f"/api/v1/users/{auditor.pk}", {"role": "staff"}, content_type="application/json").status_code == 403
    auditor.refresh_from_db()
    assert auditor.role == "auditor" and auditor.is_active and auditor.check_password(PASSWORD)


def test_the_user_page_offers_a_system_administrator_neither_oversight_role():
    province = client_for(province_admin())
    form = province.get(reverse("accounts:user_create"))
    roles = [value for value, _ in form.context["form"].fields["role"].choices]
    assert "auditor" not in roles and "security_admin" not in roles and "admin" in roles
    refused = province.post(reverse("accounts:user_create"), {
        "username": "aud_page", "display_name": "审计", "role": "auditor", "scope": CHANGCHUN, "department": "",
    })
    assert refused.status_code == 200 and not User.objects.filter(username="aud_page").exists()
    assert refused.context["form"].errors["role"] == ["选择一个有效的选项。 auditor 不在可用的选项中。"]


def test_the_province_security_administrator_appoints_a_city_auditor():
    security = client_for(make_user("security_admin", "22"))
    made = post_user(security, username="cc_auditor", role="auditor", scope_code=CHANGCHUN)
    assert made.status_code == 201 and made.json()["user"]["role"] == "auditor"
    assert AuditEntry.objects.filter(action="create", object_id=str(made.json()["user"]["id"]),
                                     actor_username="t_security_admin_22").exists()
    # but not a system administrator or staff, and not at its own level
    assert post_user(security, username="by_sec_admin", role="admin", scope_code=CHANGCHUN).status_code == 403
    assert post_user(security, username="p_auditor2", role="auditor", scope_code="22").status_code == 403
