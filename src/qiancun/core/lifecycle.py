"""A status machine as a table: {(status, step): next status}. Anything not in the table is refused.

Each domain that moves things through states (enrollments, problems) declares its table once and
takes `next_status` / `allowed_steps` from here, so the refusal reads the same everywhere.
"""

from .errors import DomainError


class TransitionTable:
    def __init__(self, transitions: dict, statuses, step_labels: dict, subject: str = ""):
        self.transitions = transitions
        self.statuses = statuses
        self.step_labels = step_labels
        self.subject = subject

    def next_status(self, current: str, step) -> str:
        step_type = type(next(iter(self.step_labels)))
        try:
            return self.transitions[(current, step_type(step))]
        except (KeyError, ValueError):
            raise DomainError(
                "illegal_transition",
                f"{self.subject}当前状态为“{self.statuses(current).label}”，不能执行“{self.step_labels.get(step, step)}”",
                field="status",
            ) from None

    def allowed_steps(self, current: str) -> list:
        return [step for (status, step) in self.transitions if status == current]
