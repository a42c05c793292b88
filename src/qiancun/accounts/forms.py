from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse

from qiancun.core.forms import StyledForm

from .choices import OVERSIGHT_ROLES, Role
from .models import Department


class LoginForm(StyledForm, AuthenticationForm):
    error_messages = {
        "invalid_login": "账号或密码不正确。同一地址连续失败 5 次，该账号将在此地址被锁定 30 分钟。",
        "inactive": "该账号已停用，请联系管理员。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "账号"
        self.fields["password"].label = "密码"


class PasswordChangeForm(StyledForm, forms.Form):
    old_password = forms.CharField(label="原密码", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))
    new_password = forms.CharField(
        label="新密码",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="至少 8 位，包含大写字母、小写字母、数字、符号中的至少 3 类；不能有 aaaa、1234、qwer 这样的重复或顺序，"
        "不能与最近 5 次使用过的密码相同",
    )
    new_password_again = forms.CharField(label="再次输入新密码", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("new_password") != data.get("new_password_again"):
            self.add_error("new_password_again", "两次输入的新密码不一致")
        return data


def department_choices():
    return [("", "（非部门用户）")] + list(Department.objects.filter(is_active=True).values_list("code", "name"))


class UserForm(StyledForm, forms.Form):
    display_name = forms.CharField(label="姓名", max_length=50)
    role = forms.ChoiceField(label="角色", choices=Role.choices)
    scope = forms.CharField(
        label="管辖区划代码",
        max_length=12,
        help_text="输入名称或拼音首字母后从列表中选择，如 延吉 / yjs",
        widget=forms.TextInput(attrs={"list": "qc-scope-options", "autocomplete": "off"}),
    )
    department = forms.ChoiceField(label="所属部门", required=False, help_text="仅部门用户需要选择")

    def __init__(self, *args, acting_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = department_choices()
        if acting_user is not None and not acting_user.is_superuser:
            # 三员分立: the security administrator gives the two oversight roles, the system administrator the rest.
            oversees = acting_user.role == Role.SECURITY_ADMIN
            self.fields["role"].choices = [(v, label) for v, label in Role.choices if (v in OVERSIGHT_ROLES) == oversees]
        # The region picker: typing fills the datalist with matching regions (codes as values).
        self.fields["scope"].widget.attrs.update(
            {
                "hx-get": reverse("regions:search") + "?format=options",
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#qc-scope-options",
            }
        )


class UserCreateForm(UserForm):
    username = forms.CharField(label="账号", max_length=150, help_text="3–150 位字母、数字或 _ . @ -")
    field_order = ["username", "display_name", "role", "scope", "department"]


class ApiTokenForm(StyledForm, forms.Form):
    name = forms.CharField(label="用途", max_length=100, help_text="如：市级数据对接")
    expires_in_days = forms.IntegerField(label="有效期（天）", required=False)

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        # The action checks the range (accounts.actions.token_lifetime_days); the page only says it.
        self.fields["expires_in_days"].help_text = (
            f"留空为 {settings.QIANCUN_API_TOKEN_DEFAULT_DAYS} 天，最长 {settings.QIANCUN_API_TOKEN_MAX_DAYS} 天；到期前可随时吊销"
        )


class OtpCodeForm(StyledForm, forms.Form):
    code = forms.CharField(
        label="验证码", max_length=32,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def __init__(self, *args, recovery_allowed: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if recovery_allowed:
            self.fields["code"].help_text = "身份验证器上显示的 6 位数字；手机不在身边时，可输入一个恢复码（每个只能用一次）"
        else:
            self.fields["code"].help_text = "身份验证器上当前显示的 6 位数字"
