"""Identifiers a question names (error codes, CVE ids, numbered errors) and whether a text mentions them."""

from __future__ import annotations

import pytest

from engine.answer.identifiers import identifiers, mentions_any


def _texts(question: str) -> list[str]:
    return [identifier.text for identifier in identifiers(question)]


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("I get BIP3701E when deploying the flow", ["BIP3701E"]),
        ("ORA-00942 table or view does not exist", ["ORA-00942"]),
        ("Are we affected by CVE-2017-3735 and CVE-2018-0739?", ["CVE-2017-3735", "CVE-2018-0739"]),
        ("pthread_create failed with errno 11", ["errno 11"]),
        ("bind fails with SQLCODE -805", ["SQLCODE -805"]),
        ("the installer stops with error code 0x80070005", ["0x80070005"]),
        ("BIP3701E again, and BIP3701E once more", ["BIP3701E"]),
    ],
)
def test_documented_identifiers_are_read(question: str, expected: list[str]) -> None:
    assert _texts(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "i got charged twice for invoice FLX-2026-004312",  # the customer's own reference: no article has it
        "my abc123 widget is broken",  # lower case in prose is not a message code
        "upgrading from 8.5.5.2 to 8.5.5.4",  # versions are not identifiers
        "the page shows a 500 error",
        "how do I download my invoices as PDF?",
    ],
)
def test_references_versions_and_plain_questions_name_none(question: str) -> None:
    assert identifiers(question) == ()


def test_an_article_mentions_an_identifier_in_any_usual_spelling() -> None:
    oracle, sqlcode = identifiers("ORA00942 then SQLCODE -805")

    assert mentions_any("See ORA-00942 in the messages guide", (oracle,))
    assert mentions_any("The bind returns sqlcode 805 when the package is missing", (sqlcode,))
    assert not mentions_any("The bind returns 8050 rows", (sqlcode,))
    assert not mentions_any("ORA-00943 is a different message", (oracle,))


def test_an_article_mentioning_one_of_several_cves_counts() -> None:
    named = identifiers("CVE-2017-3735 and CVE-2018-0739")

    assert mentions_any("This bulletin fixes CVE-2018-0739 in OpenSSL.", named)
    assert not mentions_any("This bulletin fixes CVE-2016-2105 in OpenSSL.", named)
