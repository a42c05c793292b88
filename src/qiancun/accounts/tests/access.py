"""Access table of the accounts pages and API (see core/tests/test_access.py)."""

from qiancun.core.testing import ADMINS, EVERYONE, NOT_ADMINS, YANJI, Route, make_user

COVERED_ELSEWHERE = {
    "accounts:token_revoke": "accounts/tests/test_tokens_page.py",
    "DELETE /api/v1/tokens/{token_id}": "accounts/tests/test_api.py::test_tokens_are_shown_once_stored_hashed_and_stop_working_when_revoked",
}


def routes() -> dict[str, Route]:
    in_yanji = make_user("staff", "222401100")
    in_changchun = make_user("staff", "220112")
    table = {
        "accounts:password_change": Route("password", "/accounts/password/", EVERYONE),
        "accounts:user_list": Route("users", "/accounts/users/", ADMINS, NOT_ADMINS),
        "accounts:user_create": Route("user create", "/accounts/users/new/", ADMINS, NOT_ADMINS),
        "accounts:token_list": Route("tokens", "/accounts/tokens/", EVERYONE),
        "accounts:otp_overview": Route("2fa", "/accounts/2fa/", EVERYONE),
        "accounts:otp_setup": Route("2fa setup", "/accounts/2fa/setup/", EVERYONE),
        "accounts:otp_verify": Route("2fa verify", "/accounts/2fa/verify/", EVERYONE),
        "accounts:otp_recovery_codes": Route("2fa codes", "/accounts/2fa/recovery-codes/", EVERYONE, method="post"),
        "accounts:otp_disable": Route("2fa disable", "/accounts/2fa/disable/", EVERYONE, method="post"),
        "GET /api/v1/me": Route("me", "/api/v1/me", EVERYONE, api=True),
        "GET /api/v1/users": Route("users api", "/api/v1/users", ADMINS, NOT_ADMINS, api=True),
        "POST /api/v1/users": Route(
            "user create api", "/api/v1/users", set(), NOT_ADMINS, method="post", api=True,
            data={"username": "zz_new", "display_name": "新", "role": "staff", "scope_code": YANJI},
        ),
        "GET /api/v1/tokens": Route("tokens api", "/api/v1/tokens", EVERYONE, api=True),
        "POST /api/v1/tokens": Route("token create api", "/api/v1/tokens", EVERYONE, method="post", data={"name": "t"}, api=True),
    }
    per_user = {
        "accounts:user_detail": ("get", "/accounts/users/{}/", None, False),
        "accounts:user_set_active": ("post", "/accounts/users/{}/active/", {"active": "1"}, False),
        "accounts:user_reset_password": ("post", "/accounts/users/{}/reset-password/", None, False),
        "accounts:user_otp_reset": ("post", "/accounts/users/{}/reset-2fa/", None, False),
        "GET /api/v1/users/{user_id}": ("get", "/api/v1/users/{}", None, True),
        "PATCH /api/v1/users/{user_id}": ("patch", "/api/v1/users/{}", {"display_name": "改名"}, True),
        "POST /api/v1/users/{user_id}/deactivate": ("post", "/api/v1/users/{}/deactivate", None, True),
        "POST /api/v1/users/{user_id}/activate": ("post", "/api/v1/users/{}/activate", None, True),
        "POST /api/v1/users/{user_id}/reset-password": ("post", "/api/v1/users/{}/reset-password", None, True),
    }
    for key, (method, pattern, data, is_api) in per_user.items():
        table[key] = Route(
            key, pattern.format(in_yanji.pk), {("admin", YANJI)}, {("staff", YANJI), ("leader", "22")},
            url_out_of_scope=pattern.format(in_changchun.pk), method=method, data=data, api=is_api,
        )
    return table
