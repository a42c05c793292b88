from django.db import models


class ProblemStatus(models.TextChoices):
    """即查即改: open → being fixed → fix submitted → verified and closed (or reopened)."""

    OPEN = "open", "待整改"
    FIXING = "fixing", "整改中"
    FIX_SUBMITTED = "fix_submitted", "已提交待核验"
    CLOSED = "closed", "已核验销号"
