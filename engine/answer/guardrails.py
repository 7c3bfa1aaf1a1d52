"""Guardrails: flag questions on sensitive topics (for a human) and spot prompt-injection markers in any text.

Sensitive topics come from a policy file: each topic has regex patterns, mentions and exemplar sentences. A
question is flagged when a pattern or a mention matches it, or when its embedding is close enough to a topic's
nearest exemplar and clearly closer to it than to any routine how-to question listed in the policy. Every flag
says which topic, which exemplar or pattern and what score, so an agent can see why the engine handed the
question over, and whether the customer needs a person (asks us to act, reports an incident, threatens) or only
asks what something is or how it works (`needs_person` False: a fresh article may answer it).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from engine.errors import ConfigError
from engine.protocols import Embedder, Vectors

Priority = Literal["high", "urgent"]
_PRIORITY_RANK = {"high": 0, "urgent": 1}


@dataclass(frozen=True)
class SensitiveMatch:
    """Why a question was judged sensitive: the topic and the exemplar or pattern that matched it."""

    topic: str
    priority: str
    evidence: str
    score: float
    needs_person: bool = True


@dataclass(frozen=True)
class Screening:
    """What the guardrails found in one question."""

    sensitive: SensitiveMatch | None
    injection: tuple[str, ...]


class SensitiveTopic(BaseModel):
    """One topic that a human must handle, described by patterns and by how customers phrase it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, pattern=r"^[a-z][a-z0-9_]*$")
    priority: Priority
    description: str = ""
    threshold: float | None = Field(default=None, gt=0.0, le=1.0)
    patterns: tuple[str, ...] = Field(
        default=(), description="Phrases of a customer who needs a person (an act, an incident, a threat): always flag."
    )
    mentions: tuple[str, ...] = Field(
        default=(),
        description="Words naming the subject (\"small claims\", \"identity theft\"): flag, but a question that only "
        "asks what it is or how it works is answered when a fresh article answers it.",
    )
    questions: Literal["answer", "escalate"] = Field(
        default="answer",
        description="A question on this topic that only asks for information: answer it from a fresh article, or "
        "escalate it anyway (safety).",
    )
    exemplars: tuple[str, ...] = Field(min_length=1)

    @field_validator("patterns", "mentions")
    @classmethod
    def _patterns_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc
        return patterns

    @field_validator("exemplars")
    @classmethod
    def _exemplars_not_blank(cls, exemplars: tuple[str, ...]) -> tuple[str, ...]:
        if any(not e.strip() for e in exemplars):
            raise ValueError("exemplars must not contain blank sentences")
        return exemplars


class SensitivePolicy(BaseModel):
    """Sensitive topics plus the similarity rules that decide when a paraphrase counts as a match."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(
        default=0.54, gt=0.0, le=1.0, description="Cosine to a topic's nearest exemplar at or above which it matches."
    )
    margin: float = Field(
        default=0.04,
        ge=0.0,
        le=1.0,
        description="How much closer to the topic than to the nearest routine question a match must be.",
    )
    routine: tuple[str, ...] = Field(
        default=(), description="Ordinary how-to questions that resemble a topic but are answered from the KB."
    )
    asking: tuple[str, ...] = Field(
        default=(),
        description="A sentence opening with one of these asks what something is or how it works; empty: every "
        "match needs a person (the behaviour before intents).",
    )
    acting: tuple[str, ...] = Field(
        default=(),
        description="Anywhere in a message, one of these makes it a request to act or an incident, even if it asks.",
    )
    topics: tuple[SensitiveTopic, ...] = Field(min_length=1)

    @field_validator("asking", "acting")
    @classmethod
    def _intents_compile(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        return SensitiveTopic._patterns_compile(patterns)

    @model_validator(mode="after")
    def _names_unique(self) -> SensitivePolicy:
        names = [t.name for t in self.topics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"topic names must be unique; rename the repeated ones: {', '.join(duplicates)}")
        return self

    def threshold_of(self, topic: SensitiveTopic) -> float:
        return topic.threshold if topic.threshold is not None else self.threshold


def default_policy_path() -> Path:
    """The policy shipped with the package (engine/answer/sensitive_topics.toml); ENGINE_ANSWER__SENSITIVE_POLICY_FILE
    points at another."""
    return Path(__file__).with_name("sensitive_topics.toml")


def load_sensitive_policy(path: Path) -> SensitivePolicy:
    """Read and validate a policy file; any problem becomes a ConfigError that names the file and the field.

    A KB owner's file may start from another policy instead of copying it: `base = "default"` (the shipped one) or
    a path relative to the file; its `topics` then replace the base's topics of the same name or add new ones,
    `drop = ["fraud"]` removes base topics, its `routine`, `asking` and `acting` lists are added to the base's, and
    its `threshold` and `margin`, when given, win."""
    data = _read_policy(path)
    try:
        return SensitivePolicy.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"sensitive-topics policy {path}: {_describe(exc, data)}") from exc


def _read_policy(path: Path, seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"sensitive-topics policy {path}: cannot read it ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"sensitive-topics policy {path}: not valid TOML ({exc})") from exc
    base, drop = data.pop("base", None), data.pop("drop", [])
    if base is None:
        if drop:
            raise ConfigError(f"sensitive-topics policy {path}: drop needs a base policy to drop topics from")
        return data
    if not isinstance(base, str) or not isinstance(drop, list) or not all(isinstance(d, str) for d in drop):
        raise ConfigError(f'sensitive-topics policy {path}: base must be "default" or a path, drop a list of names')
    base_path = default_policy_path() if base == "default" else (path.parent / base)
    if base_path.resolve() in seen or base_path.resolve() == path.resolve():
        raise ConfigError(f"sensitive-topics policy {path}: base {base!r} leads back to itself")
    return _merged(_read_policy(base_path, (*seen, path.resolve())), data, drop, path)


def _merged(base: dict[str, Any], own: dict[str, Any], drop: list[str], path: Path) -> dict[str, Any]:
    """`own` on top of `base`: topics replaced by name or added, `drop`ped ones removed, lists extended."""
    topics = [t for t in base.get("topics", []) if isinstance(t, dict)]
    unknown = sorted(set(drop) - {t.get("name") for t in topics})
    if unknown:
        raise ConfigError(f"sensitive-topics policy {path}: drop names topics the base does not have: "
                          f"{', '.join(unknown)}")
    replaced = {t.get("name") for t in own.get("topics", []) if isinstance(t, dict)}
    kept = [t for t in topics if t.get("name") not in replaced and t.get("name") not in drop]
    merged = {**base, **own, "topics": kept + list(own.get("topics", []))}
    for key in ("routine", "asking", "acting"):
        if key in base or key in own:
            merged[key] = [*base.get(key, []), *own.get(key, [])]
    return merged


def _describe(exc: ValidationError, data: object) -> str:
    """Validation errors as 'topics[2] (refunds).exemplars: field required' lines, topic named where known."""
    problems = []
    for error in exc.errors():
        location = error["loc"]
        where = ".".join(str(part) for part in location) or "(top level)"
        if len(location) >= 2 and location[0] == "topics" and isinstance(location[1], int):
            topics = data.get("topics") if isinstance(data, dict) else None
            topic = topics[location[1]] if isinstance(topics, list) and location[1] < len(topics) else None
            name = topic.get("name") if isinstance(topic, dict) else None
            rest = ".".join(str(part) for part in location[2:])
            where = f"topics[{location[1]}]" + (f" ({name})" if name else "") + (f".{rest}" if rest else "")
        problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)


class Guardrails:
    """Screens questions: sensitive topic (patterns, then nearest exemplar) and prompt-injection markers."""

    def __init__(self, policy: SensitivePolicy, embedder: Embedder) -> None:
        self._policy = policy
        self._patterns = [_compiled(topic.patterns) for topic in policy.topics]
        self._mentions = [_compiled(topic.mentions) for topic in policy.topics]
        self._asking = _compiled(policy.asking, re.IGNORECASE | re.MULTILINE)
        self._acting = _compiled(policy.acting)
        exemplars = [e for topic in policy.topics for e in topic.exemplars]
        self._exemplars = embedder.embed_passages(exemplars)
        self._routine = embedder.embed_passages(policy.routine) if policy.routine else None
        sizes = [len(topic.exemplars) for topic in policy.topics]
        self._starts = np.cumsum([0, *sizes[:-1]])

    @property
    def policy(self) -> SensitivePolicy:
        return self._policy

    def screen(self, question: str, vector: Vectors) -> Screening:
        """Screen one question; `vector` is its query embedding, computed once by the caller."""
        return Screening(self.sensitive(question, vector), injection_markers(question))

    def sensitive(self, question: str, vector: Vectors) -> SensitiveMatch | None:
        """The topic the question matches: a pattern match first (urgent before high, then policy order), then a
        mention, else the topic whose nearest exemplar is closest. A pattern match needs a person (unless it sits in
        a condition: "… if my account is hacked?"); a mention or an exemplar match does unless the question only asks
        for information (`asks_only`) and its topic lets such questions be answered."""
        if not question.strip():
            return None
        if vector.shape != self._exemplars.shape[1:]:
            raise ValueError(
                f"vector has shape {vector.shape}, expected {self._exemplars.shape[1:]}: pass embed_query(question) "
                "from the embedder the guardrails were built with"
            )
        by_pattern = self._pattern_matches(question, self._patterns)
        reported = [m for m in by_pattern if not _conditional(m.evidence, question)]
        if reported:
            return max(reported, key=lambda m: _PRIORITY_RANK[m.priority])
        # A pattern inside a condition ("what does Wix do if my account is hacked?") is asked about, like a mention.
        by_mention = by_pattern or self._pattern_matches(question, self._mentions)
        if by_mention:
            match = max(by_mention, key=lambda m: _PRIORITY_RANK[m.priority])
        else:
            nearest = self._nearest(vector)
            if not nearest:
                return None
            match = max(nearest, key=lambda m: (m.score, _PRIORITY_RANK[m.priority]))
        topic = next(t for t in self._policy.topics if t.name == match.topic)
        asks_only = topic.questions == "answer" and self.asks_only(question)
        return replace(match, needs_person=not asks_only)

    def asks_only(self, question: str) -> bool:
        """The message asks what something is or how it works (a sentence opens with an `asking` phrase) and nothing
        in it asks us to act or reports an incident (no `acting` phrase)."""
        return any(p.search(question) for p in self._asking) and not any(p.search(question) for p in self._acting)

    def _pattern_matches(self, question: str, compiled: list[list[re.Pattern[str]]]) -> list[SensitiveMatch]:
        found = []
        for topic, patterns in zip(self._policy.topics, compiled, strict=True):
            hit = next((p for p in patterns if p.search(question)), None)
            if hit is not None:
                found.append(SensitiveMatch(topic.name, topic.priority, hit.pattern, 1.0))
        return found

    def _nearest(self, vector: Vectors) -> list[SensitiveMatch]:
        """Topics whose nearest exemplar clears its threshold and beats the nearest routine question by the margin."""
        similarities = self._exemplars @ vector
        best_per_topic = np.maximum.reduceat(similarities, self._starts)
        routine = float((self._routine @ vector).max()) if self._routine is not None else -1.0
        found = []
        for index, topic in enumerate(self._policy.topics):
            score = float(best_per_topic[index])
            if score >= self._policy.threshold_of(topic) and score - routine >= self._policy.margin:
                start = int(self._starts[index])
                exemplar = topic.exemplars[int(np.argmax(similarities[start : start + len(topic.exemplars)]))]
                found.append(SensitiveMatch(topic.name, topic.priority, exemplar, round(score, 4)))
        return found


_CONDITIONAL = re.compile(r"\b(?:if|in\s+case|whether|when|once)\s+(?:\w+\s+)?$", re.IGNORECASE)


def _conditional(pattern: str, question: str) -> bool:
    """The pattern's first match comes right after "if", "in case", "when" … (a condition, not a report)."""
    hit = re.search(pattern, question, re.IGNORECASE)
    return hit is not None and _CONDITIONAL.search(question[max(0, hit.start() - 24) : hit.start()]) is not None


def _compiled(patterns: tuple[str, ...], flags: re.RegexFlag = re.IGNORECASE) -> list[re.Pattern[str]]:
    return [re.compile(p, flags) for p in patterns]


_ROLE_WORDS = (
    r"(?:admin(?:istrator)?|billing\s+(?:manager|admin|team)|manager|supervisor|support\s+(?:agent|lead|manager)"
    r"|employee|staff|owner|ceo|developer|engineer|root|superuser|moderator)"
)
_SECRET_ADJECTIVE = r"(?:hidden|secret|internal|initial|original|system|developer|confidential|underlying)"
_SECRET_NOUN = r"(?:prompt|instructions?|rules|notes|guidelines|directives|message|config(?:uration)?)"
_DETERMINERS = r"(?:(?:me|us|all|of|the|full|entire|complete|exact)\s+)*"

# Each marker names one trick; the names are what the engine logs and shows to agents. Every pattern needs a
# phrase that ordinary support text does not use ("ignore the instructions regarding X" is a normal doc line;
# "ignore all previous instructions" is not).
INJECTION_MARKERS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        (
            "ignore_instructions",
            r"\b(?:ignore|forget|override|bypass)\s+(?:(?:all|any|of|the)\s+)*"
            r"(?:(?:your|my|these|those|previous|prior|above|earlier|preceding|former|original|system|safety|all)\s+)+"
            r"(?:instructions?|rules|guidelines|directives|prompts?|guardrails|restrictions|programming|training)\b",
        ),
        (
            "disregard_context",
            r"\bdisregard\s+(?:(?:all|any|the|your|of|previous|prior|above|earlier|preceding)\s+)*"
            r"(?:above|instructions?|rules|guidelines|knowledge\s+base|kb|articles?|documentation|docs|context"
            r"|policy|policies|everything|prompt)\b",
        ),
        ("forget_instructions", r"\bforget\s+(?:that\s+)?you\s+(?:ever\s+)?(?:had|have|were|received|saw|read)\b"),
        (
            "ignore_above",
            r"\b(?:ignore|disregard|forget|never\s?mind)\s+(?:everything\s+|all\s+|anything\s+)?(?:the\s+)?"
            r"(?:above|instructions\s+above|text\s+above)\s*(?:[.,;:!]|and\b|$)"
            r"|\b(?:ignore|disregard|forget)\s+(?:all\s+|the\s+|any\s+)?(?:previous|prior|earlier)\s+messages\b",
        ),
        (
            "secret_request",
            r"\b(?:print|show|reveal|dump|list|give|tell|output|display|share|send|leak|expose)\s+(?:me\s+|us\s+)?"
            r"(?:(?:all|every|each|the|of)\s+)*(?:your|the\s+(?:server|engine)'s)\s+"
            r"(?:(?:admin|secret|session|webhook|llm|private)\s+)*(?:api[\s_-]?keys?|secrets?|configuration|config"
            r"|settings|environment(?:\s+variables)?|env\s+vars|credentials|tokens?)\b"
            r"|(?-i:\bENGINE_[A-Z_]*)"
            r"|\bapi\s+keys?\s+(?:you\s+(?:were|are)\s+(?:configured|given|using)|of\s+the\s+server)\b",
        ),
        (
            "persona_override",
            r"\byou\s+are\s+now\s+(?:(?-i:DAN)\b|in\s+\w+\s+mode|an?\s+(?:\w+\s+)?(?:ai|assistant|chatbot|bot|model)\b"
            r"|unrestricted|unfiltered|jailbroken|free\s+from)"
            r"|\b(?:as|be|pretend\s+(?:you\s+are|you're|to\s+be))\s+(?-i:DAN)\b|\b(?-i:DAN)\s+mode\b"
            r"|\ban?\s+(?:ai|assistant|chatbot|bot|model)\s+(?:with\s+no|without(?:\s+any)?)\s+"
            r"(?:rules|restrictions|limits|filters|guidelines|guardrails)\b"
            r"|\b(?:god|jailbreak|unrestricted|unfiltered|evil)\s+mode\b|\bjailbreak\s+prompt\b",
        ),
        (
            "reveal_prompt",
            r"\b(?:reveal|print|show|display|output|repeat|dump|leak|paste|share|translate|recite|expose|list|give)\s+"
            + _DETERMINERS
            + r"(?:(?:(?:your|the)\s+"
            + _DETERMINERS
            + r")?system\s+prompt|your\s+"
            + _DETERMINERS
            + r"(?:"
            + _SECRET_ADJECTIVE
            + r"\s+(?:and\s+\w+\s+)?"
            + _SECRET_NOUN
            + r"|(?:prompt|instructions)\s+(?:verbatim|word\s+for\s+word|you\s+were\s+given)))"
            r"|\b(?:reveal|print|dump|leak|recite|expose)\s+" + _DETERMINERS + r"your\s+(?:prompt|instructions)\b"
            r"|\b(?:what\s+(?:is|are|was|were)|tell\s+me)\s+your\s+(?:system\s+prompt|"
            r"(?:initial|original|hidden|secret)\s+(?:prompt|instructions))",
        ),
        (
            "privileged_roleplay",
            r"\b(?:act|acting|pose|posing|roleplay|role-play|role\s+play)\s+as\s+(?:the\s+|an?\s+|my\s+|our\s+)?"
            + _ROLE_WORDS
            + r"\b.{0,60}\b(?:approve|grant|authori[sz]e|issue|confirm|unlock|refund|waive|override)"
            r"|\b(?:pretend|imagine)\s+(?:that\s+)?(?:you\s+are|you're|to\s+be)\s+(?:the\s+|an?\s+|my\s+|our\s+)?"
            + _ROLE_WORDS
            + r"\b",
        ),
        (
            "role_play_override",
            r"\b(?:pretend|imagine)\s+(?:that\s+)?(?:you\s+are|you're|to\s+be)\s+(?:an?\s+)?(?:different|new|evil|"
            r"unrestricted|unfiltered|another)\b|\bfrom\s+now\s+on,?\s+you\s+(?:are|will|must|shall|have\s+to)\b"
            r"|\blet's\s+play\s+a\s+game\s+where\s+you\b|\bstay\s+in\s+character\b",
        ),
        (
            "system_override",
            r"\b(?:system|admin|developer|security|safety)\s+override\b"
            r"|\b(?:the\s+)?user\s+is\s+(?:a\s+)?(?:verified|authori[sz]ed|trusted|confirmed)\s+(?:\w+\s+)?"
            + _ROLE_WORDS
            + r"\b",
        ),
        (
            "fake_role_tag",
            r"<\s*/?\s*(?:system|assistant|sys|instructions?|im_start|im_end|prompt)\s*>|<\|im_(?:start|end)\|>"
            r"|\[/?(?:INST|SYS|SYSTEM)\]|<<\s*/?SYS\s*>>|<!--\s*(?:system|assistant|ai|instructions?|prompt)\s*:"
            r"|(?:^|\n)\s*#{1,6}\s*(?:system|assistant|new\s+instructions?|instructions?)\s*:",
        ),
        (
            "new_instructions",
            r"\b(?:new|updated|revised|real|actual|additional|override)\s+(?:instructions?|rules|directives|"
            r"system\s+prompt)\s*:",
        ),
        (
            "forced_reply",
            r"\b(?:reply|respond|answer)\s+(?:only\s+)?with\s+(?:exactly|only)\b|\b(?:reply|respond|answer)\s+only\s+with\b"
            r"|\b(?:say|output|print)\s+(?:only|exactly)\s*:",
        ),
        (
            "encoded_payload",
            r"\b(?:decode|execute|run|follow)\s+(?:this|the\s+following|these|the)\s+"
            r"(?:base64|b64|rot13|encoded)\b|\b(?:base64|b64)[- ]?(?:encoded\s+)?(?:instructions?|payload|command)"
            # A long base64 run: mixed case and digits, padded or slash-free (paths and URLs have slashes).
            r"|(?-i:(?<![\w+/=.-])(?=[A-Za-z0-9+/]{0,400}[A-Z])(?=[A-Za-z0-9+/]{0,400}[a-z])"
            r"(?=[A-Za-z0-9+/]{0,400}\d)(?:[A-Za-z0-9+/]{40,}={1,2}|[A-Za-z0-9+]{48,})(?![\w+/=.-]))",
        ),
    )
)


def injection_markers(text: str) -> tuple[str, ...]:
    """Names of the prompt-injection markers found in a question or an article, in a fixed order."""
    return tuple(name for name, pattern in INJECTION_MARKERS if pattern.search(text))
