"""Which active incidents concern a question: pure functions of the incidents, the component rules, the question
and the articles retrieval put forward."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from engine.incidents.types import CandidateArticle, Component, ComponentRule, Incident, IncidentMatch

IMPACT_RANK: Mapping[str, int] = {"critical": 4, "major": 3, "minor": 2, "maintenance": 1, "none": 0}


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces: 'E-mail  Sync!' → 'e mail sync'."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def as_tag(text: str) -> str:
    """The tag spelling of a name: 'Email notifications' → 'email-notifications'."""
    return normalize(text).replace(" ", "-")


def rule_for(component: Component, rules: Sequence[ComponentRule]) -> ComponentRule:
    """The configured rule of a component (by name, any case, or by id) plus, unless switched off, its defaults."""
    wanted = {normalize(component.name), component.id}
    found = next((r for r in rules if normalize(r.component) in wanted or r.component in wanted), None)
    configured = found or ComponentRule(component.name)
    if not configured.use_defaults:
        return configured
    return ComponentRule(
        component.name,
        configured.article_ids,
        _unique((*configured.tags, as_tag(component.name))),
        _unique((*configured.keywords, normalize(component.name))),
    )


def mentions(question: str, keyword: str) -> bool:
    """Whether the question holds the keyword as whole words, its last word inflected the way customers write it:
    'sync' matches 'syncs', 'synced', 'syncing'; 'share' matches 'sharing'; 'chat' matches 'chatting'."""
    phrase = normalize(keyword)
    return bool(phrase) and re.search(rf"\b{_inflected(phrase)}\b", normalize(question)) is not None


def _inflected(phrase: str) -> str:
    head, _, last = phrase.rpartition(" ")
    prefix = re.escape(f"{head} ") if head else ""
    if last.endswith("e"):
        return prefix + re.escape(last[:-1]) + "(?:e|es|ed|ing)"
    return prefix + re.escape(last) + rf"(?:s|es|(?:{re.escape(last[-1])})?(?:ed|ing))?"


def component_reasons(
    rule: ComponentRule, question: str, candidates: Sequence[CandidateArticle]
) -> tuple[list[str], list[str]]:
    """Why a question touches a component (reasons) and which candidate articles the component affects."""
    reasons = [f"the question mentions {k!r}" for k in rule.keywords if mentions(question, k)]
    tags = {as_tag(t) for t in rule.tags}
    affected: list[str] = []
    for article in candidates:
        if article.id in rule.article_ids:
            reasons.append(f"article {article.id!r} is mapped to {rule.component!r}")
            affected.append(article.id)
        elif shared := sorted(tags & {as_tag(t) for t in article.tags}):
            reasons.append(f"article {article.id!r} is tagged {shared[0]!r}")
            affected.append(article.id)
    return reasons, affected


def match_incidents(
    incidents: Iterable[Incident],
    rules: Sequence[ComponentRule],
    question: str,
    candidates: Sequence[CandidateArticle] = (),
) -> list[IncidentMatch]:
    """The active incidents whose affected components the question or its candidate articles touch, highest impact
    first (feed order among equals); incidents listing no component match nothing.

    >>> rules = [ComponentRule("Sync", keywords=("offline changes",))]
    >>> [m.incident.name for m in match_incidents(page.active_incidents, rules, "my offline changes are lost")]
    ['Sync delays']
    """
    matches: list[IncidentMatch] = []
    for incident in incidents:
        if not incident.active:
            continue
        touched: list[Component] = []
        reasons: list[str] = []
        affected: list[str] = []
        for component in incident.components:
            why, articles = component_reasons(rule_for(component, rules), question, candidates)
            if why:
                touched.append(component)
                reasons.extend(f"{component.name}: {reason}" for reason in why)
                affected.extend(articles)
        if touched:
            matches.append(IncidentMatch(incident, tuple(touched), tuple(reasons), _unique(affected)))
    return sorted(matches, key=lambda m: -IMPACT_RANK.get(m.incident.impact, 0))


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))
