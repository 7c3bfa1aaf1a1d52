"""One input rule for every text field a client sends (questions, messages, comments, notes, names, emails):
control characters that hide or reorder what an agent reads — NUL, ESC and the other C0/C1 controls, DEL, and the
bidirectional overrides and isolates of "Trojan Source" (U+202A–U+202E, U+2066–U+2069) — are refused with a 422
naming the character. Tabs and line breaks are text."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, EmailStr

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def no_controls(value: str) -> str:
    """`value` unchanged, or ValueError naming the first refused character.

    >>> no_controls("line one\\nline two")
    'line one\\nline two'
    """
    found = CONTROL.search(value)
    if found:
        raise ValueError(f"contains control characters (U+{ord(found.group()):04X} at {found.start()}); "
                         "send plain text")
    return value


Text = Annotated[str, AfterValidator(no_controls)]
"""Any free text from a client."""
Email = Annotated[EmailStr, AfterValidator(no_controls)]
"""An email address checked by email-validator (syntax only, no DNS) and normalised (domain lower-cased)."""
