"""The extractive composer quotes its source verbatim and keeps steps together."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.answer.composer import AnswerRequest
from engine.answer.extractive import ExtractiveComposer, split_units
from engine.types import Article, Candidate, Chunk, Delta, ScoredChunk

TEXT = """Paddle emails an invoice after each payment. You can also download invoices yourself.

To download one:

1. Open **Settings → Billing**.
2. Click *Invoices*.
3. Pick the month and click **Download PDF**.

Invoices are kept for 24 months. Older ones are available from support."""


def _candidate(text: str) -> Candidate:
    chunk = Chunk("a#0", "a", 0, ("Invoices",), "invoices", text, text, "h")
    return Candidate(Article(id="a", title="Invoices", body=text, url="https://help/x"), (ScoredChunk(chunk, 1, 0.8, 0.9),))


def _request(text: str, query_terms: tuple[str, ...], idf: Callable[[str], float] = lambda t: 1.0) -> AnswerRequest:
    return AnswerRequest("question", query_terms, (_candidate(text),), idf)


def test_units_are_sentences_and_list_items() -> None:
    units = [u.text for u in split_units(TEXT)]

    assert units[:3] == ["Paddle emails an invoice after each payment.", "You can also download invoices yourself.",
                         "To download one:"]
    assert "2. Click *Invoices*." in units


def test_short_sections_are_quoted_whole_and_cited_with_anchor() -> None:
    composition = ExtractiveComposer(max_chars=2000).compose(_request(TEXT, ("invoic",)))

    assert composition.answer == TEXT
    assert composition.citations[0].url == "https://help/x#invoices"


def test_long_sections_keep_the_best_unit_and_every_answer_line_is_in_the_source() -> None:
    composer = ExtractiveComposer(max_chars=120)

    composition = composer.compose(_request(TEXT, ("24", "month"), lambda t: {"month": 3.0, "24": 3.0}.get(t, 0.1)))

    assert "Invoices are kept for 24 months." in composition.answer
    assert len(composition.answer) <= 120
    for unit in composition.units:
        assert unit in TEXT


def test_streamed_pieces_join_to_the_composed_answer_one_unit_each() -> None:
    composer = ExtractiveComposer(max_chars=2000)

    events = list(composer.stream(_request(TEXT, ("invoic",))))

    pieces = [e.text for e in events if isinstance(e, Delta)]
    assert "".join(pieces) == composer.compose(_request(TEXT, ("invoic",))).answer == TEXT
    assert len(pieces) == len(split_units(TEXT))
    assert pieces[4] == "\n2. Click *Invoices*."


_SENTENCE = st.from_regex(r"[A-Z][a-z]{1,8}( [a-z0-9]{1,8}){0,6}[.!?]", fullmatch=True)
_BLOCK = st.one_of(
    st.lists(_SENTENCE, min_size=1, max_size=4).map(" ".join),
    st.lists(_SENTENCE, min_size=1, max_size=4).map(lambda items: "\n".join(f"{i + 1}. {t}" for i, t in enumerate(items))),
)


@settings(max_examples=120, deadline=None)
@given(
    blocks=st.lists(_BLOCK, min_size=1, max_size=5),
    query=st.lists(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), max_size=4),
    max_chars=st.integers(min_value=100, max_value=600),
)
def test_property_every_emitted_unit_is_a_unit_of_the_source(blocks: list[str], query: list[str], max_chars: int) -> None:
    text = "\n\n".join(blocks)
    source_units = {u.text for u in split_units(text)}

    composition = ExtractiveComposer(max_chars).compose(_request(text, tuple(query)))

    assert composition.units and set(composition.units) <= source_units
    for line in composition.answer.split("\n"):
        assert line == "" or line in text


def _sections(intro_score: float, steps_score: float) -> Candidate:
    intro = Chunk("a#0", "a", 0, ("2FA",), "2fa", "Two-factor authentication adds a second step when you sign in.",
                  "x", "h0")
    methods = Chunk("a#1", "a", 1, ("2FA", "Methods"), "methods", "Authenticator apps and security keys work.", "x", "h1")
    steps = Chunk("a#2", "a", 2, ("2FA", "Turn on"), "turn-on", "1. Open **Profile**.\n2. Click **Enable 2FA**.", "x", "h2")
    scored = (ScoredChunk(intro, 1, 0.8, intro_score), ScoredChunk(methods, 1, 0.8, intro_score - 0.01),
              ScoredChunk(steps, 1, 0.8, steps_score))
    return Candidate(Article(id="a", title="2FA", body=""), scored)


def test_a_how_do_i_question_gets_the_steps_when_they_match_almost_as_well() -> None:
    composer = ExtractiveComposer(900)
    how = AnswerRequest("how do I turn on two-factor authentication?", ("2fa",), (_sections(0.76, 0.70),), lambda t: 1.0)
    what = AnswerRequest("what is two-factor authentication?", ("2fa",), (_sections(0.76, 0.70),), lambda t: 1.0)
    far = AnswerRequest("how do I turn on two-factor authentication?", ("2fa",), (_sections(0.76, 0.60),), lambda t: 1.0)

    assert "2. Click **Enable 2FA**." in composer.compose(how).answer
    assert "Two-factor authentication adds" in composer.compose(how).answer  # read with the best section
    assert "Enable 2FA" not in composer.compose(what).answer  # not a procedure: the closest sections only
    assert "Enable 2FA" not in composer.compose(far).answer  # steps too far below the best match


STEPS = """1. Open **Settings → Boards**.
2. Click **New board** and pick a template.
3. Name the board and choose who can see it.
4. Click **Create board**."""
TIP = "4. Click **Create board**.\n\nTip: The Free plan includes up to **5 boards**; paid plans have no limit."


def _two_parts(first: str, second: str) -> Candidate:
    """A long section the chunker cut in two, the second part repeating the first's last line (its overlap)."""
    chunks = [Chunk(f"a#{n}", "a", n, ("Boards", "Create a board"), "create-a-board", text, text, "h")
              for n, text in enumerate((first, second))]
    return Candidate(Article(id="a", title="Boards", body=f"{first}\n\n{second}", url="https://help/b"),
                     tuple(ScoredChunk(c, 1, 0.8, 0.9) for c in chunks))


def test_a_question_that_asks_for_an_amount_gets_the_sentence_that_states_it() -> None:
    # The steps share more of the question's words ("create", "board") than the tip that answers it.
    weights = {"creat": 2.0, "board": 1.0, "limit": 1.0}
    request = AnswerRequest("is there a limit on how many boards I can create?", ("limit", "mani", "board", "creat"),
                            (_two_parts(STEPS, TIP),), lambda t: weights.get(t, 0.0))

    answer = ExtractiveComposer(max_chars=170).compose(request).answer

    assert "up to **5 boards**" in answer and "Click **Create board**" in answer


def test_two_parts_of_a_section_are_read_without_the_lines_they_share() -> None:
    request = AnswerRequest("how do I create a board?", ("creat", "board"), (_two_parts(STEPS, TIP),),
                            lambda t: 1.0)

    answer = ExtractiveComposer(max_chars=2000).compose(request).answer

    assert answer.count("4. Click **Create board**.") == 1 and answer.endswith("paid plans have no limit.")


def test_without_an_amount_asked_the_best_matching_passage_alone_is_quoted() -> None:
    weights = {"creat": 2.0, "board": 1.0}
    request = AnswerRequest("how do I create a board?", ("creat", "board"), (_two_parts(STEPS, TIP),),
                            lambda t: weights.get(t, 0.0))

    answer = ExtractiveComposer(max_chars=170).compose(request).answer

    assert "Click **Create board**" in answer and "5 boards" not in answer


PAGE = """Sampson State Park
Invoices

Home / State Parks /

Follow Us

Know Before You Go...

Pet Policy
A maximum of two pets are allowed in campsites. Pets are to be
supervised at all times.
Shelter Rentals
The shelters are closed this year."""


def test_label_lines_of_a_crawled_page_are_units_of_their_own() -> None:
    units = split_units(PAGE)

    assert [u.text for u in units if u.is_label] == [
        "Sampson State Park", "Invoices", "Home / State Parks /", "Follow Us", "Know Before You Go...", "Pet Policy",
        "Shelter Rentals"]
    # A line broken mid-sentence is no label: the next line does not start a new one.
    assert "Pets are to be supervised at all times." in [u.text for u in units if not u.is_label]


def test_an_answer_starts_and_ends_with_a_sentence_not_the_page_chrome_around_it() -> None:
    short = ExtractiveComposer(900).compose(_request(PAGE, ("pet",))).answer
    cut = ExtractiveComposer(110).compose(_request(PAGE, ("pet",))).answer

    assert short.startswith("A maximum of two pets are allowed in campsites.")
    assert "Shelter Rentals\nThe shelters are closed this year." in short  # a label inside stays, on its own line
    assert cut == "A maximum of two pets are allowed in campsites. Pets are to be supervised at all times."


def test_a_label_that_matches_best_is_quoted() -> None:
    answer = ExtractiveComposer(900).compose(_request("Opening hours\n\nSee the map.\n\nPhone 555 0100", ("phone",)))

    assert answer.answer.endswith("Phone 555 0100")
