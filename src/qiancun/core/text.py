"""What text the platform accepts and hands out: no control characters, no lone surrogates.

Input refuses them (`core.middleware.InputGuardMiddleware`); exports (`core.xlsx_stream`, the handbook)
leave out any that were stored before input was checked. Tab, line feed and carriage return are text.
"""

import re

# C0 but tab, LF and CR; DEL and C1; surrogates (in a Python str only a lone one is left); U+FFFE/U+FFFF.
UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(value: str) -> str:
    """`value` without the characters `UNSAFE_TEXT` matches."""
    return UNSAFE_TEXT.sub("", value)


def chinese_date(day) -> str:
    """A date as official documents and pages write it: 2022年6月12日 (no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"
