"""The enrollment lifecycle, in one place.

县级提名 → 市级审核（通过或退回）→ 省级确认 → 创建中 → 县级自查 → 市级复验 → 命名 | 未通过; 命名后可能摘牌.
Every status change goes through `next_status`; anything not in the table is refused.
The acceptance domain drives self-check, re-check, acceptance and revocation through the same table.
"""

from enum import StrEnum

from qiancun.core.lifecycle import TransitionTable

from .choices import EnrollmentStatus as S


class Step(StrEnum):
    APPROVE = "approve"
    RETURN = "return"
    RESUBMIT = "resubmit"
    CONFIRM = "confirm"
    PASS_SELF_CHECK = "pass_self_check"
    PASS_RE_CHECK = "pass_re_check"
    ACCEPT = "accept"
    REJECT = "reject"
    REVOKE = "revoke"


STEP_LABELS = {
    Step.APPROVE: "市级审核通过",
    Step.RETURN: "退回",
    Step.RESUBMIT: "重新提名",
    Step.CONFIRM: "省级确认",
    Step.PASS_SELF_CHECK: "县级自查通过",
    Step.PASS_RE_CHECK: "市级复验通过",
    Step.ACCEPT: "验收通过，命名示范村",
    Step.REJECT: "验收未通过",
    Step.REVOKE: "摘牌",
}

TRANSITIONS: dict[tuple[str, Step], str] = {
    (S.NOMINATED, Step.APPROVE): S.UNDER_REVIEW,
    (S.NOMINATED, Step.RETURN): S.RETURNED,
    (S.RETURNED, Step.RESUBMIT): S.NOMINATED,
    (S.UNDER_REVIEW, Step.CONFIRM): S.CREATING,
    (S.UNDER_REVIEW, Step.RETURN): S.RETURNED,
    (S.CREATING, Step.PASS_SELF_CHECK): S.SELF_CHECKED,
    (S.SELF_CHECKED, Step.PASS_RE_CHECK): S.RE_CHECKED,
    # Not every village is re-checked (≥50%) or spot-checked (10%): acceptance may follow either check.
    (S.SELF_CHECKED, Step.ACCEPT): S.ACCEPTED,
    (S.RE_CHECKED, Step.ACCEPT): S.ACCEPTED,
    (S.CREATING, Step.REJECT): S.NOT_ACCEPTED,
    (S.SELF_CHECKED, Step.REJECT): S.NOT_ACCEPTED,
    (S.RE_CHECKED, Step.REJECT): S.NOT_ACCEPTED,
    (S.ACCEPTED, Step.REVOKE): S.REVOKED,
}

# Statuses that count against quotas and targets (a returned nomination frees its place).
ACTIVE_STATUSES = [s for s in S if s not in (S.RETURNED,)]
CONFIRMED_STATUSES = [S.CREATING, S.SELF_CHECKED, S.RE_CHECKED, S.ACCEPTED, S.NOT_ACCEPTED, S.REVOKED]


TABLE = TransitionTable(TRANSITIONS, S, STEP_LABELS, subject="")
next_status = TABLE.next_status
allowed_steps = TABLE.allowed_steps
