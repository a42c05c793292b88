"""Authentication events into the audit log (Django's and django-axes' own signals)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from qiancun.core.audit import record_audit
from qiancun.core.models import AuditAction


@receiver(user_logged_in, dispatch_uid="audit_login")
def audit_login(sender, request, user, **kwargs):
    record_audit(AuditAction.LOGIN, acting_user=user, obj=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        record_audit(AuditAction.LOGOUT, acting_user=user, obj=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = (credentials or {}).get("username", "")
    from .models import User

    user = User.objects.filter(username=username).first()
    record_audit(
        AuditAction.LOGIN_FAILED,
        username=username,
        obj=user,
        object_type="accounts.user",
        object_repr=username[:200] if user is None else "",
    )


@receiver(user_locked_out, dispatch_uid="audit_locked_out")
def audit_locked_out(sender, request, username, ip_address, **kwargs):
    from .models import User

    user = User.objects.filter(username=username).first()
    record_audit(AuditAction.LOCKED_OUT, username=username or "", obj=user, object_type="accounts.user",
                 object_repr=(username or "")[:200] if user is None else "")
