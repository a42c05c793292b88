"""One error family for the whole platform (like Saleor's error_codes.py).

Actions raise `DomainError`; the API turns it into `{code, message}` with `http_status`,
pages show `message` next to the form or as an alert. Messages are Chinese and name the field.
"""

from enum import StrEnum


class ErrorCode(StrEnum):
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    UNAUTHENTICATED = "unauthenticated"
    INVALID = "invalid"
    OUT_OF_SCOPE = "out_of_scope"
    CONFLICT = "conflict"
    INVALID_FILE = "invalid_file"


_STATUS = {
    ErrorCode.NOT_FOUND: 404,
    ErrorCode.FORBIDDEN: 403,
    ErrorCode.UNAUTHENTICATED: 401,
    ErrorCode.INVALID: 400,
    ErrorCode.OUT_OF_SCOPE: 400,
    ErrorCode.CONFLICT: 409,
    ErrorCode.INVALID_FILE: 400,
}


class DomainError(Exception):
    """A refusal a user can understand: a code for machines, a Chinese message for people."""

    def __init__(self, code: str, message: str, *, field: str | None = None, details: list | None = None):
        super().__init__(message)
        self.code = str(code)
        self.message = message
        self.field = field
        self.details = details or []

    @property
    def http_status(self) -> int:
        try:
            return _STATUS[ErrorCode(self.code)]
        except ValueError:
            return 400

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.details:
            body["details"] = self.details
        return body


class PermissionDeniedError(DomainError):
    def __init__(self, message: str = "您没有执行此操作的权限"):
        super().__init__(ErrorCode.FORBIDDEN, message)


class ValidationFailed(DomainError):
    def __init__(self, message: str, *, field: str | None = None, details: list | None = None):
        super().__init__(ErrorCode.INVALID, message, field=field, details=details)
