import pytest
from django.urls import reverse

from qiancun.accounts import actions
from qiancun.accounts.models import User
from qiancun.core.errors import DomainError
from qiancun.core.models import AuditEntry
from qiancun.core.testing import CHANGCHUN, HUNCHUN_VILLAGE, PASSWORD, YANJI, client_for, make_user, province_admin

pytestmark = pytest.mark.django_db


def create(admin, **overrides):
    data = {"username": "new_user", "display_name": "新用户", "role": "staff", "scope_code": "220112"}
    data.update(overrides)
    return actions.do_create_user(acting_user=admin, **data)


def test_city_admin_creates_users_inside_the_city_only():
    admin = make_user("admin", CHANGCHUN)
    user, password = create(admin)
    assert user.scope_id == "220112" and user.must_change_password and user.check_password(password)
    with pytest.raises(DomainError) as outside:
        create(admin, username="outsider", scope_code=YANJI)
    assert outside.value.field == "scope" and "管辖范围" in outside.value.message
    with pytest.raises(DomainError) as above:
        create(admin, username="above", role="admin", scope_code="22")
    assert above.value.field == "scope"


def test_admins_exist_only_at_province_city_and_county_level():
    with pytest.raises(DomainError) as caught:
        create(province_admin(), role="admin", scope_code="220112102")
    assert caught.value.field == "role"


def test_department_users_need_a_department_and_province_scope():
    with pytest.raises(DomainError) as caught:
        create(province_admin(), role="department", scope_code="22")
    assert caught.value.field == "department"
    user, _ = create(province_admin(), role="department", scope_code="22", department_code="justice")
    assert user.department.name == "省司法厅"


def test_admin_cannot_change_their_own_role_or_deactivate_themselves():
    admin = make_user("admin", CHANGCHUN)
    with pytest.raises(DomainError):
        actions.do_update_user(admin, acting_user=admin, role="staff")
    with pytest.raises(DomainError):
        actions.do_set_user_active(admin, False, acting_user=admin)


def test_user_list_shows_only_users_in_scope_and_others_are_404():
    city_admin = make_user("admin", CHANGCHUN)
    yanji_staff = make_user("staff", YANJI)
    changchun_staff = make_user("staff", "220112")
    client = client_for(city_admin)
    listed = {u.username for u in client.get(reverse("accounts:user_list")).context["page_obj"]}
    assert changchun_staff.username in listed and yanji_staff.username not in listed
    assert province_admin().username not in listed
    assert client.get(reverse("accounts:user_detail", args=[yanji_staff.pk])).status_code == 404
    assert client.get(reverse("accounts:user_detail", args=[province_admin().pk])).status_code == 404


def test_creating_a_user_in_the_browser_shows_the_one_time_password_once():
    client = client_for(make_user("admin", YANJI))
    response = client.post(
        reverse("accounts:user_create"),
        {"username": "xiaoying", "display_name": "小营镇干部", "role": "staff", "scope": "222401100"},
    )
    assert response.status_code == 200
    user = User.objects.get(username="xiaoying")
    assert user.check_password(response.context["password"])
    refused = client.post(
        reverse("accounts:user_create"),
        {"username": "hunchun", "display_name": "越权", "role": "staff", "scope": HUNCHUN_VILLAGE},
    )
    assert "不在您的管辖范围内" in refused.context["form"].errors["scope"][0]
    assert not User.objects.filter(username="hunchun").exists()


def test_disabled_users_cannot_log_in_and_the_change_is_audited(client):
    admin = make_user("admin", YANJI)
    target = make_user("staff", "222401100")
    client_for(admin).post(reverse("accounts:user_set_active", args=[target.pk]), {"active": "0"})
    target.refresh_from_db()
    assert target.is_active is False
    login = client.post(reverse("accounts:login"), {"username": target.username, "password": PASSWORD})
    assert login.status_code == 200 and not login.wsgi_request.user.is_authenticated
    entry = AuditEntry.objects.filter(object_id=str(target.pk), action="update").latest("id")
    assert entry.changes == {"is_active": [True, False]} and entry.actor == admin


def test_reset_password_forces_a_change_at_next_login(client):
    target = make_user("staff", "222401100")
    response = client_for(make_user("admin", YANJI)).post(reverse("accounts:user_reset_password", args=[target.pk]))
    temporary = response.context["password"]
    client.post(reverse("accounts:login"), {"username": target.username, "password": temporary})
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:password_change")
    weak = client.post(
        reverse("accounts:password_change"),
        {"old_password": temporary, "new_password": "abcdefgh1", "new_password_again": "abcdefgh1"},
    )
    assert "至少 3 类" in weak.context["form"].errors["new_password"][0]
    done = client.post(
        reverse("accounts:password_change"),
        {"old_password": temporary, "new_password": "Xinmima@2022", "new_password_again": "Xinmima@2022"},
    )
    assert done["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200


@pytest.mark.parametrize(
    ("password", "ok"),
    [("Qiancun8x", True), ("xiangcun1!", True), ("abcdefgh", False), ("ABCDEFG1", False), ("Ab1!", False)],
)
def test_password_rule_is_eight_characters_from_three_classes(password, ok):
    user = make_user("staff", YANJI)
    if ok:
        actions.do_change_password(user, acting_user=user, old_password=PASSWORD, new_password=password)
        assert user.check_password(password)
    else:
        with pytest.raises(DomainError) as caught:
            actions.do_change_password(user, acting_user=user, old_password=PASSWORD, new_password=password)
        assert caught.value.field == "new_password"


def test_five_failed_logins_lock_the_account_for_thirty_minutes(client):
    user = make_user("staff", YANJI)
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    locked = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    assert "锁定 30 分钟" in locked.content.decode()
    assert not locked.wsgi_request.user.is_authenticated
    actions_logged = list(AuditEntry.objects.filter(actor_username=user.username).values_list("action", flat=True))
    assert actions_logged.count("login_failed") >= 5 and "locked_out" in actions_logged


def test_sessions_expire_after_thirty_idle_minutes():
    client = client_for(make_user("staff", YANJI))
    client.get(reverse("core:home"))
    assert client.session.get_expiry_age() == 30 * 60
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
