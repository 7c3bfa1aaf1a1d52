"""What another audience only may see, as the other-audience guard reads it (pure: a snapshot's articles in, masks
out): never what the asker may see, never another language, never an outdated article, never a copy of a
visible one."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from engine.freshness.policy import FreshnessPolicy
from engine.retrieve.eligibility import Eligibility
from engine.store.generations import IndexSnapshot
from engine.types import Article, Query

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def _snapshot(*articles: Article) -> IndexSnapshot:
    return IndexSnapshot(generation="g1", articles={a.id: a for a in articles}, sources={}, chunks=[],
                         vectors=np.zeros((0, 4), dtype=np.float32), keyword=None,  # type: ignore[arg-type]
                         dense=None, article_ids=[a.id for a in articles], chunk_article=np.zeros(0, dtype=np.int32))


def test_restricted_is_another_audience_s_fresh_article_in_the_asker_s_language_and_not_a_copy() -> None:
    snapshot = _snapshot(
        Article("sign-in", "Sign in with SSO", "…", updated_at=NOW, content_hash="a"),
        Article("saml-setup", "Set up SAML SSO", "…", updated_at=NOW, audience=("admins",), content_hash="b"),
        Article("sign-in-copy", "Sign in with SSO", "…", updated_at=NOW, audience=("agents",), content_hash="a"),
        Article("saml-de", "SAML einrichten", "…", updated_at=NOW, audience=("admins",), locale="de",
                content_hash="c"),
        Article("saml-old", "Old SAML setup", "…", updated_at=NOW, audience=("admins",), content_hash="d",
                expires_at=datetime(2026, 1, 1, tzinfo=UTC)),
    )
    eligibility = Eligibility(FreshnessPolicy(), lambda: NOW, "en")

    public = eligibility.masks(snapshot, Query("how do I set up SAML?"))
    admin = eligibility.masks(snapshot, Query("how do I set up SAML?", audience=("admins",)))

    restricted = dict(zip(snapshot.article_ids, public.restricted.tolist(), strict=True))  # type: ignore[union-attr]
    assert restricted == {"sign-in": False, "saml-setup": True, "sign-in-copy": False, "saml-de": False,
                          "saml-old": False}
    assert admin.restricted is not None and not admin.restricted[snapshot.article_ids.index("saml-setup")]
