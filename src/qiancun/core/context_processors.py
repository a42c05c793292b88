from django.urls import reverse

from qiancun.accounts.permissions import Perm, can


def navigation(request):
    """The left navigation: only what the signed-in user may open."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = [
        ("core:home", "house", "首页"),
        ("campaigns:list", "flag", "年度创建"),
        ("inspections:index", "clipboard-check", "验收与督导"),
        ("rectification:index", "tools", "问题整改"),
        ("regions:index", "diagram-3", "行政区划"),
        ("regions:map", "geo-alt", "村庄地图"),
        ("standards:list", "card-checklist", "创建标准"),
    ]
    if can(user, Perm.HOUSEHOLD_VIEW):
        items.insert(3, ("participation:index", "people-fill", "农民参与"))
    if can(user, Perm.USER_MANAGE):
        items.append(("accounts:user_list", "people", "用户管理"))
    if can(user, Perm.ACCOUNT_SECURITY):
        items.append(("accounts:security", "shield-lock", "账号安全"))
    if can(user, Perm.AUDIT_VIEW):
        items.append(("core:audit_list", "journal-text", "审计日志"))
    if can(user, Perm.REGION_IMPORT):
        items.append(("regions:import_list", "upload", "区划导入"))
    items.append(("accounts:token_list", "key", "API 令牌"))
    nav = [{"href": reverse(url_name), "icon": icon, "label": label, "active": False} for url_name, icon, label in items]
    # The longest matching link is the current section (/regions/imports/ is 区划导入, not 行政区划).
    matches = [item for item in nav if request.path == item["href"] or (item["href"] != "/" and request.path.startswith(item["href"]))]
    if matches:
        max(matches, key=lambda item: len(item["href"]))["active"] = True
    return {"nav_items": nav}
