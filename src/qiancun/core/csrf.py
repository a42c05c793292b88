"""The page for a failed CSRF check (`CSRF_FAILURE_VIEW`), in Chinese like every other error page.

Django's own page is English and meant for developers. A user meets this after leaving a form open
past the session's 30 idle minutes, after logging out in another tab, or with cookies turned off.
"""

from django.middleware.csrf import REASON_NO_CSRF_COOKIE, REASON_NO_REFERER
from django.shortcuts import render


def csrf_failure(request, reason: str = ""):
    if reason == REASON_NO_CSRF_COOKIE:
        explanation = "浏览器没有发回本站的 Cookie：请确认浏览器允许本站使用 Cookie，然后刷新页面后重新提交。"
    elif reason == REASON_NO_REFERER:
        explanation = "浏览器没有发送来源页面信息（Referer），无法确认请求来自本站：请检查浏览器或代理的隐私设置，然后刷新页面后重新提交。"
    else:
        explanation = "为保护您的账号，表单只能在打开后的有效期内提交。请刷新页面后重新填写并提交；若已退出登录，请重新登录。"
    return render(request, "403_csrf.html", {"explanation": explanation}, status=403)
