"""What no answer may contain: raw HTML/JSX/MDX, page chrome that ingest's cleaning removes, or a reference to
something the answer cannot show ("the button below"). Used by the answer-hygiene test over the dev KBs and by
anyone reading a run's answers."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from engine.answer.unseen import refers_to_unseen
from engine.ingest.cleaning import removed_lines
from engine.ingest.loader import LoadOptions, source_texts

# A tag (<CtaBox …/>, </div>, <br>), an MDX import/export, a JSX comment, an HTML comment or an admonition fence.
_MARKUP = re.compile(
    r"<\s*/?\s*[A-Za-z][\w.\-]*(?:\s+[\w\-:.]+(?:=(?:\"[^\"]*\"|'[^']*'|\{[^}]*\}|[^\s>]+))?)*\s*/?>"
    r"|^\s*(?:import|export)\s+\S.*\bfrom\s+['\"]|\{/\*|<!--|^:::",
    re.MULTILINE,
)
_MIN_CHROME_WORDS = 2  # a lone "Home" or "Yes" may be an article's own word; "Was this helpful?" may not


@dataclass(frozen=True)
class AnswerProblem:
    kind: str  # markup | chrome | unseen
    text: str


def answer_problems(answer: str, chrome: frozenset[str] = frozenset()) -> list[AnswerProblem]:
    """Every problem of one answer's text; `chrome` is what cleaning removed from its article's site
    (source_chrome)."""
    problems = [AnswerProblem("markup", m.group(0)) for m in _MARKUP.finditer(_without_code(answer))]
    for line in answer.splitlines():
        key = " ".join(line.split()).lower()
        if len(key.split()) >= _MIN_CHROME_WORDS and key in chrome:
            problems.append(AnswerProblem("chrome", line.strip()))
    if refers_to_unseen(answer):
        problems.append(AnswerProblem("unseen", answer[:200]))
    return problems


def source_chrome(root: Path) -> dict[str, frozenset[str]]:
    """Per site, the lines cleaning removes from the source at `root` (Markdown/HTML files or a JSONL export); an
    answer citing an article at `url` is checked against `source_chrome(root).get(site_of(url), frozenset())`."""
    return removed_lines(source_texts(root, LoadOptions()))


def _without_code(text: str) -> str:
    """Code fences and inline code may show tags on purpose (`<script defer …>` is the answer to "which snippet?")."""
    text = re.sub(r"^[ \t]*(```|~~~).*?^[ \t]*\1[ \t]*$", "", text, flags=re.MULTILINE | re.DOTALL)
    return re.sub(r"`[^`\n]*`", "", text)
