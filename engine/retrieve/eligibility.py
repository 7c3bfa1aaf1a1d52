"""Which articles a query may see: audience and locale of the asker, and the freshness verdict right now."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import numpy.typing as npt

from engine.freshness.changelog import ChangelogEntry, suspicions
from engine.freshness.policy import FreshnessPolicy, Suspicion, Verdict, verdict
from engine.store.generations import IndexSnapshot
from engine.types import PUBLIC_AUDIENCE, Article, Clock, Query

_VISIBLE_CACHE_SIZE = 64


def primary_language(locale: str) -> str:
    return locale.replace("_", "-").split("-")[0].lower()


def visible(article: Article, audiences: frozenset[str] | None, language: str) -> bool:
    """Audience and locale gate (who may see it at all), independent of freshness; `audiences` None: any."""
    allowed = audiences is None or bool(audiences.intersection(article.audience))
    return allowed and primary_language(article.locale) == language


@dataclass(frozen=True)
class Masks:
    """Per-article booleans aligned with snapshot.article_ids."""

    visible: npt.NDArray[np.bool_]
    eligible: npt.NDArray[np.bool_]
    restricted: npt.NDArray[np.bool_] | None = None
    """Fresh articles in the asker's language that another audience only may see (admins, agents), other than
    copies of an article the asker may see (same content): never quoted to this asker, but when one is clearly the
    best match, what they may see is only a neighbour."""

    def without(self, snapshot: IndexSnapshot, excluded: Collection[str]) -> Masks:
        """The same masks with `excluded` articles taken out, as if absent from the KB."""
        if not excluded:
            return self
        keep = np.fromiter((a not in excluded for a in snapshot.article_ids), dtype=np.bool_)
        restricted = self.restricted & keep if self.restricted is not None else None
        return Masks(visible=self.visible & keep, eligible=self.eligible & keep, restricted=restricted)


class Eligibility:
    """Computes verdicts for a snapshot at most once a minute (they only change with the clock)."""

    def __init__(
        self,
        policy: FreshnessPolicy,
        clock: Clock,
        default_locale: str,
        changelog: list[ChangelogEntry] | None = None,
    ) -> None:
        self._policy = policy
        self._clock = clock
        self._default_language = primary_language(default_locale)
        self._changelog = list(changelog or [])
        self._suspicions: tuple[str, Mapping[str, Suspicion]] = ("", {})
        self._cache: tuple[str, datetime, dict[str, Verdict], npt.NDArray[np.bool_]] | None = None
        self._visible_cache: dict[tuple[str, frozenset[str] | None, str], npt.NDArray[np.bool_]] = {}
        self._restricted_cache: dict[tuple[str, frozenset[str], str], npt.NDArray[np.bool_]] = {}

    def verdicts(self, snapshot: IndexSnapshot) -> dict[str, Verdict]:
        return self._fresh(snapshot)[0]

    def masks(self, snapshot: IndexSnapshot, query: Query) -> Masks:
        _, fresh = self._fresh(snapshot)
        audiences = frozenset({PUBLIC_AUDIENCE, *(a.lower() for a in query.audience)})
        language = primary_language(query.locale) if query.locale else self._default_language
        seen = self._visible(snapshot, audiences, language)
        restricted = self._restricted(snapshot, audiences, language) & fresh
        return Masks(visible=seen, eligible=seen & fresh, restricted=restricted)

    def _visible(
        self, snapshot: IndexSnapshot, audiences: frozenset[str] | None, language: str
    ) -> npt.NDArray[np.bool_]:
        """Audience/locale mask; it depends only on the generation and the asker, so it is computed once each."""
        key = (snapshot.generation, audiences, language)
        mask = self._visible_cache.get(key)
        if mask is None:
            if len(self._visible_cache) >= _VISIBLE_CACHE_SIZE:
                self._visible_cache.clear()
            mask = np.fromiter(
                (visible(snapshot.articles[i], audiences, language) for i in snapshot.article_ids),
                dtype=np.bool_,
                count=len(snapshot.article_ids),
            )
            mask.flags.writeable = False
            self._visible_cache[key] = mask
        return mask

    def _restricted(self, snapshot: IndexSnapshot, audiences: frozenset[str], language: str) -> npt.NDArray[np.bool_]:
        """Articles in `language` the asker may not see, except copies of one they may (same content hash); like
        the visible mask it depends only on the generation and the asker, so it is computed once each."""
        key = (snapshot.generation, audiences, language)
        mask = self._restricted_cache.get(key)
        if mask is None:
            if len(self._restricted_cache) >= _VISIBLE_CACHE_SIZE:
                self._restricted_cache.clear()
            seen = self._visible(snapshot, audiences, language)
            shown = {snapshot.articles[a].content_hash for a, s in zip(snapshot.article_ids, seen, strict=True) if s}
            anyone = self._visible(snapshot, None, language)
            copies = np.fromiter((snapshot.articles[a].content_hash in shown for a in snapshot.article_ids),
                                 dtype=np.bool_, count=len(snapshot.article_ids))
            mask = anyone & ~seen & ~copies
            mask.flags.writeable = False
            self._restricted_cache[key] = mask
        return mask

    def _fresh(self, snapshot: IndexSnapshot) -> tuple[dict[str, Verdict], npt.NDArray[np.bool_]]:
        now = self._clock()
        minute = now.replace(second=0, microsecond=0)
        cached = self._cache
        if cached is not None and cached[0] == snapshot.generation and cached[1] == minute:
            return cached[2], cached[3]
        suspect = self._suspects(snapshot)
        verdicts = {
            article_id: verdict(snapshot.articles[article_id], now, self._policy, suspect)
            for article_id in snapshot.article_ids
        }
        mask = np.fromiter((verdicts[i].eligible for i in snapshot.article_ids), dtype=np.bool_)
        self._cache = (snapshot.generation, minute, verdicts, mask)
        return verdicts, mask

    def _suspects(self, snapshot: IndexSnapshot) -> Mapping[str, Suspicion]:
        """Changelog suspicions depend on article text only: computed once per generation."""
        if self._suspicions[0] != snapshot.generation:
            self._suspicions = (snapshot.generation, suspicions(snapshot.articles.values(), self._changelog))
        return self._suspicions[1]
