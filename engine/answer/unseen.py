"""What a customer reading an answer in a chat cannot see: "the button below", "(see below)", "this video".

An extractive answer quotes a few sentences of an article without its layout, pictures or videos; a sentence that
points at them points at nothing. Pure: `visible(sentence)` rewrites what can be rewritten ("the button below" →
"the button", "(see below)" → "") and returns None for a sentence that is only about what is not shown.
"""

from __future__ import annotations

import re

_MEDIA = r"(?:video|videos|screenshot|screenshots|screencast|image|images|picture|gif|animation|diagram|illustration)"
# Sentences that are about something the answer does not carry: a video, a picture, a widget.
_ABOUT_MEDIA = re.compile(
    rf"\b(?:this|these|the following|following|below|above|attached|embedded)\s+{_MEDIA}\b"
    rf"|\bwatch\s+(?:the|this|our|a)\s+(?:short\s+)?{_MEDIA}\b|\bscreenshot\b|\b{_MEDIA}\s+(?:below|above)\b|\bvídeo:",
    re.IGNORECASE,
)
_SEE_PARENTHETICAL = re.compile(r"\s*\((?:see|as shown|shown|pictured|illustrated)\b[^()]*\b(?:below|above)\b[^()]*\)",
                                re.IGNORECASE)
_SHOWN = re.compile(r",?\s*\b(?:as\s+)?(?:shown|seen|pictured|illustrated|highlighted)\s+(?:below|above|here)\b",
                    re.IGNORECASE)
# "the button below", "the steps above", "the link below" → "the button", "the steps", "the link".
_THING_BELOW = re.compile(r"\b((?:the|this|these|that|those)\s+(?:\w+\s+){0,2}?\w+)\s+(?:below|above)\b"
                          r"(?!\s*(?:\d|\$|which|that|the|a|an|it|its|your|this)\b)",
                          re.IGNORECASE)
# What is left that still points up or down the page: "see below", "listed below", "the following:".
_POINTS = re.compile(
    r"\b(?:see|listed|described|explained|outlined|mentioned|detailed|noted|provided|following)\s+(?:below|above)\b"
    r"|\b(?:below|above)\s*[:.]?\s*$|\bbelow,",
    re.IGNORECASE,
)


# "click here" with no link to click: the link did not survive the extraction.
_CLICK_HERE = re.compile(r"\bclick here\b", re.IGNORECASE)


def visible(sentence: str) -> str | None:
    """The sentence without its references to what the reader cannot see, or None when nothing sensible is left."""
    if _ABOUT_MEDIA.search(sentence) or (_CLICK_HERE.search(sentence) and "](" not in sentence):
        return None
    text = _SEE_PARENTHETICAL.sub("", sentence)
    text = _SHOWN.sub("", text)
    text = _THING_BELOW.sub(r"\1", text)
    if _POINTS.search(text):
        return None
    if text != sentence:
        text = text.lstrip(" ,;")
        text = text[:1].upper() + text[1:]
    return text if text.strip() else None


def refers_to_unseen(text: str) -> bool:
    """Whether any line or sentence of `text` points at something an answer cannot show (the answer-quality check)."""
    return any(visible(part) != part for part in re.split(r"(?<=[.!?])\s+|\n", text) if part.strip())
