"""The rectification loop (即查即改), in one place.

发现问题 → 指定责任单位、责任人和时限 → 整改中 → 提交整改（附整改后照片）→ 核验通过销号 | 退回重改（须说明理由）.
Every status change goes through `next_status`; anything not in the table is refused. `STEP_PERMS`
says which permission each step needs, so views, the API and the actions agree on who may act.
"""

from enum import StrEnum

from qiancun.accounts.permissions import Perm
from qiancun.core.lifecycle import TransitionTable

from .choices import ProblemStatus as S


class Step(StrEnum):
    OPEN = "open"  # the first event: a problem is found (no status before it)
    ASSIGN = "assign"
    START = "start"
    SUBMIT = "submit"
    ACCEPT = "accept"
    REOPEN = "reopen"


STEP_LABELS = {
    Step.OPEN: "发现问题",
    Step.ASSIGN: "指定责任与时限",
    Step.START: "开始整改",
    Step.SUBMIT: "提交整改",
    Step.ACCEPT: "核验通过，销号",
    Step.REOPEN: "退回重改",
}

TRANSITIONS: dict[tuple[str, Step], str] = {
    # Responsibility and deadline can be (re)set until the fix is handed in.
    (S.OPEN, Step.ASSIGN): S.OPEN,
    (S.FIXING, Step.ASSIGN): S.FIXING,
    (S.OPEN, Step.START): S.FIXING,
    (S.FIXING, Step.SUBMIT): S.FIX_SUBMITTED,
    (S.FIX_SUBMITTED, Step.ACCEPT): S.CLOSED,
    (S.FIX_SUBMITTED, Step.REOPEN): S.FIXING,
}

# Who may take each step. Assigning is shared: the finder sets the first deadline, the county names people.
STEP_PERMS: dict[Step, tuple[Perm, ...]] = {
    Step.OPEN: (Perm.RECTIFICATION_VERIFY, Perm.INSPECT),
    Step.ASSIGN: (Perm.RECTIFICATION_FIX, Perm.RECTIFICATION_VERIFY),
    Step.START: (Perm.RECTIFICATION_FIX,),
    Step.SUBMIT: (Perm.RECTIFICATION_FIX,),
    Step.ACCEPT: (Perm.RECTIFICATION_VERIFY,),
    Step.REOPEN: (Perm.RECTIFICATION_VERIFY,),
}

OPEN_STATUSES = [S.OPEN, S.FIXING, S.FIX_SUBMITTED]


TABLE = TransitionTable(TRANSITIONS, S, STEP_LABELS, subject="问题")
next_status = TABLE.next_status
allowed_steps = TABLE.allowed_steps


def may(user, step: Step) -> bool:
    """The role half of the check (scope is the queryset's business)."""
    from qiancun.accounts.permissions import can

    return any(can(user, perm) for perm in STEP_PERMS[Step(step)])
