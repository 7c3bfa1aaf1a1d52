"""Identifiers a question names and an answer must contain: error and message codes, CVE ids, error numbers.

"I get BIP3701E when deploying" is answered by the article about BIP3701E, not by the article about a neighbouring
message of the same product that shares every other word. When the question names such an identifier, an article
that never mentions it does not answer the question, however close its topic (docs/evals.md, "Identifiers").

Only identifiers whose meaning the documentation defines are read: a customer's own references (invoice or order
numbers such as ``FLX-2026-004312``) are not, since no article can contain them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_CVE = r"CVE-\d{4}-\d{4,7}"
_HEX = r"0x[0-9A-Fa-f]{4,}"
# Product message codes: BIP3701E, CSQX620E, SQL0805N, ORA-00942, KDH1234W. Letters then 3–6 digits and at most one
# letter; not followed by another "-digits" group (that is a reference number: FLX-2026-004312).
_CODE = r"[A-Z]{2,8}-?\d{3,6}[A-Z]?(?!-?\d)"
# A number named by what it is: errno 11, SQLCODE -805, SQLSTATE 08003, error code 1603, exit code 137, rc=8.
_NUMBERED = (
    r"(?:errno|sqlcode|sqlstate|error\s+code|return\s+code|exit\s+code|reason\s+code|rc)"
    r"\s*[:=#]?\s*(-?\d{1,6})"
)
_PATTERN = re.compile(
    rf"(?<![\w-])(?:(?P<cve>{_CVE})|(?P<hex>{_HEX})|(?P<code>{_CODE})|{_NUMBERED})(?![\w])",
    re.IGNORECASE,
)
_CODE_CASE = re.compile(rf"^{_CODE}$")  # message codes are written in capitals; "abc123" in prose is not one


@dataclass(frozen=True)
class Identifier:
    """One identifier as asked (`text`) and a pattern for the ways an article may write it (`pattern`)."""

    text: str
    pattern: re.Pattern[str]


def identifiers(question: str) -> tuple[Identifier, ...]:
    """The identifiers a question names, in order, each once."""
    found: dict[str, Identifier] = {}
    for match in _PATTERN.finditer(question):
        if match.group("code") is not None and not _CODE_CASE.match(match.group(0)):
            continue
        identifier = _identifier(match)
        found.setdefault(identifier.pattern.pattern, identifier)
    return tuple(found.values())


def _identifier(match: re.Match[str]) -> Identifier:
    text = match.group(0)
    number = match.group(4)
    if number is not None:
        # An article may write the bare number ("returns 1603"), and a sign is often dropped ("SQLCODE 805").
        form = rf"-?{re.escape(number.lstrip('-'))}"
    elif match.group("code") is not None:
        letters, digits = re.fullmatch(r"([A-Za-z]+)-?(.*)", text).groups()  # type: ignore[union-attr]
        form = rf"{re.escape(letters)}-?{re.escape(digits)}"  # ORA-00942 is also written ORA00942
    else:
        form = re.escape(text)
    return Identifier(text, re.compile(rf"(?<![\w-]){form}(?![\w])", re.IGNORECASE))


def mentions(text: str, identifier: Identifier) -> bool:
    """Whether `text` writes the identifier, as a whole token."""
    return identifier.pattern.search(text) is not None


def mentions_any(text: str, named: tuple[Identifier, ...]) -> bool:
    """Whether `text` mentions at least one of the named identifiers (a bulletin may cover some of several CVEs)."""
    return any(mentions(text, identifier) for identifier in named)
