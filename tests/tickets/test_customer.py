"""A customer's own tickets: the matcher for "where is my ticket?" (pure), the lookup scoped to the caller's session
and vouched customer on a real SQLite store (never another customer's ticket), and the reply's wording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from engine.config import Settings
from engine.events import tables as _events  # noqa: F401
from engine.store.db import Database, connect
from engine.tickets.customer import StatusQuestion, TicketOwner, own_tickets, status_question, status_text
from engine.tickets.models import TicketDraft
from engine.tickets.store import TicketStore
from engine.types import Customer

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("status of my ticket", StatusQuestion()),
        ("where is my ticket T-000123?", StatusQuestion(123)),
        ("Any update on T-42", StatusQuestion(42)),
        ("what's happening with my request?", StatusQuestion()),
        ("has anyone answered my support case yet", StatusQuestion()),
        ("ticket t-000007", StatusQuestion(7)),
        ("how do I create a ticket?", None),
        ("how do I close my ticket", None),
        ("where are the security settings?", None),
        ("my request for a refund was denied, why?", None),
        ("export T-shirts order", None),
    ],
)
def test_status_questions_are_recognised_and_others_are_not(text: str, expected: StatusQuestion | None) -> None:
    assert status_question(text) == expected


@pytest.fixture
def store(tmp_path: Path) -> TicketStore:
    return TicketStore(Database(connect(Settings(data_dir=tmp_path))), [], lambda: T0)


def _file(store: TicketStore, question: str, session: str, customer: Customer, minutes: int = 0) -> int:
    draft = TicketDraft(question=question, reason="low_confidence", confidence=0.3, transcript=(), session_id=session,
                        customer=customer)
    return store.file(draft, T0 + timedelta(minutes=minutes)).id


def test_a_caller_sees_its_session_and_its_vouched_customer_tickets_and_never_anyone_elses(store: TicketStore) -> None:
    ann = Customer(id="cus_ann", email="ann@acme.example")
    mine_here = _file(store, "Refund please", "s-ann-1", Customer(email="ann@acme.example"), minutes=1)
    mine_elsewhere = _file(store, "Invoice missing", "s-ann-2", ann, minutes=2)
    _file(store, "Bob's secret problem", "s-bob", Customer(id="cus_bob", email="bob@acme.example"))
    _file(store, "Claims to be Ann", "s-eve", Customer(id="cus_ann_x", email="ann@acme.example"))

    session_only = own_tickets(store, TicketOwner("s-ann-1"))
    vouched = own_tickets(store, TicketOwner("s-ann-1", ann))
    by_email = own_tickets(store, TicketOwner(None, Customer(email="ANN@acme.example")))

    assert [t.id for t in session_only] == [mine_here]
    assert [t.id for t in vouched] == [mine_elsewhere, mine_here]  # most recently updated first
    assert all("Bob" not in t.question for t in vouched + by_email)
    assert {t.question for t in by_email} == {"Refund please", "Invoice missing", "Claims to be Ann"}  # any case
    assert own_tickets(store, TicketOwner(None, Customer(email="a_n@acme.example"))) == []  # `_` is not a wildcard
    assert own_tickets(store, TicketOwner(None, None)) == []


def test_the_reply_names_the_ticket_its_state_and_latest_update_and_hides_foreign_ones(store: TicketStore) -> None:
    ann = Customer(email="ann@acme.example")
    first = _file(store, "Refund please", "s1", ann)
    other = _file(store, "Someone else's", "s2", Customer(email="bob@acme.example"))
    mine = own_tickets(store, TicketOwner("s1"))

    one = status_text(StatusQuestion(first), mine)
    foreign = status_text(StatusQuestion(other), mine)
    missing = status_text(StatusQuestion(999), mine)

    assert f"T-{first:06d}" in one and "“Refund please”" in one and "is open" in one and "23 Nov 2026" in one
    assert foreign.replace(f"T-{other:06d}", "T-X") == missing.replace("T-000999", "T-X")  # looks like a missing one
    assert "Someone else" not in foreign
    assert status_text(StatusQuestion(), []).startswith("You have no open requests")
