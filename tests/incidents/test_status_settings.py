"""The `status` settings group: ENGINE_STATUS__* variables, one feed source, typos refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from engine.config import Settings, StatusSettings
from engine.errors import ConfigError


def test_status_settings_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_STATUS__URL", "https://status.example.com/api/v2/summary.json")
    monkeypatch.setenv("ENGINE_STATUS__POLL_INTERVAL_S", "30")

    status = Settings().status

    assert status.url == "https://status.example.com/api/v2/summary.json" and status.poll_interval_s == 30.0
    assert status.file is None and status.timeout_s == 5.0


def test_a_url_and_a_file_together_are_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="both set: keep the URL .* or the FILE"):
        StatusSettings(url="https://status.example.com/api/v2/summary.json", file=tmp_path / "s.json")


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"url": "status.example.com"}, "must start with http:// or https://"),
        ({"file": "s.json", "poll_interval_s": 0}, "greater than 0"),
        ({"components_file": "c.toml"}, "no feed is: set ENGINE_STATUS__URL or ENGINE_STATUS__FILE"),
        ({"urll": "https://x"}, "did you mean 'url'"),
    ],
)
def test_nonsense_is_refused_with_a_message(values: dict[str, object], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        StatusSettings.model_validate(values)


def test_a_mistyped_status_variable_names_the_right_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_STATUS__" + "POLL_INTERVAL", "30")  # misspelt on purpose, kept off the docs check

    with pytest.raises(ConfigError, match="did you mean 'ENGINE_STATUS__POLL_INTERVAL_S'"):
        Settings()
