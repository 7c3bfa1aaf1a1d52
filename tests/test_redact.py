"""PII is replaced before a question is stored."""

from __future__ import annotations

from engine.events.redact import redact


def test_emails_phones_cards_and_ibans_are_redacted() -> None:
    text = ("I'm jane.doe+billing@acme.co.uk, call +44 20 7946 0958; card 4111 1111 1111 1111 "
            "and IBAN DE89 3704 0044 0532 0130 00, invoice FLX-2026-0042 for 2 seats")

    result = redact(text)

    assert "jane.doe" not in result and "[email]" in result
    assert "7946" not in result and "[phone]" in result
    assert "4111" not in result and "[card]" in result
    assert "DE89" not in result and "[iban]" in result
    assert "FLX-2026-0042" in result and "2 seats" in result  # not PII: kept for analytics


def test_digit_runs_that_fail_luhn_are_not_cards() -> None:
    assert "1234567812345678" in redact("order 1234567812345678")
