"""The language of a question when the client sends no locale: CLD2 (pycld2, Chromium's compact language detector,
a few MB of tables compiled into the extension), kept only when CLD2 calls its guess reliable and the language is one
a deployment serves; otherwise None (the default locale answers).

Chosen over lingua (high-accuracy mode: 205 MB resident, 0.67 ms a question, 43 of 469 labelled questions unsure;
low-accuracy: 14 wrong), py3langid and langdetect on the labelled language set: CLD2 gets 463 of 469 right, 5 unsure,
1 wrong (a French question read as English, which answers in the default locale), in 6 MB and 0.02 ms a question
(`python -m bench.languages`, bench/results/*-languages.md).

    >>> LanguageDetector(("en", "de")).detect("Wie setze ich mein Passwort zurück?")
    'de'
"""

from __future__ import annotations

from collections.abc import Sequence

MIN_LETTERS = 8
"""Shorter messages ("ok", "Hallo") say too little about their language."""


class LanguageDetector:
    """Detects a message's language among `languages` (ISO 639-1 codes)."""

    def __init__(self, languages: Sequence[str]) -> None:
        if len(set(languages)) < 2:
            raise ValueError(f"languages: detection needs at least two, got {list(languages)}")
        self.languages = tuple(dict.fromkeys(code.lower() for code in languages))

    def detect(self, text: str) -> str | None:
        """The ISO 639-1 code of the text's language, or None when unsure."""
        if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
            return None
        import pycld2

        try:
            reliable, _, details = pycld2.detect(text)
        except pycld2.error:  # invalid UTF-8 (a lone surrogate): say nothing rather than guess
            return None
        code = str(details[0][1]).lower()
        return code if reliable and code in self.languages else None
