"""Opposite actions named by a question and a section heading (pure)."""

from __future__ import annotations

import pytest

from engine.retrieve.actions import actions, opposed


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("how do I turn off two-factor authentication?", {"off"}),
        ("turn the weekly digest off", {"off"}),
        ("Turning on SSO", {"on"}),
        ("Enable 2FA for everyone", {"on"}),
        ("deactivated accounts", {"off"}),
        ("Disconnect Slack", {"disconnect"}),
        ("connected apps", {"connect"}),
        ("mutation testing, a long commute, an installation guide, a connection error", set()),
        ("show me the archive of blocked users", set()),  # not pairs: too often nouns or figures of speech
    ],
)
def test_the_actions_a_text_names(text: str, named: set[str]) -> None:
    assert actions(text) == named


def test_a_heading_is_opposed_when_it_names_only_the_opposite_action() -> None:
    assert opposed("how do I turn off 2FA?", "Turn on 2FA with an authenticator app")
    assert opposed("can I disconnect Slack?", "Connect Slack to a board")
    assert opposed("how to downgrade my plan", "Upgrade your plan")
    assert not opposed("how do I turn off 2FA?", "Turn off 2FA")
    assert not opposed("how do I turn off 2FA?", "Turn 2FA on or off")  # names both: may answer
    assert not opposed("how do I turn off 2FA?", "Supported methods")
    assert not opposed("what is 2FA?", "Turn on 2FA")  # no action asked
