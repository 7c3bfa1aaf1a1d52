"""Settings refuse typos (with the closest valid name), read the renamed LLM variables with a warning, and every
ENGINE_* variable the project documents is one they accept."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from engine.config import RetrievalSettings, Settings
from engine.config_checks import RENAMED_VARIABLES, TEST_VARIABLES, variable_names
from engine.errors import ConfigError
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("variable", "closest"),
    [("ENGINE_RETRIEVAL__DENSE_WIEGHT", "ENGINE_RETRIEVAL__DENSE_WEIGHT"), ("ENGINE_DATADIR", "ENGINE_DATA_DIR")],
)
def test_a_misspelt_variable_is_refused_with_the_closest_valid_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, closest: str
) -> None:
    monkeypatch.setenv(variable, "0.9")

    with pytest.raises(ConfigError, match=f"unknown setting '{variable}'; did you mean '{closest}'"):
        Settings()


def test_a_misspelt_key_of_a_group_is_refused_with_the_closest_valid_key() -> None:
    with pytest.raises(ValidationError, match="unknown setting 'dense_wieght'; did you mean 'dense_weight'"):
        Settings(retrieval={"dense_wieght": 0.9})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="did you mean 'dense_weight'"):
        RetrievalSettings(dense_wieght=0.9)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="unknown setting 'data_dri'; did you mean 'data_dir'"):
        Settings(data_dri="x")  # type: ignore[call-arg]


def test_a_misspelt_key_inside_a_json_group_variable_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_RETRIEVAL", '{"dense_wieght": 0.9}')

    with pytest.raises(ValidationError, match="did you mean 'dense_weight'"):
        Settings()


def test_the_llm_group_is_spelt_like_every_other_group(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_LLM__URL", "http://127.0.0.1:11434/v1")
    monkeypatch.setenv("ENGINE_LLM__MODEL", "llama3.1:8b")
    monkeypatch.setenv("ENGINE_LLM__API_KEY", "llm-secret-key-0123456789")

    settings = Settings()

    assert (settings.llm.url, settings.llm.model) == ("http://127.0.0.1:11434/v1", "llama3.1:8b")
    assert settings.llm.api_key is not None and settings.llm.api_key.get_secret_value() == "llm-secret-key-0123456789"


def test_the_former_llm_spelling_still_works_with_a_warning_naming_the_new_one(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("ENGINE_LLM_URL", "http://127.0.0.1:11434/v1/")
    monkeypatch.setenv("ENGINE_LLM_MODEL", "llama3.1:8b")
    monkeypatch.setenv("ENGINE_LLM_API_KEY", "llm-secret-key-0123456789")
    monkeypatch.setenv("ENGINE_LLM__TIMEOUT_S", "7.5")

    with pytest.warns(DeprecationWarning, match="ENGINE_LLM_URL is deprecated: rename it to ENGINE_LLM__URL"):
        settings = Settings()

    assert (settings.llm.url, settings.llm.model, settings.llm.timeout_s) == ("http://127.0.0.1:11434/v1", "llama3.1:8b", 7.5)
    assert settings.llm.api_key is not None and settings.llm.api_key.get_secret_value() == "llm-secret-key-0123456789"
    assert "ENGINE_LLM__MODEL" in caplog.text and "ENGINE_LLM__API_KEY" in caplog.text


def test_the_new_spelling_wins_over_the_former_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENGINE_LLM_URL", "http://127.0.0.1:1/v1")
    monkeypatch.setenv("ENGINE_LLM__URL", "http://127.0.0.1:2/v1")
    monkeypatch.setenv("ENGINE_LLM__MODEL", "m")

    with pytest.warns(DeprecationWarning):
        assert Settings().llm.url == "http://127.0.0.1:2/v1"


def test_the_cli_reports_a_misspelt_variable_and_exits_3(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "ENGINE_RETRIEVAL__DENSE_WIEGHT": "0.9"}
    result = subprocess.run(
        [sys.executable, "-m", "engine.cli", "ask", "hello"], capture_output=True, text=True, env=env, cwd=ROOT
    )

    assert result.returncode == 3
    assert "ENGINE_RETRIEVAL__DENSE_WEIGHT" in " ".join(result.stderr.split())


DOCUMENTED = [ROOT / "README.md", ROOT / ".ci" / "run", *ROOT.glob("docs/*.md"), *ROOT.glob("scripts/*"),
              *ROOT.glob("tests/**/*.py"), *ROOT.glob("config/*")]
ON_PURPOSE = {Path(__file__).resolve()}  # this file's typos and renamed spellings
PLACEHOLDERS = {"ENGINE_GROUP__NAME"}


def test_every_variable_the_project_documents_is_a_valid_one() -> None:
    valid = set(variable_names(Settings)) | TEST_VARIABLES | PLACEHOLDERS
    named: dict[str, str] = {}
    for path in DOCUMENTED:
        if path in ON_PURPOSE:
            continue
        for line in path.read_text().splitlines():
            if "deprecat" in line.lower():
                continue
            for name in re.findall(r"ENGINE_[A-Z0-9_]*[A-Z0-9]", line):
                named.setdefault(name, str(path.relative_to(ROOT)))

    assert {name: where for name, where in named.items() if name not in valid} == {}
    assert not set(RENAMED_VARIABLES) & valid
