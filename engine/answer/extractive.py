"""The extractive composer: answers are verbatim sentences and steps of the best section, never new text."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from engine.analysis import LIST_ITEM, sentences, terms, weight_of
from engine.answer.amounts import amount_asked, states_amount
from engine.answer.composer import AnswerRequest, Composition
from engine.answer.unseen import visible
from engine.boundaries import names_in, restore_boundaries
from engine.types import Candidate, Chunk, Citation, Delta

_FRAGMENT = re.compile(r"^[a-z,;)]")
_SNIPPET_CHARS = 240
_CLOSE_MARGIN = 0.05
# "How do I …" wants the steps: a section with a step list this close to the best is read even when no closer
# section has one.
_STEPS_MARGIN = 0.10
_PROCEDURAL = re.compile(
    r"\b(how (do|can|should|would) (i|we|you)|how to|where (do|can) (i|we)|steps?|set ?up|turn (on|off)|enable|"
    r"disable|change|add|remove|delete|create|install|connect|export|import)\b",
    re.IGNORECASE,
)


_LABEL_WORDS = 8
_CLOSED = re.compile(r"(?<!\.\.)[.!?:;,)\]\"”’]$")
"""A line ending like a sentence, a clause or a lead-in ("Warning:"); "Know Before You Go..." (a teaser link) does
not."""
_MARKDOWN = re.compile(r"^[>#*_`\[!|]|\]\(")
"""A blockquote, a heading, emphasis, code, a link or an image: Markdown's own structure, not a page's chrome."""


@dataclass(frozen=True)
class Unit:
    """A quotable piece of a chunk: one list item, one sentence of a paragraph, or one label line of a crawled page
    (a heading, a button, a breadcrumb, a table's column names: "Pet Policy", "Follow Us")."""

    text: str
    block: int
    is_step: bool
    is_label: bool = False


def split_units(text: str) -> list[Unit]:
    """Blocks are paragraphs, lists and code fences; paragraphs split into label lines and sentences, lists into
    items."""
    units: list[Unit] = []
    for block_number, block in enumerate(_blocks(text)):
        lines = block.splitlines()
        if block.lstrip().startswith(("```", "~~~", "|")):
            units.append(Unit(block, block_number, False))
        elif any(LIST_ITEM.match(line) for line in lines):
            for item in _list_items(lines):
                units.append(Unit(item, block_number, True))
        else:
            for run, label in _runs(lines):
                units += ([Unit(run, block_number, False, is_label=True)] if label
                          else [Unit(sentence, block_number, False) for sentence in sentences(run)])
    return units


def _runs(lines: list[str]) -> list[tuple[str, bool]]:
    """A paragraph's lines as (text, is a label): each label line alone, the lines between joined. A line is a label
    when it is short, does not end like a sentence, and the next line (if any) starts a new one (a capital, a digit):
    "Pet Policy" above "A maximum of two pets…", not "Pets are to be" above "supervised at all times"."""
    runs: list[tuple[str, bool]] = []
    prose: list[str] = []
    for at, line in enumerate(lines):
        text = line.strip()
        following = lines[at + 1].strip() if at + 1 < len(lines) else ""
        if _is_label(text) and (not following or following[0].isupper() or following[0].isdigit()):
            if prose:
                runs.append((" ".join(prose), False))
                prose = []
            runs.append((text, True))
        elif text:
            prose.append(text)
    if prose:
        runs.append((" ".join(prose), False))
    return runs


def _is_label(text: str) -> bool:
    """Short, title-cased, not ending like a sentence: "Pet Policy", "Follow Us", "Daily Bag Limit"; not "Create a
    file `routes/api/event.ts` in your project" (an instruction without its full stop)."""
    if not 0 < len(text.split()) <= _LABEL_WORDS or _CLOSED.search(text) or _MARKDOWN.search(text) or "`" in text:
        return False
    return all(word[0].isupper() for word in re.findall(r"[^\W\d_]{4,}", text))


def _blocks(text: str) -> list[str]:
    blocks: list[str] = []
    current: list[str] = []
    in_fence = False
    for line in text.splitlines():
        if line.strip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if not line.strip() and not in_fence:
            if current:
                blocks.append("\n".join(current))
                current = []
            continue
        current.append(line)
    if current:
        blocks.append("\n".join(current))
    return blocks


def _list_items(lines: list[str]) -> list[str]:
    items: list[str] = []
    for line in lines:
        if LIST_ITEM.match(line) or not items:
            items.append(line.rstrip())
        else:
            items[-1] = f"{items[-1]}\n{line.rstrip()}"
    return items


class ExtractiveComposer:
    """Pick the best-matching units of the top candidate's best chunk, in their original order."""

    def __init__(self, max_chars: int, skip: Callable[[str], bool] | None = None) -> None:
        self._max_chars = max_chars
        # Article text is data, never instructions: a sentence that reads like an injection is never quoted.
        self._skip = skip or (lambda _: False)

    def compose(self, request: AnswerRequest) -> Composition:
        composition, _ = self._compose(request)
        return composition

    def stream(self, request: AnswerRequest) -> Iterator[Delta | Composition]:
        """The same answer as compose(), one unit (sentence or step) at a time."""
        composition, pieces = self._compose(request)
        for piece in pieces:
            yield Delta(piece)
        yield composition

    def _compose(self, request: AnswerRequest) -> tuple[Composition, list[str]]:
        candidate = request.candidates[0]
        # Sections of the article that match almost as well are read with the best one, in article order: an
        # introduction that wins by a hair must not hide the steps in the section below it.
        close = [s.chunk for s in candidate.chunks if s.fused >= candidate.best.fused - _CLOSE_MARGIN][:2]
        if _PROCEDURAL.search(request.question) and not any(_has_steps(c.text) for c in close):
            steps = next(
                (
                    s.chunk
                    for s in candidate.chunks
                    if s.fused >= candidate.best.fused - _STEPS_MARGIN and _has_steps(s.chunk.text)
                ),
                None,
            )
            close = close[:1] + [steps] if steps is not None else close
        text = restore_boundaries(_joined(sorted(close, key=lambda c: c.ordinal)), names_in(candidate.article.body))
        title = _titles(candidate.article.title)
        units = _readable([u for u in split_units(text) if not self._skip(u.text) and not _repeats(u, title)])
        chosen = self._select(request, units) if units else []
        pieces = unit_pieces(chosen)
        composition = Composition(
            answer="".join(pieces),
            citations=(citation(candidate, candidate.best.chunk),),
            units=tuple(u.text for u in chosen),
        )
        return composition, pieces

    def _select(self, request: AnswerRequest, units: list[Unit]) -> list[Unit]:
        weights = {t: request.idf(t) for t in set(request.query_terms)}
        scores = [weight_of(terms(u.text), weights) for u in units]
        # On a tie, a sentence answers better than the label above it ("Pet Policy").
        best = max(range(len(units)), key=lambda i: (scores[i], not units[i].is_label, -i))
        if sum(len(u.text) + 1 for u in units) <= self._max_chars:
            return _within_labels(units, units[best])
        start = best
        # A step list reads from its lead-in sentence; a sentence reads best with what precedes it in its paragraph,
        # up to a label above it ("Pet Policy").
        while start > 0 and not units[start - 1].is_label and (
            units[start].is_step or units[start - 1].block == units[best].block
        ):
            if units[start - 1].block < units[best].block - 1:
                break
            start -= 1
        chosen: list[Unit] = []
        used = 0
        for unit in units[start:]:
            if used + len(unit.text) + 1 > self._max_chars and chosen:
                break
            chosen.append(unit)
            used += len(unit.text) + 1
        if units[best] not in chosen:
            chosen = [units[best]]
        return _with_amount(request, units, scores, _within_labels(chosen, units[best]))


def _readable(units: list[Unit]) -> list[Unit]:
    """Units a customer can read on their own: a chunk's opening fragment (the chunker's overlap can start
    mid-sentence) is dropped, and references to what the answer cannot show ("the button below", "(see below)",
    "this video") are rewritten or the sentence dropped (engine/answer/unseen.py)."""
    readable: list[Unit] = []
    for index, unit in enumerate(units):
        if index == 0 and len(units) > 1 and not unit.is_step and _FRAGMENT.match(unit.text):
            continue
        text = visible(unit.text)
        if text is not None:
            readable.append(unit if text == unit.text else Unit(text, unit.block, unit.is_step))
    return readable


def _titles(title: str) -> frozenset[str]:
    """The article's title and its part before a site name ("Local Rules | Superior Court"): a crawled page repeats
    it as a line the citation already shows."""
    key = " ".join(title.lower().split())
    return frozenset({key, re.split(r"\s[|•–-]\s", key)[0]}) if key else frozenset()


def _repeats(unit: Unit, titles: frozenset[str]) -> bool:
    return unit.is_label and " ".join(unit.text.lower().split()) in titles


def _within_labels(chosen: list[Unit], best: Unit) -> list[Unit]:
    """An answer starts and ends with a sentence or a step, not with the labels around it on the page (the title
    repeated, a breadcrumb, "Follow Us", the next section's heading), unless a label is what matches best."""
    start, end = 0, len(chosen)
    while start < end and chosen[start].is_label and chosen[start] is not best:
        start += 1
    while end > start and chosen[end - 1].is_label and chosen[end - 1] is not best:
        end -= 1
    return chosen[start:end]


def _has_steps(text: str) -> bool:
    return any(unit.is_step for unit in split_units(text))


def join_units(units: Sequence[Unit]) -> str:
    """Units of one block stay on consecutive lines; blocks are separated by a blank line, as in the source."""
    return "".join(unit_pieces(units))


def unit_pieces(units: Sequence[Unit]) -> list[str]:
    """One piece per unit, each carrying the separator before it; joined they are join_units(units)."""
    pieces: list[str] = []
    for previous, unit in zip((None, *units), units, strict=False):
        separator = ""
        if previous is not None:
            separator = (
                "\n"
                if previous.block == unit.block and (unit.is_step or unit.is_label or previous.is_label)
                else " "
                if previous.block == unit.block
                else "\n\n"
            )
        pieces.append(separator + unit.text)
    return pieces


def citation(candidate: Candidate, chunk: Chunk) -> Citation:
    """The citation of one chunk of a candidate: deep link to its section, a short snippet."""
    article = candidate.article
    snippet = chunk.text if len(chunk.text) <= _SNIPPET_CHARS else chunk.text[:_SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"
    url = article.url
    if url and chunk.anchor:
        url = f"{url}#{chunk.anchor}"
    return Citation(
        article_id=article.id,
        title=article.title,
        url=url,
        anchor=chunk.anchor,
        snippet=snippet,
        score=round(candidate.fused, 4),
        updated_at=article.updated_at,
    )


def _joined(chunks: Sequence[Chunk]) -> str:
    """The chunks' text in order, without the lines a chunk repeats from the one before it (the chunker's overlap:
    reading both parts of a long section quoted "6. Click Create board." twice)."""
    parts: list[str] = []
    for previous, chunk in zip([None, *chunks[:-1]], chunks, strict=True):
        text = chunk.text
        if previous is not None and chunk.ordinal == previous.ordinal + 1:
            text = text[_repeated(previous.text, text):].lstrip("\n")
        parts.append(text)
    return "\n\n".join(p for p in parts if p)


def _repeated(before: str, text: str) -> int:
    """Length of the longest run of whole lines that starts `text` and ends `before`."""
    ends = [i for i, ch in enumerate(text) if ch == "\n"] + [len(text)]
    return max((k for k in ends if k and before.endswith(text[:k])), default=0)


def _with_amount(request: AnswerRequest, units: list[Unit], scores: list[float], chosen: list[Unit]) -> list[Unit]:
    """A question that asks for an amount ("is there a limit on boards?") gets one: when the passage quoted states
    none, the best unit on the question's topic that does is added, in article order. The steps to create a board
    share more of the question's words than "The Free plan includes up to 5 boards" but do not answer it."""
    wanted = amount_asked(request.question, request.query_terms)
    if wanted is None or any(states_amount(unit.text, wanted) for unit in chosen):
        return chosen
    stating = [i for i, unit in enumerate(units) if scores[i] > 0 and states_amount(unit.text, wanted)]
    if not stating:
        return chosen
    added = units[max(stating, key=lambda i: (scores[i], -i))]
    return sorted([*chosen, added], key=units.index)
