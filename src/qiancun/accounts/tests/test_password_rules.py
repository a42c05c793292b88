"""Password history, weak patterns and Chinese messages (等保 level 3, 身份鉴别)."""

import pytest
from django.test import Client
from django.urls import reverse

from qiancun.accounts import actions
from qiancun.core.errors import DomainError
from qiancun.core.testing import PASSWORD, YANJI, client_for, make_user

pytestmark = pytest.mark.django_db


def change(user, old: str, new: str):
    return actions.do_change_password(user, acting_user=user, old_password=old, new_password=new)


def test_none_of_the_last_five_passwords_can_be_used_again():
    user = make_user("staff", YANJI)
    history = [PASSWORD, "Lishi#2022a", "Lishi#2022b", "Lishi#2022c", "Lishi#2022d"]
    for old, new in zip(history, history[1:], strict=False):
        change(user, old, new)
    for used in history[:-1]:  # the current one is refused as "the same as the old password"
        with pytest.raises(DomainError) as caught:
            change(user, history[-1], used)
        assert caught.value.field == "new_password"
        assert caught.value.message == "新密码不能与最近 5 次使用过的密码相同", used
    change(user, history[-1], "Lishi#2022e")  # the sixth: PASSWORD drops out of the last five
    change(user, "Lishi#2022e", PASSWORD)
    assert user.check_password(PASSWORD)


def test_the_password_page_refuses_a_reused_password_with_the_field_named():
    user = make_user("staff", YANJI)
    client = client_for(user)
    client.post(reverse("accounts:password_change"),
                {"old_password": PASSWORD, "new_password": "Lishi#2022a", "new_password_again": "Lishi#2022a"})
    back = client.post(reverse("accounts:password_change"),
                       {"old_password": "Lishi#2022a", "new_password": PASSWORD, "new_password_again": PASSWORD})
    assert back.status_code == 200
    assert back.context["form"].errors["new_password"] == ["新密码不能与最近 5 次使用过的密码相同"]


@pytest.mark.parametrize(("password", "reason"), [
    ("aaaaaaa1A", "同一字符连续出现 4 次以上"),
    ("Abcd@2019x", "含有连续的字母、数字或键盘顺序（如“abcd”）"),
    ("Pass@9876x", "含有连续的字母、数字或键盘顺序（如“9876”）"),
    ("Qwer@2019x", "含有连续的字母、数字或键盘顺序（如“qwer”）"),
    ("Ab1!Ab1!Ab", "不同的字符少于 5 个"),
])
def test_weak_patterns_are_refused_even_with_three_classes(password, reason):
    user = make_user("staff", YANJI)
    with pytest.raises(DomainError) as caught:
        change(user, PASSWORD, password)
    assert caught.value.message == f"密码过于简单：{reason}"


def test_password_messages_are_chinese_whatever_language_the_browser_asks_for():
    user = make_user("staff", YANJI)
    client = client_for(user)
    answer = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password": "Ab1!x", "new_password_again": "Ab1!x"},
        headers={"Accept-Language": "en-US,en;q=0.9"},
    )
    assert answer.context["form"].errors["new_password"] == ["密码太短：至少 8 个字符"]
    login = Client().post(reverse("accounts:login"), {"username": user.username, "password": "x"},
                          headers={"Accept-Language": "en"})
    assert "账号或密码不正确" in login.content.decode()


@pytest.mark.parametrize(("password", "message"), [
    ("Ab1!x", "密码太短：至少 8 个字符"),
    ("Password1", "密码太常见，容易被猜中"),
    ("T_staff_222401x", "密码与用户名太相似"),
])
def test_each_password_rule_speaks_chinese(password, message):
    user = make_user("staff", YANJI)
    with pytest.raises(DomainError) as caught:
        change(user, PASSWORD, password)
    assert message in caught.value.message.split("；")
