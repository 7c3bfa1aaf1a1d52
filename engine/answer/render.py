"""The public JSON shape of a decision, shared by `engine ask --json`, the batch mode and POST /v1/ask."""

from __future__ import annotations

from typing import Any

from engine.types import Citation, Decision


def citation_to_dict(citation: Citation) -> dict[str, Any]:
    return {
        "article_id": citation.article_id,
        "title": citation.title,
        "url": citation.url,
        "score": citation.score,
        "snippet": citation.snippet,
        "updated_at": citation.updated_at.date().isoformat() if citation.updated_at else None,
    }


def decision_to_dict(decision: Decision) -> dict[str, Any]:
    """{decision, answer, citations (best first), confidence, reason}: a stable interface, extend only."""
    return {
        "decision": decision.decision,
        "answer": decision.answer,
        "citations": [citation_to_dict(c) for c in decision.citations],
        "confidence": decision.confidence,
        "reason": str(decision.reason),
    }


def considered_to_list(decision: Decision) -> list[dict[str, Any]]:
    """The articles the decision weighed, best first: [{article_id, title, score}] (`engine ask --json`)."""
    return [
        {"article_id": c.article.id, "title": c.article.title, "score": round(c.fused, 4)}
        for c in decision.candidates
    ]
