"""Which active incidents concern a question: pure functions of the incidents, the component rules, the question
and the articles retrieval put forward.

Customers rarely write a component's whole name ("Slack integration"): they write "is slack down?", "Slack isn't
working", "my slack notifications stopped arriving". So besides its name, a component is matched by its
**distinctive words** (its name without words every component could carry: "integration", "service", …) when the
question also **says something is down** ("down", "not working", "stopped", "since this morning", "can't log in"),
and by the articles **about it** (tagged with all its distinctive words). A distinctive word alone ("how do I
connect Slack?") is not enough — that question is about Slack, not about an outage — unless the article it is
answered from is about the component."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from engine.incidents.types import CandidateArticle, Component, ComponentRule, Incident, IncidentMatch

IMPACT_RANK: Mapping[str, int] = {"critical": 4, "major": 3, "minor": 2, "maintenance": 1, "none": 0}
GENERIC_WORDS = frozenset(
    """integration integrations service services app apps application applications platform system systems feature
    features component components general core other new legacy public private web website site portal cloud server
    servers backend frontend delivery performance processing tool tools and or the of for with to in on at by a an
    management manager center centre hub module modules engine""".split()
)
"""Words of a component name that say nothing about which component it is: "Slack integration" is about Slack."""
SHARED_WORDS = frozenset("notification notifications alert alerts message messages update updates".split())
"""What many components deliver: "my slack notifications stopped" is about Slack, not about "Email notifications".
They still tie articles to the component (an article tagged email and notifications is about Email notifications),
but a question naming only them matches by the whole component name alone."""
_SAME = (
    (re.compile(r"\b(?:log|logs|logging|logged|sign|signs|signing|signed)\s+(?:in|on|into)\b|\bsignin\b|\blogon\b|"
                r"\banmeld\w*|\beinlogg\w*|\banmelden\b"), "login"),
    (re.compile(r"\be\s+mails?\b"), "email"),
    (re.compile(r"\bsynchroni[sz]\w*|\bsynchronisierung\w*"), "sync"),
)
"""Spellings customers use for a component word (on normalized text): "can't log in" is about login."""
_FAILING = r"(?:work|load|sync|connect|arriv|send|respond|open|post|deliver|show|updat|come|get|receiv|login)\w*"
OUTAGE = re.compile(
    r"\b(?:down|outage|outages|broken|stuck|delayed|unavailable|unreachable|crash\w*|fail\w*|errors?|slow)\b|"
    rf"\bnot\s+{_FAILING}|"
    r"\b(?:isn t|isnt|is not|aren t|are not|doesn t|doesnt|does not|don t|dont|won t|wont|will not|didn t|did not|"
    rf"haven t|hasn t|can t|cant|cannot|couldn t|unable to)\s+(?:\w+\s+)?{_FAILING}|"
    r"\bstopp?(?:ed|s)?\b|\bno longer\b|\bsince\s+(?:this morning|yesterday|today|last night|an hour|\d)|"
    r"\bis\s+\w+\s+down\b|\bgoing on with\b|\bwhat s wrong with\b|\bwhat is wrong with\b|\bproblems? with\b|"
    r"\bissues? with\b|\b(?:nobody|no one|noone)\s+(?:\w+\s+){0,4}(?:can|is able)\b|"
    r"\bfunktionier\w*\s+(?:\w+\s+){0,5}nicht\b|\bgeht\s+(?:\w+\s+){0,3}nicht\b|\bausgefallen\b|\bst[oö]rung\b|"
    r"\bkann\s+(?:mich\s+|ich\s+)?nicht\b|\bseit\s+(?:heute|gestern|heute morgen)\b|\bnicht\s+(?:erreichbar|mehr)\b|"
    r"\bkommen?\s+(?:\w+\s+)?nicht\b"
)
"""Ways customers say something is down (on normalized text, so "isn't" reads "isn t"): they raise a mention of
a component's distinctive word to a match."""


def normalize(text: str) -> str:
    """Lowercase words separated by single spaces: 'E-mail  Sync!' → 'e mail sync'."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def as_tag(text: str) -> str:
    """The tag spelling of a name: 'Email notifications' → 'email-notifications'."""
    return normalize(text).replace(" ", "-")


def rule_for(component: Component, rules: Sequence[ComponentRule]) -> ComponentRule:
    """The configured rule of a component (by name, any case, or by id) plus, unless switched off, its defaults: its
    name as a tag, and its distinctive words. The name is no keyword of its own: "how do I sync my calendar?" names
    Sync without saying anything is wrong; "sync is stuck" says it (a configured keyword still matches alone)."""
    wanted = {normalize(component.name), component.id}
    found = next((r for r in rules if normalize(r.component) in wanted or r.component in wanted), None)
    configured = found or ComponentRule(component.name)
    if not configured.use_defaults:
        return configured
    return ComponentRule(
        component.name,
        configured.article_ids,
        _unique((*configured.tags, as_tag(component.name))),
        configured.keywords,
        words=_unique((*configured.words, *(distinctive_words(component.name) or (normalize(component.name),)))),
    )


def distinctive_words(name: str) -> tuple[str, ...]:
    """The words of a component name that tell it apart: 'Slack integration' → ('slack',), 'Login & SSO' →
    ('login', 'sso'); none when every word is generic ('Web app')."""
    return tuple(w for w in _canonical(normalize(name)).split() if w not in GENERIC_WORDS and len(w) > 1)


def says_down(question: str) -> str | None:
    """The words by which the question says something is down ("isn t working", "since this morning"), if any."""
    found = OUTAGE.search(_canonical(normalize(question)))
    return found.group(0) if found else None


def _canonical(text: str) -> str:
    for pattern, word in _SAME:
        text = pattern.sub(word, text)
    return text


def mentions(question: str, keyword: str) -> bool:
    """Whether the question holds the keyword as whole words, its last word inflected the way customers write it:
    'sync' matches 'syncs', 'synced', 'syncing'; 'share' matches 'sharing'; 'chat' matches 'chatting'."""
    phrase = normalize(keyword)
    return bool(phrase) and re.search(rf"\b{_inflected(phrase)}\b", normalize(question)) is not None


def mentions_word(question: str, word: str) -> bool:
    """`mentions`, also through the spellings customers use for it ('log in', 'sign-in' for 'login')."""
    return mentions(question, word) or mentions(_canonical(normalize(question)), word)


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
    if not reasons and (down := says_down(question)):
        named = [w for w in rule.words if w not in SHARED_WORDS and mentions_word(question, w)]
        if named:
            reasons.append(f"the question mentions {named[0]!r} and says {down!r}")
    tags = {as_tag(t) for t in rule.tags}
    about = {as_tag(w) for w in rule.words}
    affected: list[str] = []
    for article in candidates:
        article_tags = {as_tag(t) for t in article.tags}
        if article.id in rule.article_ids:
            reasons.append(f"article {article.id!r} is mapped to {rule.component!r}")
            affected.append(article.id)
        elif shared := sorted(tags & article_tags):
            reasons.append(f"article {article.id!r} is tagged {shared[0]!r}")
            affected.append(article.id)
        elif about and about <= article_tags:
            reasons.append(f"article {article.id!r} is about {' '.join(rule.words)!r}")
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
