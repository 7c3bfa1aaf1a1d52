"""Follow-ups retrieved with what the conversation was about, and questions about "this library" asked back: pure
rules, checked on hand-made turns and candidates."""

from __future__ import annotations

from engine.dialogue.followup import Context, expand
from engine.dialogue.referents import things_of_kind, unnamed_kinds
from engine.types import Article, Candidate

IDF = {"safe": 3.0, "room": 2.0, "shelter": 2.5, "earthquak": 4.0, "tornado": 3.5, "suppli": 1.0, "keep": 0.5}.get


def test_an_elliptical_turn_takes_the_most_specific_words_of_the_turns_before() -> None:
    earlier = [Context("What are safe rooms for?", "Safe rooms and shelters")]
    assert expand("What items should I keep?", earlier, IDF, kept=2) == "What items should I keep? safe rooms"
    # A title's words weigh less than the customer's own: shelter (IDF 2.5) × 0.3 < room (2.0).
    assert expand("What items should I keep?", earlier, IDF, kept=3) == "What items should I keep? safe rooms shelters"
    assert expand("What items should I keep?", earlier, IDF, kept=2, title_weight=1.0).endswith("safe shelters")


def test_the_latest_turn_outweighs_an_older_one_and_words_already_asked_are_not_repeated() -> None:
    earlier = [Context("Where is the tornado shelter?", ""), Context("What about earthquakes?", "Earthquake safety")]
    assert expand("which supplies?", earlier, IDF, kept=2) == "which supplies? earthquakes tornado"
    assert expand("which supplies for a tornado?", earlier, IDF, kept=2) == "which supplies for a tornado? earthquakes shelter"


def test_words_the_index_does_not_know_are_not_added() -> None:
    assert expand("and then?", [Context("zzyzx frobnicate", "")], IDF) == "and then?"


def test_a_thing_pointed_at_but_never_named_is_an_unnamed_kind() -> None:
    assert unnamed_kinds("What are the services offered by this state library?", []) == {"state", "librari"}
    assert unnamed_kinds("What services does this library offer?", ["Sacramento Public Library hours"]) == set()
    assert unnamed_kinds("How do I renew my library card?", []) == set()
    assert unnamed_kinds("Name the sources of light pollution that affect skywatching.", []) == set()  # relative


def _candidate(article_id: str, title: str) -> Candidate:
    return Candidate(Article(id=article_id, title=title, body=""), ())


def test_several_different_things_of_the_kind_are_offered_and_one_is_not() -> None:
    libraries = [_candidate("a", "California State Library"), _candidate("b", "Tax forms"),
                 _candidate("c", "Nevada State Library services"), _candidate("d", "California State Library")]
    offered = things_of_kind(frozenset({"librari"}), libraries)
    assert [c.article.id for c in offered] == ["a", "c"]
    assert things_of_kind(frozenset({"librari"}), libraries[:2]) == ()
    assert things_of_kind(frozenset(), libraries) == ()
