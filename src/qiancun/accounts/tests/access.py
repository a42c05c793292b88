"""Access table of the accounts pages and API (see core/tests/test_access.py)."""

from qiancun.core.testing import (
    ADMINS,
    EVERYONE,
    NOT_ADMINS,
    NOT_SECURITY_ADMINS,
    SECURITY_ADMINS,
    YANJI,
    Route,
    make_user,
)

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
        # 三员分立: the province security administrator lists (and appoints) the security and audit administrators below.
        "GET /api/v1/users": Route(
            "users api", "/api/v1/users", ADMINS | {("security_admin", "22")}, NOT_ADMINS - {("security_admin", "22")}, api=True,
        ),
        "POST /api/v1/users": Route(
            "user create api", "/api/v1/users", set(), NOT_ADMINS, method="post", api=True,
            data={"username": "zz_new", "display_name": "新", "role": "staff", "scope_code": YANJI},
        ),
        "accounts:security": Route("account security", "/accounts/security/", SECURITY_ADMINS, NOT_SECURITY_ADMINS),
        "GET /api/v1/account-security": Route(
            "account security api", "/api/v1/account-security", SECURITY_ADMINS, NOT_SECURITY_ADMINS, api=True,
        ),
        "GET /api/v1/tokens": Route("tokens api", "/api/v1/tokens", EVERYONE, api=True),
        "POST /api/v1/tokens": Route("token create api", "/api/v1/tokens", EVERYONE, method="post", data={"name": "t"}, api=True),
    }
    # 三员分立: the system administrator manages accounts, the security administrator their security.
    manager = ({("admin", YANJI)}, {("staff", YANJI), ("leader", "22"), ("security_admin", YANJI), ("auditor", YANJI)})
    security = ({("security_admin", YANJI)}, {("staff", YANJI), ("leader", "22"), ("admin", YANJI), ("auditor", YANJI)})
    per_user = {
        "accounts:user_detail": ("get", "/accounts/users/{}/", None, False, manager),
        "accounts:user_set_active": ("post", "/accounts/users/{}/active/", {"active": "1"}, False, manager),
        "accounts:user_reset_password": ("post", "/accounts/users/{}/reset-password/", None, False, manager),
        "accounts:user_otp_reset": ("post", "/accounts/users/{}/reset-2fa/", None, False, security),
        "accounts:user_unlock": ("post", "/accounts/users/{}/unlock/", None, False, security),
        "accounts:user_tokens_revoke": ("post", "/accounts/users/{}/revoke-tokens/", None, False, security),
        "GET /api/v1/users/{user_id}": ("get", "/api/v1/users/{}", None, True, manager),
        "PATCH /api/v1/users/{user_id}": ("patch", "/api/v1/users/{}", {"display_name": "改名"}, True, manager),
        "POST /api/v1/users/{user_id}/deactivate": ("post", "/api/v1/users/{}/deactivate", None, True, manager),
        "POST /api/v1/users/{user_id}/activate": ("post", "/api/v1/users/{}/activate", None, True, manager),
        "POST /api/v1/users/{user_id}/reset-password": ("post", "/api/v1/users/{}/reset-password", None, True, manager),
        "POST /api/v1/users/{user_id}/unlock": ("post", "/api/v1/users/{}/unlock", None, True, security),
        "POST /api/v1/users/{user_id}/reset-2fa": ("post", "/api/v1/users/{}/reset-2fa", None, True, security),
        "POST /api/v1/users/{user_id}/revoke-tokens": ("post", "/api/v1/users/{}/revoke-tokens", None, True, security),
    }
    for key, (method, pattern, data, is_api, (allowed, denied)) in per_user.items():
        table[key] = Route(
            key, pattern.format(in_yanji.pk), allowed, denied,
            url_out_of_scope=pattern.format(in_changchun.pk), method=method, data=data, api=is_api,
        )
    return table
