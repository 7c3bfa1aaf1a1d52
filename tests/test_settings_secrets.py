"""Secrets in settings never print: repr, str and a JSON dump of Settings show them masked."""

from __future__ import annotations

from engine.config import AuthSettings, LLMSettings, Settings
from tests.conftest import TEST_KEYS

QDRANT = "qdrant-secret-key-0123456789"
LLM = "llm-secret-key-0123456789"
SESSION = "session-secret-0123456789abcdef"


def test_secret_settings_are_masked_wherever_settings_are_printed() -> None:
    settings = Settings(
        qdrant_url="http://127.0.0.1:6333",
        qdrant_api_key=QDRANT,  # type: ignore[arg-type]
        llm=LLMSettings(api_key=LLM),  # type: ignore[arg-type]
        auth=AuthSettings(keys=TEST_KEYS, session_secret=SESSION),  # type: ignore[arg-type]
    )
    shown = " ".join([repr(settings), str(settings), settings.model_dump_json()])
    for secret in (QDRANT, LLM, SESSION, *(k.key.get_secret_value() for k in settings.auth.keys)):
        assert secret not in shown
    assert settings.qdrant_api_key is not None and settings.qdrant_api_key.get_secret_value() == QDRANT
