"""The component mapping file: [[components]] tables; a typo or a wrong type is a ConfigError saying where."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.incidents.components import load_rules, parse_rules
from engine.incidents.types import ComponentRule


def test_a_mapping_file_becomes_rules(tmp_path: Path) -> None:
    path = tmp_path / "components.toml"
    path.write_text('[[components]]\ncomponent = "Sync"\narticles = ["troubleshooting/sync"]\ntags = ["offline"]\n'
                    'keywords = ["syncing"]\n\n[[components]]\ncomponent = "cmp-login"\ndefaults = false\n')

    assert load_rules(path) == (ComponentRule("Sync", ("troubleshooting/sync",), ("offline",), ("syncing",)),
                                ComponentRule("cmp-login", use_defaults=False))
    assert load_rules(None) == ()


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('[[components]]\ncomponent = "Sync"\nkeyword = ["x"]', "components.0.keyword: Extra inputs are not permitted"),
        ('[[components]]\ntags = ["x"]', "components.0.component: Field required"),
        ('[[components]]\ncomponent = "Sync"\ntags = "sync"', "components.0.tags: Input should be a valid list"),
        ("[[components]\n", "not TOML"),
    ],
)
def test_a_bad_mapping_says_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ConfigError, match="status components inline: .*" + says.split(":")[0]) as raised:
        parse_rules(text, "inline")

    assert says in str(raised.value)


def test_a_missing_mapping_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="No such file"):
        load_rules(tmp_path / "nope.toml")
