import re

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

_CLASSES = [
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^a-zA-Z0-9]"), "符号"),
]


class CharacterClassValidator:
    """等保2.0: a password mixes at least `min_classes` of lower case, upper case, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        used = sum(1 for pattern, _ in _CLASSES if pattern.search(password))
        if used < self.min_classes:
            raise ValidationError(
                f"密码须包含大写字母、小写字母、数字、符号中的至少 {self.min_classes} 类",
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return f"至少包含大写字母、小写字母、数字、符号中的 {self.min_classes} 类"


# Runs that make a password easy to guess whatever its length: one character over and over
# (aaaaaaa1A), the alphabet or digits in order (abcd, 4321) and keyboard rows (qwer, asdf).
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "01234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv")
RUN = 4


def _weakness(password: str) -> str | None:
    lowered = password.lower()
    if re.search(r"(.)\1{" + str(RUN - 1) + ",}", lowered):
        return f"同一字符连续出现 {RUN} 次以上"
    for sequence in _SEQUENCES:
        for chain in (sequence, sequence[::-1]):
            for start in range(len(chain) - RUN + 1):
                if chain[start:start + RUN] in lowered:
                    return f"含有连续的字母、数字或键盘顺序（如“{chain[start:start + RUN]}”）"
    if len(set(lowered)) < 5:
        return "不同的字符少于 5 个"
    return None


class WeakPatternValidator:
    """Length and character classes do not make `aaaaaaa1A` strong: refuse repeats, runs and few distinct characters."""

    def validate(self, password: str, user=None) -> None:
        reason = _weakness(password)
        if reason:
            raise ValidationError(f"密码过于简单：{reason}", code="password_weak_pattern")

    def get_help_text(self) -> str:
        return f"不能有同一字符连续 {RUN} 次、连续的字母数字或键盘顺序（如 1234、abcd、qwer），不同字符至少 5 个"


class PasswordHistoryValidator:
    """The new password differs from the account's last `last_passwords` ones (the current included).

    django-password-validators keeps the history (salted PBKDF2 hashes, `PasswordHistory`); this wraps
    it so the message is Chinese whatever language the browser asks for and an unsaved user (the very
    first password) is simply skipped.
    """

    def __init__(self, last_passwords: int = 5):
        from django_password_validators.password_history.password_validation import UniquePasswordsValidator

        self.last_passwords = last_passwords
        self._history = UniquePasswordsValidator(last_passwords=last_passwords)

    def validate(self, password: str, user=None) -> None:
        if user is None or user.pk is None:
            return
        try:
            self._history.validate(password, user)
        except ValidationError:
            raise ValidationError(
                f"新密码不能与最近 {self.last_passwords} 次使用过的密码相同", code="password_used"
            ) from None

    def password_changed(self, password: str, user=None) -> None:
        # A one-time password an administrator issued is never chosen again (it is random), so it is
        # not kept: hashing it would only cost the 200,000 rounds.
        if user is not None and user.pk is not None and not getattr(user, "must_change_password", False):
            self._history.password_changed(password, user)

    def get_help_text(self) -> str:
        return f"不能与最近 {self.last_passwords} 次使用过的密码相同"


# Django's own validators, in Chinese. Django 5.2 rewrote some of their English messages and its
# Chinese catalogue lags behind (the length rule came out in English), so the wording lives here.

class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def get_error_message(self) -> str:
        return f"密码太短：至少 {self.min_length} 个字符"

    def get_help_text(self) -> str:
        return f"至少 {self.min_length} 个字符"


class UserAttributeSimilarityValidator(password_validation.UserAttributeSimilarityValidator):
    def validate(self, password: str, user=None) -> None:
        try:
            super().validate(password, user)
        except ValidationError as exc:
            name = (exc.params or {}).get("verbose_name", "账号信息")
            raise ValidationError(f"密码与{name}太相似", code="password_too_similar") from None

    def get_help_text(self) -> str:
        return "不能与账号、姓名太相似"


class CommonPasswordValidator(password_validation.CommonPasswordValidator):
    def get_error_message(self) -> str:
        return "密码太常见，容易被猜中"

    def get_help_text(self) -> str:
        return "不能是常见密码"
