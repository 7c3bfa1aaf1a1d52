"""Turn Docusaurus/MDX Markdown into plain Markdown that chunking and answers can use."""

from __future__ import annotations

import re

_HEAD_BLOCK = re.compile(r"<head>.*?</head>", re.DOTALL | re.IGNORECASE)
_COMMENT = re.compile(r"<!--.*?-->|\{/\*.*?\*/\}", re.DOTALL)
_MDX_STATEMENT = re.compile(r"^(import|export)\s")
_SELF_CLOSING_OR_IMG = re.compile(r"<(img|br|hr|iframe|video|source)\b[^>]*?/?>", re.IGNORECASE)
_TAG = re.compile(r"</?[A-Za-z][\w.\-]*(?:\s[^<>]*?)?/?>")
# A JSX/HTML tag whose attributes span several lines (`<CtaBox\n  headline="…"\n/>`), never across a blank line.
_MULTILINE_TAG = re.compile(r"</?[A-Za-z][\w.\-]*\s(?:(?!\n[ \t]*\n)[^<>])*?/?>")
_FENCE_SPLIT = re.compile(r"(^[ \t]*(?:```|~~~).*?^[ \t]*(?:```|~~~)[ \t]*$)", re.MULTILINE | re.DOTALL)
_ADMONITION_OPEN = re.compile(r"^:::\s*(\w+)\s*(?:\[(.*?)\]|(.*))$")
_ADMONITION_CLOSE = re.compile(r"^:::\s*$")
_MANY_BLANKS = re.compile(r"\n{3,}")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|`)")


def clean_mdx(text: str) -> str:
    """Drop MDX imports, JSX/HTML tags, <head> blocks and comments; turn admonitions into labelled paragraphs.

    Code fences are kept verbatim: commands and snippets are often the answer.
    """
    text = _HEAD_BLOCK.sub("", text)
    text = _COMMENT.sub("", text)
    text = _without_multiline_tags(text)
    out: list[str] = []
    in_fence = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
            out.append(line)
            continue
        if in_fence:
            out.append(line)
            continue
        if _MDX_STATEMENT.match(stripped):
            continue
        out.append(_clean_line(line, stripped))
    cleaned = "\n".join(line.rstrip() for line in out)
    return _MANY_BLANKS.sub("\n\n", cleaned).strip()


def _without_multiline_tags(text: str) -> str:
    """Tags that span lines go before the line-by-line pass, which would see only their pieces; code fences keep
    theirs (a snippet with `<script\n  src=…>` is the answer to "how do I add the script?")."""
    parts = _FENCE_SPLIT.split(text)
    return "".join(
        part if index % 2 else _MULTILINE_TAG.sub(lambda m: "" if "\n" in m.group(0) else m.group(0), part)
        for index, part in enumerate(parts)
    )


def multiline_components(text: str) -> list[str]:
    """The names of the tags that span lines outside code (`<CtaBox\n…/>` → "CtaBox"): what clean_mdx removes whole,
    for the ingest report."""
    parts = _FENCE_SPLIT.split(_COMMENT.sub("", text))
    return [
        m.group(0)[1:].lstrip("/").split(None, 1)[0].rstrip("/>")
        for part in parts[::2]
        for m in _MULTILINE_TAG.finditer(part)
        if "\n" in m.group(0)
    ]


def _clean_line(line: str, stripped: str) -> str:
    if _ADMONITION_CLOSE.match(stripped):
        return ""
    opened = _ADMONITION_OPEN.match(stripped)
    if opened:
        kind = opened.group(1).capitalize()
        title = (opened.group(2) or opened.group(3) or "").strip()
        return f"{kind}: {title}" if title else f"{kind}:"
    line = _SELF_CLOSING_OR_IMG.sub("", line)
    return _TAG.sub("", line)


def plain_text(markdown: str) -> str:
    """Markdown → text for indexing: link targets, emphasis markers and heading hashes removed."""
    text = _LINK.sub(r"\1", markdown)
    text = _EMPHASIS.sub("", text)
    return re.sub(r"^#{1,6}\s+", "", text, flags=re.MULTILINE)


def slugify(heading: str) -> str:
    """The anchor Docusaurus/GitHub give a heading: lower-case, punctuation dropped, spaces → hyphens."""
    text = _LINK.sub(r"\1", heading)
    text = re.sub(r"\{#([\w\-]+)\}\s*$", "", text).strip()
    slug = re.sub(r"[^\w\- ]", "", text.lower(), flags=re.UNICODE)
    return re.sub(r"\s", "-", slug.strip())


def explicit_anchor(heading: str) -> str | None:
    """Docusaurus lets a heading name its own anchor: `## Title {#my-anchor}`."""
    found = re.search(r"\{#([\w\-]+)\}\s*$", heading)
    return found.group(1) if found else None


def strip_explicit_anchor(heading: str) -> str:
    return re.sub(r"\s*\{#[\w\-]+\}\s*$", "", heading).strip()
