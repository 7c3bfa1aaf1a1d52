"""Metrics on a scripted set of sessions, checked against values computed by hand (docs/metrics.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from typer.testing import CliRunner

from engine.api.app import create_app
from engine.cli import app
from engine.events.metrics import compute_metrics, content_gaps
from engine.tickets.models import TicketDraft
from engine.types import Citation, Decision, Reason
from engine.wiring import build_engine
from tests.conftest import AGENT_KEY, PUBLIC_KEY, auth, kb_settings
from tests.fakes import HashEmbedder
from tests.servers import serve

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
DAY1 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


def _answer(article: str) -> Decision:
    citation = Citation(article, article.title(), None, None, "", 0.8, None)
    return Decision("answer", "Do this.", (citation,), 0.8, Reason.ANSWERED)


def _escalation(reason: Reason) -> Decision:
    return Decision("escalate", None, (), 0.2, reason)


def _script(tmp_path: Path) -> object:
    """Five sessions over two days (+1 too young to judge), tickets and votes:

    s1 day1: answered (helpful), answered (not helpful → then helpful: latest counts)     → contained
    s2 day1: answered, then low_confidence "export invoices to csv" → ticket 1 h later      → not contained
    s3 day1: no_match "export invoice csv" → ticket 30 h later (outside 24 h)              → contained
    s4 day2: out_of_scope "tell me a joke" → ticket 2 h later                              → not contained
    s5 day2: answered (not helpful)                                                          → contained
    s6 NOW-1h: answered                                                                      → pending (too young)
    """
    clock_at: list[datetime] = [NOW]
    engine = build_engine(kb_settings(tmp_path), embedder=HashEmbedder(), clock=lambda: clock_at[0])
    log, store = engine.events, engine.desk.store

    def ask(n: int, session: str, at: datetime, decision: Decision, question: str = "how do I do it") -> str:
        interaction = f"{n:036d}"
        log.record_ask(interaction_id=interaction, at=at, session_id=session, question=question, decision=decision,
                       latency_ms=5)
        return interaction

    def ticket(session: str, at: datetime) -> None:
        store.file(TicketDraft(question="help", reason="customer_request", confidence=0, transcript=(),
                               session_id=session), at)

    i1 = ask(1, "s1", DAY1, _answer("billing/invoices"))
    i2 = ask(2, "s1", DAY1 + timedelta(minutes=1), _answer("billing/invoices"))
    log.record_vote(interaction_id=i1, at=DAY1 + timedelta(minutes=2), helpful=True)
    log.record_vote(interaction_id=i2, at=DAY1 + timedelta(minutes=3), helpful=False)
    log.record_vote(interaction_id=i2, at=DAY1 + timedelta(minutes=4), helpful=True)
    ask(3, "s2", DAY1, _answer("account/reset-password"))
    ask(4, "s2", DAY1 + timedelta(minutes=5), _escalation(Reason.LOW_CONFIDENCE), "export invoices to csv")
    ticket("s2", DAY1 + timedelta(hours=1))
    ask(5, "s3", DAY1, _escalation(Reason.NO_MATCH), "export invoice csv")
    ticket("s3", DAY1 + timedelta(hours=30))
    ask(6, "s4", DAY2, _escalation(Reason.OUT_OF_SCOPE), "tell me a joke")
    ticket("s4", DAY2 + timedelta(hours=2))
    i7 = ask(7, "s5", DAY2, _answer("billing/invoices"))
    log.record_vote(interaction_id=i7, at=DAY2 + timedelta(minutes=1), helpful=False)
    ask(8, "s6", NOW - timedelta(hours=1), _answer("account/reset-password"))
    return engine


def test_metrics_match_hand_computed_values(tmp_path: Path) -> None:
    engine = _script(tmp_path)
    found = engine.support.metrics(DAY1 - timedelta(days=1), NOW)  # type: ignore[attr-defined]

    assert found.questions == 8 and found.sessions == 6 and found.sessions_pending == 1
    assert (found.containment.numerator, found.containment.denominator) == (3, 5)  # s1, s3, s5 of s1..s5
    assert (found.self_service.numerator, found.self_service.denominator) == (5, 8)
    assert (found.helpful.numerator, found.helpful.denominator) == (2, 3)  # i1 yes, i2 latest yes, i7 no
    assert {r: (v.numerator, v.denominator) for r, v in found.escalations.items()} == {
        "low_confidence": (1, 8), "no_match": (1, 8), "out_of_scope": (1, 8)}
    assert found.tickets == 3
    assert [(a.article_id, a.count, a.title) for a in found.top_articles] == [
        ("billing/invoices", 3, "billing/invoices"), ("account/reset-password", 2, "account/reset-password")]
    # the two invoice-export questions are one gap; "tell me a joke" is out of scope, not a gap
    assert [(g.count, set(g.examples)) for g in found.content_gaps] == [
        (2, {"export invoices to csv", "export invoice csv"})]
    assert [(d.day, d.questions, d.answered, d.sessions, d.contained, d.votes, d.helpful) for d in found.days] == [
        ("2026-11-20", 5, 3, 3, 2, 2, 2), ("2026-11-21", 2, 1, 2, 1, 1, 0), ("2026-11-23", 1, 1, 0, 0, 0, 0)]
    engine.close()  # type: ignore[attr-defined]


def test_rates_never_exceed_one_and_empty_windows_have_no_value(tmp_path: Path) -> None:
    engine = _script(tmp_path)
    empty = engine.support.metrics(NOW + timedelta(days=1), NOW + timedelta(days=2))  # type: ignore[attr-defined]
    assert empty.questions == 0 and empty.containment.value is None and empty.helpful.value is None
    found = engine.support.metrics(DAY1 - timedelta(days=1), NOW)  # type: ignore[attr-defined]
    for rate in (found.containment, found.self_service, found.helpful, *found.escalations.values()):
        assert 0 <= rate.numerator <= rate.denominator
    engine.close()  # type: ignore[attr-defined]


def test_content_gaps_group_similar_questions_largest_first() -> None:
    gaps = content_gaps(["export csv invoices", "export invoices csv", "delete my team", "export csv invoices"],
                        HashEmbedder().embed_passages, 0.75)

    assert [(g.count, g.examples) for g in gaps] == [(3, ("export csv invoices", "export invoices csv")),
                                                      (1, ("delete my team",))]


@pytest.mark.integration
def test_metrics_endpoint_serves_the_same_numbers_to_staff_only(tmp_path: Path) -> None:
    engine = _script(tmp_path)
    with serve(create_app(engine.settings, engine=engine)) as url:  # type: ignore[attr-defined]
        params = {"from": "2026-11-19", "to": "2026-11-23T12:00:00Z"}
        staff = httpx.get(f"{url}/v1/metrics", params=params, headers=auth(AGENT_KEY), timeout=30)
        public = httpx.get(f"{url}/v1/metrics", params=params, headers=auth(PUBLIC_KEY), timeout=30)
        backwards = httpx.get(f"{url}/v1/metrics", params={"from": "2026-11-23", "to": "2026-11-01"},
                              headers=auth(AGENT_KEY), timeout=30)
    engine.close()  # type: ignore[attr-defined]

    body = staff.json()
    assert staff.status_code == 200 and public.status_code == 403 and backwards.status_code == 400
    assert body["containment"] == {"numerator": 3, "denominator": 5, "value": 0.6}
    assert body["helpful"]["value"] == pytest.approx(2 / 3) and body["escalations"]["no_match"]["numerator"] == 1
    assert body["content_gaps"][0]["count"] == 2


@pytest.mark.integration
def test_engine_metrics_prints_the_endpoints_json(tmp_path: Path) -> None:
    engine = _script(tmp_path)
    window = {"from": "2026-11-19", "to": "2026-11-23T12:00:00Z"}
    with serve(create_app(engine.settings, engine=engine)) as url:  # type: ignore[attr-defined]
        api = httpx.get(f"{url}/v1/metrics", params=window, headers=auth(AGENT_KEY), timeout=30).json()
    engine.close()  # type: ignore[attr-defined]

    result = CliRunner().invoke(app, ["metrics", "--data-dir", str(tmp_path), "--from", window["from"],
                                      "--to", window["to"]])

    assert result.exit_code == 0, result.output
    cli = json.loads(result.stdout)
    assert list(cli) == list(api) and cli["escalations"] == api["escalations"]
    assert cli["escalations"]["no_match"] == {"numerator": 1, "denominator": 8, "value": 0.125}
    for key in ("start", "end", "questions", "self_service", "helpful", "tickets", "top_articles", "stale_hits"):
        assert cli[key] == api[key], key


def test_compute_metrics_counts_a_vote_once_per_interaction() -> None:
    from engine.events.metrics import AskFact, VoteFact

    ask = AskFact("i1", "s1", DAY1, "q", "answer", "answered", ("a",))
    votes = [VoteFact("i1", DAY1 + timedelta(minutes=n), n % 2 == 0) for n in range(5)]  # last (n=4) helpful
    found = compute_metrics([ask], votes, [], [], start=DAY1, end=NOW, now=NOW, containment_hours=24,
                            embed=HashEmbedder().embed_passages, gap_similarity=0.75)

    assert (found.helpful.numerator, found.helpful.denominator) == (1, 1)


def test_small_talk_is_no_question_and_a_clarify_is_neither_answered_nor_escalated() -> None:
    from engine.events.metrics import AskFact, TicketFact

    asks = [
        AskFact("g1", "only-hello", DAY1, "hi", "reply", "greeting", ()),
        AskFact("c1", "vague", DAY1, "it's not working", "clarify", "vague", ()),
        AskFact("a1", "vague", DAY1 + timedelta(minutes=1), "Slow boards", "answer", "answered", ("s",)),
        AskFact("t1", "vague", DAY1 + timedelta(minutes=2), "thanks!", "reply", "thanks", ()),
        AskFact("h1", "human", DAY1, "talk to a human", "escalate", "customer_request", ()),
    ]
    found = compute_metrics(asks, [], [TicketFact("human", DAY1)], [], start=DAY1, end=NOW, now=NOW,
                            containment_hours=24, embed=HashEmbedder().embed_passages, gap_similarity=0.75)

    assert (found.questions, found.replies, found.clarifications) == (2, 2, 1)
    assert (found.self_service.numerator, found.self_service.denominator) == (1, 2)
    assert (found.containment.numerator, found.containment.denominator) == (1, 2)  # the greeting-only one: no session
    assert found.escalations["customer_request"].denominator == 2


def test_containment_is_provisional_until_the_last_session_is_judged() -> None:
    from engine.events.metrics import AskFact, TicketFact

    asks = [AskFact("a1", "s1", NOW - timedelta(hours=3), "q", "answer", "answered", ("a",)),
            AskFact("a2", "s2", NOW - timedelta(hours=2), "q", "escalate", "no_match", ()),
            AskFact("a3", "s3", NOW - timedelta(hours=1), "q", "answer", "answered", ("a",))]
    found = compute_metrics(asks, [], [TicketFact("s2", NOW - timedelta(hours=2))], [], start=DAY1, end=NOW, now=NOW,
                            containment_hours=24, embed=HashEmbedder().embed_passages, gap_similarity=0.75)

    assert (found.containment.numerator, found.containment.denominator) == (0, 0)  # none judged yet
    assert (found.containment_provisional.numerator, found.containment_provisional.denominator) == (2, 3)
    assert found.containment_final_at == NOW - timedelta(hours=1) + timedelta(hours=24)


def test_a_conflict_is_no_content_gap_but_a_pair_of_articles_to_review() -> None:
    from engine.events.metrics import AskFact

    shown = (("billing/refund-policy", "Refund policy"), ("billing/billing-faq", "Billing FAQ"))
    asks = [AskFact("c1", "s1", DAY1, "can I get a refund after 30 days?", "escalate", "conflict", (), shown=shown),
            AskFact("c2", "s2", DAY1, "refund after a month?", "escalate", "conflict", (), shown=shown[::-1]),
            AskFact("n1", "s3", DAY1, "export boards to excel", "escalate", "no_match", ())]
    found = compute_metrics(asks, [], [], [], start=DAY1, end=NOW, now=NOW, containment_hours=24,
                            embed=HashEmbedder().embed_passages, gap_similarity=0.75)

    assert [g.examples for g in found.content_gaps] == [("export boards to excel",)]
    [conflict] = found.conflicts
    assert conflict.articles == ("billing/billing-faq", "billing/refund-policy") and conflict.count == 2
    assert conflict.titles == ("Billing FAQ", "Refund policy") and set(conflict.interaction_ids) == {"c1", "c2"}


def test_a_sliced_period_counts_only_the_tickets_of_its_own_sessions() -> None:
    from engine.events.metrics import AskFact, TicketFact

    german = [AskFact("d1", "de-1", DAY1, "Rechnung?", "escalate", "no_match", (), channel="widget"),
              AskFact("d2", "de-2", DAY1, "Passwort?", "answer", "answered", ("a",), channel="widget")]
    tickets = [TicketFact("de-1", DAY1), TicketFact("en-1", DAY1), TicketFact("en-2", DAY1)]
    found = compute_metrics(german, [], tickets, [], start=DAY1, end=NOW, now=NOW, containment_hours=24,
                            embed=HashEmbedder().embed_passages, gap_similarity=0.75, sliced=True)
    everything = compute_metrics(german, [], tickets, [], start=DAY1, end=NOW, now=NOW, containment_hours=24,
                                 embed=HashEmbedder().embed_passages, gap_similarity=0.75)

    assert (found.questions, found.tickets, found.channels) == (2, 1, ("widget",))
    assert everything.tickets == 3
