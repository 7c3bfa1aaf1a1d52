"""Follow-ups retrieved with what the conversation was about, and questions about "this library" asked back: pure
rules, checked on hand-made turns and candidates."""

from __future__ import annotations

from engine.dialogue.followup import Context, expand
from engine.dialogue.referents import (
    definite_kinds,
    named,
    named_things,
    pointed_at,
    things_of_kind,
    unnamed_kinds,
)
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


def test_the_thing_after_the_is_pointed_at_only_when_it_stands_alone_in_a_question_that_names_nothing() -> None:
    assert definite_kinds("Can we take the pets in the park?") == {"pet", "park"}
    assert definite_kinds("What services does the clinic provide?") == {"clinic"}
    assert definite_kinds("What is the surface of it like?") == set()  # "of" says which
    assert definite_kinds("What is the state sales tax?") == set()  # what follows says which
    assert definite_kinds("Does the Europa Clipper mission have an antenna?") == set()  # a name says which
    assert definite_kinds("Who was the last Kolb to live in the house?") == set()
    assert pointed_at("Are pets allowed in the park?", ["Tell me about Sampson State Park"]).definite == set()


def test_titles_naming_different_things_of_the_kind_are_offered_and_a_kind_used_as_a_modifier_is_not() -> None:
    parks = [_candidate("a", "Sampson State Park"), _candidate("b", "Pet policy"),
             _candidate("c", "Watkins Glen State Park - Finger Lakes"), _candidate("d", "Sampson State Park")]
    pointed = pointed_at("Can we take the pets in the park?", [])
    assert [c.article.id for c in named_things(pointed, parks)] == ["a", "c"]
    assert named_things(pointed, parks[:2]) == ()
    programs = [_candidate("a", "VA Homeless Programs"), _candidate("b", "The Governor's Homelessness Plan")]
    assert named_things(pointed_at("What about the homeless?", []), programs) == ()
    counties = [_candidate("a", "Jury | County of Alameda"), _candidate("b", "Jury | County of Tulare")]
    assert len(named_things(pointed_at("Where is the county court?", []), counties)) == 0  # "court" follows
    assert len(named_things(pointed_at("Where is the jury office of the county?", []), counties)) == 2
    # A name the conversation already used tells nothing apart.
    assert named_things(pointed_at("Where is the county?", ["Alameda and Tulare juries"]), counties) == ()


def test_a_pick_asks_the_question_again_with_the_thing_named() -> None:
    park = pointed_at("Can we take the pets in the park?", [])
    library = pointed_at("What services does this library offer?", [])

    assert named("Can we take the pets in the park?", park, "Long Point State Park - Finger Lakes") == (
        "Can we take the pets in Long Point State Park?")
    assert named("What services does this library offer?", library, "Fresno County Public Library | Fresno") == (
        "What services does Fresno County Public Library offer?")
    assert named("What does it cost?", park, "Sampson State Park") == "What does it cost? (Sampson State Park)"
