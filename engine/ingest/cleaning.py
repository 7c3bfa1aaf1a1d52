"""Clean one source's articles as a whole: what repeats across many of its articles is page chrome, not content.

Per source (and per site, when articles carry URLs from several hosts): lines found in many articles (navigation,
"Was this page helpful?" widgets, cookie and footer text) are removed, as are sections made only of links and runs
of menu-like lines in plain-text bodies. Everything removed is counted, with examples, in a CleaningReport so an
editor can check it. Pure: text in, text and counts out. (Sentence and heading boundaries that a plain-text export
lost with its line breaks are restored where answers read the text, engine/boundaries.py: restored here, they changed
the chunks and cost WixQA two right answers.)
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

from engine.analysis import LIST_ITEM
from engine.types import CleaningExample, CleaningReport

# A line is chrome when at least this many of the site's articles have it, and at least this share of them: a short
# one ("Was this page helpful?") beside another such line, alone when it reads as a menu item ("File a Complaint") or
# when MIN_SHARE_SENTENCE of them have it; a sentence (a cookie notice) needs that larger share. Help centers reuse
# whole paragraphs and steps (partials) in a few articles: those stay.
MIN_ARTICLES = 4
MIN_SHARE = 0.03
MIN_SHARE_SENTENCE = 0.10
_SHORT_WORDS = 8
MAX_EXAMPLES = 8
_NAV_RUN = 6  # consecutive menu-like lines in a plain-text body
_NAV_WORDS = 6
_WORD = re.compile(r"[A-Za-z][A-Za-z'’]*")
_FENCE = ("```", "~~~")
_LINK_ONLY_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[^\]]+\]\([^)]*\)\s*[.,;]?\s*$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s")
# Menu items glued into one line when a page lost its markup: "HomeDepartmentsSolid WasteResources" (a hump after at
# least two lower-case letters, or after a closing bracket).
_HUMP = re.compile(r"(?<=[a-z]{2})(?=[A-Z])|(?<=[a-z]\))(?=[A-Z])")
_GLUED_WORD = 12  # two glued items need a glued word this long ("MotorcyclistsTips"), not a name (WordPress, YouTube)
_CODE_LIKE = re.compile(r"[\\<>@_{}]|\w\.\w")  # com.ibm.Foo, HKEY_LOCAL_MACHINE\…, Name<DATE>.log
_TITLE_SITE = re.compile(r"\s[|•–]\s")  # "CCC Core Training | California Conservation Corps"
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")


@dataclass(frozen=True)
class SourceText:
    """One article's body as parsed, with what cleaning needs to know about it."""

    body: str
    url: str | None = None
    plain: bool = False  # plain text (a JSONL export), not Markdown
    components: tuple[str, ...] = ()  # multi-line JSX/MDX components the parser removed, counted in the report
    title: str = ""  # the article's title: a crawled page repeats it as its main heading below the page's header


def clean_source(texts: Sequence[SourceText]) -> tuple[list[str], CleaningReport]:
    """The cleaned body of each article (same order) and what was removed. A body cleaning would empty is kept."""
    bodies, report, _ = _clean(texts)
    return bodies, report


def removed_lines(texts: Sequence[SourceText]) -> dict[str, frozenset[str]]:
    """Per site (URL host, "" without one), every line (normalised: lower case, single spaces) that cleaning `texts`
    removes as page chrome, menus or link lists: what no answer from that site may quote."""
    return _clean(texts)[2]


def site_of(url: str | None) -> str:
    """The group an article's chrome is counted in: its URL's host, "" without a URL."""
    return _site(url.split("#", 1)[0] if url else None)


def _clean(texts: Sequence[SourceText]) -> tuple[list[str], CleaningReport, dict[str, frozenset[str]]]:
    chrome = _chrome_lines(texts)
    shared = _shared_prose(texts)
    removed: Counter[tuple[str, str]] = Counter()
    counts: Counter[str] = Counter()
    bodies: list[str] = []
    gone: dict[str, set[str]] = {}
    changed = 0
    for text in texts:
        body = text.body
        for name in text.components:
            removed["component", f"<{name}>"] += 1
            counts["component"] += 1
        body = _drop_chrome(body, chrome.get(_site(text.url), {}), removed, counts)
        body = _drop_link_lists(body, removed, counts)
        if text.plain:
            body = _drop_page_head(body, text.title, shared, removed, counts)
            body = _drop_nav_runs(body, removed, counts)
            body = _drop_glued_menus(body, removed, counts)
        if body != text.body:
            gone.setdefault(_site(text.url), set()).update(_removed_keys(text.body, body))
            body = re.sub(r"\n{3,}", "\n\n", body).strip() or text.body
        changed += body != text.body or bool(text.components)
        bodies.append(body)
    examples = tuple(
        CleaningExample(kind, example, n) for (kind, example), n in removed.most_common(MAX_EXAMPLES)
    )
    report = CleaningReport(
        articles_changed=changed,
        boilerplate_lines=counts["boilerplate"],
        link_lists=counts["link_list"],
        navigation_runs=counts["navigation"],
        components=counts["component"],
        page_heads=counts["page_head"],
        examples=examples,
    )
    return bodies, report, {site: frozenset(lines) for site, lines in gone.items()}


def _removed_keys(before: str, after: str) -> set[str]:
    kept = {_key(line) for line in after.splitlines()}
    return {_key(line) for line in before.splitlines() if line.strip() and _key(line) not in kept}


def _site(url: str | None) -> str:
    return urlparse(url).netloc.lower() if url else ""


def _key(line: str) -> str:
    return " ".join(line.split()).lower()


def _content_lines(body: str) -> list[str]:
    """The lines that may be chrome: outside code fences, not headings, not short labels ("Note:", "CAUSE")."""
    lines: list[str] = []
    in_fence = False
    for line in body.splitlines():
        stripped = line.strip()
        if stripped.startswith(_FENCE):
            in_fence = not in_fence
            continue
        if in_fence or not stripped or _is_label(stripped) or not any(c.isalnum() for c in stripped):
            continue
        lines.append(stripped)
    return lines


def _is_label(stripped: str) -> bool:
    """Section structure that repeats by design: Markdown headings, table rows, "Note:", all-caps section names."""
    if _HEADING.match(stripped) or stripped.startswith("|"):
        return True
    words = stripped.split()
    if len(words) <= 4 and stripped.endswith(":"):
        return True
    return len(words) <= 6 and any(c.isalpha() for c in stripped) and stripped == stripped.upper()


def _is_sentence(key: str) -> bool:
    return len(key.split()) > _SHORT_WORDS or key.endswith(".")


def _chrome_lines(texts: Sequence[SourceText]) -> dict[str, dict[str, bool]]:
    """Per site, the normalised lines that enough of its articles contain (MIN_ARTICLES and MIN_SHARE, or
    MIN_SHARE_SENTENCE for a sentence), each with whether MIN_SHARE_SENTENCE of them do (then it goes even alone)."""
    per_site: dict[str, Counter[str]] = {}
    sizes: Counter[str] = Counter()
    for text in texts:
        site = _site(text.url)
        sizes[site] += 1
        per_site.setdefault(site, Counter()).update({_key(line) for line in _content_lines(text.body)})
    chrome: dict[str, dict[str, bool]] = {}
    for site, counter in per_site.items():
        short = max(MIN_ARTICLES, math.ceil(MIN_SHARE * sizes[site]))
        strong = max(MIN_ARTICLES, math.ceil(MIN_SHARE_SENTENCE * sizes[site]))
        chrome[site] = {
            line: n >= strong for line, n in counter.items() if n >= (strong if _is_sentence(line) else short)
        }
    return chrome


def _drop_chrome(body: str, chrome: dict[str, bool], removed: Counter[tuple[str, str]], counts: Counter[str]) -> str:
    if not chrome:
        return body
    lines = body.splitlines()
    flags: list[bool] = []
    in_fence = False
    for line in lines:
        stripped = line.strip()
        if stripped.startswith(_FENCE):
            in_fence = not in_fence
            flags.append(False)
            continue
        flags.append(not in_fence and bool(stripped) and not _is_label(stripped) and _key(stripped) in chrome)
    texts = [i for i, line in enumerate(lines) if line.strip()]
    kept: list[str] = []
    for i, line in enumerate(lines):
        if flags[i]:
            position = texts.index(i)
            beside = [texts[j] for j in (position - 1, position + 1) if 0 <= j < len(texts)]
            named = _menu_like(line) and len(line.split()) >= 2  # "File a Complaint", "Contact Us": a menu's item
            if chrome[_key(line)] or named or any(flags[j] for j in beside):
                removed["boilerplate", line.strip()[:120]] += 1
                counts["boilerplate"] += 1
                continue
        kept.append(line)
    return _without_empty_headings("\n".join(kept), body)


def _drop_link_lists(body: str, removed: Counter[tuple[str, str]], counts: Counter[str]) -> str:
    """Sections with no prose, only a list of links ("Related articles", a sitemap): a reader cannot follow them.
    A link list that a sentence of its section introduces ("Plausible supports these providers:") is kept."""
    lines = body.splitlines()
    if not lines:
        return body
    kept: list[str] = []
    for start, end in _sections(lines):
        section = lines[start:end]
        content = [line for line in section[1 if _HEADING.match(section[0]) else 0 :] if line.strip()]
        links = [line for line in content if _LINK_ONLY_ITEM.match(line)]
        if len(links) >= 2 and len(links) == len(content):
            removed["link_list", links[0].strip()[:120]] += 1
            counts["link_list"] += 1
            kept.append("")
            continue
        kept.extend(section)
    return "\n".join(kept)


def _sections(lines: list[str]) -> list[tuple[int, int]]:
    """(start, end) of each run of lines from one heading (or the start) to the next, outside code fences."""
    starts = [0]
    in_fence = False
    for index, line in enumerate(lines):
        if line.strip().startswith(_FENCE):
            in_fence = not in_fence
        elif not in_fence and index and _HEADING.match(line):
            starts.append(index)
    return list(zip(starts, [*starts[1:], len(lines)], strict=True))


def _menu_like(line: str) -> bool:
    """A short title-cased line with no sentence punctuation: "Notice of Appeal", "Contact Us", "2. Forms"."""
    if re.match(r"^\s*[-*+•]", line):
        return False  # a bulleted list in plain text is content ("* RedHat Enterprise Linux 7")
    text = LIST_ITEM.sub("", line).strip()
    words = text.split()
    if not words or len(words) > _NAV_WORDS or re.search(r"[.!?:;,]$|[:*()=/]", text):
        return False
    long_words = [w for w in _WORD.findall(text) if len(w) >= 4]
    return bool(long_words) and all(w[0].isupper() for w in long_words)


def _drop_nav_runs(body: str, removed: Counter[tuple[str, str]], counts: Counter[str]) -> str:
    """Runs of at least _NAV_RUN menu-like lines (blank lines between them allowed) in a plain-text body."""
    lines = body.splitlines()
    kept: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and (_menu_like(lines[j]) or (not lines[j].strip() and j > i)):
            j += 1
        run = [line for line in lines[i:j] if line.strip()]
        if len(run) >= _NAV_RUN:
            removed["navigation", " | ".join(line.strip() for line in run[:4])[:120]] += 1
            counts["navigation"] += 1
            kept.append("")
            i = j
            continue
        kept.append(lines[i])
        i += 1
    return "\n".join(kept)


def _glued_menu(line: str) -> bool:
    """A line of menu items glued together (a breadcrumb, a site menu): three or more menu-like pieces, or two with
    a long glued word and no digits or commas (an address or a date is content: "Seven Lakes DriveHarriman State
    Park, NY 10901")."""
    stripped = line.strip()
    if " " not in stripped or _CODE_LIKE.search(stripped):
        return False
    parts = [part for part in _HUMP.split(stripped) if part.strip()]
    if len(parts) < 2 or not all(_menu_like(part) for part in parts):
        return False
    if len(parts) >= 3:
        return True
    left, right = re.search(r"[A-Za-z]+$", parts[0]), re.match(r"[A-Za-z]+", parts[1])
    glued = (left.group(0) if left else "") + (right.group(0) if right else "")
    return len(glued) >= _GLUED_WORD and not re.search(r"[\d,]", stripped)


def _drop_glued_menus(body: str, removed: Counter[tuple[str, str]], counts: Counter[str]) -> str:
    kept: list[str] = []
    for line in body.splitlines():
        if _glued_menu(line):
            removed["navigation", line.strip()[:120]] += 1
            counts["navigation"] += 1
            continue
        kept.append(line)
    return "\n".join(kept)


def _drop_page_head(
    body: str, title: str, shared: frozenset[str], removed: Counter[tuple[str, str]], counts: Counter[str]
) -> str:
    """A crawled page's header: everything before its main heading (the title without the site's name after " | ",
    as a line further down) when it reads as a header: sign-in links, language and font pickers, search boxes,
    breadcrumbs, and only sentences other articles of the source have too ("Saving your location allows us…"). A
    sentence of the page's own there (a lead, an alert) keeps the header. The title line itself stays."""
    head = _key(_TITLE_SITE.split(title)[0]) if title else ""
    if not head:
        return body
    lines = body.splitlines()
    start = 1 if lines and _key(lines[0]) in (head, _key(title)) else 0
    main = next((i for i, line in enumerate(lines) if i >= max(start, 1) and _key(line) == head), None)
    if main is None:
        return body
    header = [line.strip() for line in lines[start:main] if line.strip()]
    if not header or any(_prose(line) and _key(line) not in shared for line in header):
        return body
    removed["page_head", " | ".join(header[:4])[:120]] += 1
    counts["page_head"] += len(header)
    return "\n".join(lines[:start] + lines[main:])


def _prose(line: str) -> bool:
    return len(line.split()) >= 5 and bool(_SENTENCE_END.search(line))


def _shared_prose(texts: Sequence[SourceText]) -> frozenset[str]:
    """Sentences that two or more plain-text articles of the source have: a site's notices, not a page's own."""
    seen = Counter(key for text in texts if text.plain
                   for key in {_key(line) for line in text.body.splitlines() if _prose(line)})
    return frozenset(key for key, n in seen.items() if n >= 2)


def _without_empty_headings(text: str, original: str) -> str:
    """Headings whose whole section the cleaning removed go too (a "Related articles" heading over nothing)."""
    if text == original:
        return text
    lines = text.splitlines()
    kept: list[str] = []
    for index, line in enumerate(lines):
        heading = _HEADING.match(line)
        if heading:
            level = len(heading.group(1))
            rest = (other for other in lines[index + 1 :] if other.strip())
            following = next(rest, None)
            nxt = _HEADING.match(following) if following is not None else None
            if following is None or (nxt is not None and len(nxt.group(1)) <= level):
                continue
        kept.append(line)
    return "\n".join(kept)
