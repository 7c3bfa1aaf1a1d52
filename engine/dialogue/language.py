"""The language of a question when the client sends no locale: lingua (offline n-gram models), restricted to the
languages a deployment serves, and only when it is confident; otherwise None (the default locale answers).

    >>> LanguageDetector(("en", "de")).detect("Wie setze ich mein Passwort zurück?")
    'de'
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lingua import LanguageDetector as Lingua

MIN_CONFIDENCE = 0.6
"""Below this the guess is not trusted (measured on short questions: docs/evals.md, "Language")."""
MIN_LETTERS = 8
"""Shorter messages ("ok", "Hallo") say too little about their language."""


class LanguageDetector:
    """Detects a message's language among `languages` (ISO 639-1 codes); the models load on first use."""

    def __init__(self, languages: Sequence[str], min_confidence: float = MIN_CONFIDENCE) -> None:
        if len(set(languages)) < 2:
            raise ValueError(f"languages: detection needs at least two, got {list(languages)}")
        self.languages = tuple(dict.fromkeys(code.lower() for code in languages))
        self._min_confidence = min_confidence
        self._detector: Lingua | None = None
        self._lock = threading.Lock()

    def detect(self, text: str) -> str | None:
        """The ISO 639-1 code of the text's language, or None when unsure."""
        if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
            return None
        values = self._lingua().compute_language_confidence_values(text)
        if not values or values[0].value < self._min_confidence:
            return None
        return str(values[0].language.iso_code_639_1.name.lower())

    def _lingua(self) -> Lingua:
        with self._lock:
            if self._detector is None:
                from lingua import IsoCode639_1, LanguageDetectorBuilder

                codes = [IsoCode639_1.from_str(code) for code in self.languages]
                self._detector = LanguageDetectorBuilder.from_iso_codes_639_1(*codes).build()
            return self._detector
