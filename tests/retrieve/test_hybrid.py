"""Hybrid retrieval over the real kb_samples index: filters apply before ranking, scores are kept."""

from __future__ import annotations

import numpy as np
import pytest

from engine.types import Query
from engine.wiring import Engine

pytestmark = pytest.mark.integration


def _retrieve(engine: Engine, text: str, *, audience: tuple[str, ...] = ("public",), locale: str | None = None,
              mode: str = "hybrid") -> list[str]:
    snapshot = engine.index.get()
    query = Query(text, audience, locale)
    masks = engine.eligibility.masks(snapshot, query)
    scores = engine.retriever.score(snapshot, query)
    return [c.article.id for c in engine.retriever.rank(scores, masks.eligible, mode).candidates]  # type: ignore[arg-type]


def test_candidates_carry_bm25_dense_and_fused_scores(kb_engine: Engine) -> None:
    snapshot = kb_engine.index.get()
    query = Query("how do I update the credit card we pay with")
    masks = kb_engine.eligibility.masks(snapshot, query)

    result = kb_engine.retriever.rank(kb_engine.retriever.score(snapshot, query), masks.eligible)

    top = result.candidates[0]
    assert top.article.id == "billing/update-payment-method"
    assert top.best.bm25 > 0 and 0 < top.best.dense <= 1 and top.best.fused > 0
    assert top.best.bm25_rank is not None and top.best.dense_rank is not None
    fused = [c.fused for c in result.candidates]
    assert fused == sorted(fused, reverse=True)
    assert len({c.article.id for c in result.candidates}) == len(result.candidates)  # grouped per article


def test_each_index_alone_also_finds_the_obvious_article(kb_engine: Engine) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        assert "billing/download-invoices" in _retrieve(kb_engine, "download an invoice pdf", mode=mode)[:3], mode


def test_admins_only_articles_are_filtered_before_ranking_for_the_public(kb_engine: Engine) -> None:
    public = _retrieve(kb_engine, "configure SAML single sign-on with Okta")
    admins = _retrieve(kb_engine, "configure SAML single sign-on with Okta", audience=("admins",))

    assert "admin/sso-saml-setup" not in public
    assert admins[0] == "admin/sso-saml-setup"


def test_archived_stale_expired_and_draft_articles_never_come_back(kb_engine: Engine) -> None:
    snapshot = kb_engine.index.get()
    verdicts = kb_engine.eligibility.verdicts(snapshot)
    blocked = {a for a, v in verdicts.items() if not v.eligible}
    assert {"billing/legacy-billing-portal", "billing/summer-2026-promo", "getting-started/ai-summaries",
            "billing/nonprofit-discount"} <= blocked

    for question in ("old billing portal login", "summer promo code SUMMER26", "AI summaries of boards",
                     "nonprofit discount application"):
        assert not blocked.intersection(_retrieve(kb_engine, question)), question


def test_locale_filter_picks_the_german_article_for_german_askers(kb_engine: Engine) -> None:
    german = _retrieve(kb_engine, "Passwort zurücksetzen", locale="de")
    english = _retrieve(kb_engine, "reset my password")

    assert german and all(kb_engine.index.get().articles[a].locale == "de" for a in german)
    assert "account/passwort-zuruecksetzen" not in english


def test_one_scoring_ranks_under_several_masks_and_depths(kb_engine: Engine) -> None:
    snapshot = kb_engine.index.get()
    query = Query("how do I update the credit card we pay with")
    scores = kb_engine.retriever.score(snapshot, query)
    everything = np.ones(len(snapshot.article_ids), dtype=bool)
    without_top = everything.copy()
    without_top[snapshot.article_ids.index("billing/update-payment-method")] = False

    full = kb_engine.retriever.rank(scores, everything, depth=10)
    masked = kb_engine.retriever.rank(scores, without_top, depth=10)

    assert full.candidates[0].article.id == "billing/update-payment-method" and len(full.candidates) == 10
    assert "billing/update-payment-method" not in {c.article.id for c in masked.candidates}
    assert len(masked.candidates) == 10
    assert len(kb_engine.retriever.rank(scores, everything, depth=2).candidates) == 2


def test_an_empty_filter_result_is_no_candidates_not_a_crash(kb_engine: Engine) -> None:
    snapshot = kb_engine.index.get()
    nothing = np.zeros(len(snapshot.article_ids), dtype=bool)

    result = kb_engine.retriever.rank(kb_engine.retriever.score(snapshot, Query("reset password")), nothing)

    assert result.candidates == () and result.eligible_articles == 0


@pytest.mark.parametrize("question", ["how do I set up saml sso with okta", "where do i generate the SCIM token",
                                      "how do I update the credit card we pay with"])
def test_the_leader_is_what_the_ranking_leads_with(kb_engine: Engine, question: str) -> None:
    snapshot = kb_engine.index.get()
    query = Query(question)
    masks = kb_engine.eligibility.masks(snapshot, query)
    scores = kb_engine.retriever.score(snapshot, query)
    nothing = np.zeros(len(snapshot.article_ids), dtype=bool)

    for allowed in (masks.eligible, masks.restricted):
        assert allowed is not None and allowed.any()
        top = kb_engine.retriever.rank(scores, allowed, depth=1).candidates[0]
        leader = kb_engine.retriever.leader(scores, allowed)
        assert leader is not None and leader[0] == top.article.id and leader[1] == pytest.approx(top.fused)
    assert masks.restricted is not None and not (masks.restricted & masks.visible).any()  # never what they may see
    assert kb_engine.retriever.leader(scores, nothing) is None
