"""Which questions an incident concerns: hand-made incidents, rules, questions and candidate articles."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.incidents.matching import as_tag, match_incidents, mentions, normalize, rule_for
from engine.incidents.types import CandidateArticle, Component, ComponentRule, Incident

AT = datetime(2026, 12, 1, tzinfo=UTC)
SYNC = Component("cmp-sync", "Sync", "major_outage")
LOGIN = Component("cmp-login", "Login & SSO", "partial_outage")
EMAIL = Component("cmp-email", "Email notifications", "degraded_performance")


def _incident(name: str, *components: Component, impact: str = "major", status: str = "investigating") -> Incident:
    return Incident(f"inc-{name}", name, status, impact, None, AT, (), components)


def test_names_become_words_and_tags() -> None:
    assert normalize("E-mail  Sync!") == "e mail sync"
    assert as_tag("Login & SSO") == "login-sso" and as_tag("Email notifications") == "email-notifications"


def test_keywords_match_whole_words_any_case_and_the_forms_customers_write() -> None:
    assert mentions("Why is SYNC so slow?", "sync")
    assert mentions("my email notifications stopped", "Email notification")
    assert mentions("my board is not syncing, nothing helps", "sync") and mentions("nothing synced today", "Sync")
    assert mentions("sharing a board fails", "share") and mentions("chatting is down", "chat")
    assert not mentions("synchronise", "sync") and not mentions("shared", "sharing")
    assert not mentions("asynchronous", "sync") and not mentions("anything", "")


def test_by_default_a_component_matches_its_name_as_tag_and_its_distinctive_words_said_down() -> None:
    rule = rule_for(EMAIL, [])

    assert rule.tags == ("email-notifications",) and rule.keywords == () and rule.words == ("email", "notifications")
    assert rule_for(Component("c", "Slack integration", "major_outage"), []).words == ("slack",)
    assert rule_for(Component("c", "Web app", "major_outage"), []).words == ("web app",)  # no word tells it apart


def test_a_distinctive_word_matches_when_the_question_says_it_is_down_or_the_article_is_about_it() -> None:
    slack = _incident("Slack delays", Component("cmp-slack", "Slack integration", "major_outage"))
    for question in ("my slack notifications stopped arriving", "Slack isn't working", "is slack down?",
                     "slack integration is broken", "what's going on with Slack since this morning?"):
        assert [m.incident.name for m in match_incidents([slack], [], question)] == ["Slack delays"], question
    assert match_incidents([slack], [], "how do I connect Slack?") == []  # about Slack, not about an outage
    [via_article] = match_incidents([slack], [], "how do I connect Slack?",
                                    [CandidateArticle("integrations/slack", ("integrations", "slack"))])
    assert via_article.affected_articles == ("integrations/slack",)
    assert match_incidents([_incident("Login", LOGIN)], [], "I can't log in") != []  # "log in" is login
    assert match_incidents([_incident("Mail", EMAIL)], [], "my slack notifications stopped") == []  # shared word


def test_a_configured_rule_is_found_by_name_or_id_and_adds_to_the_defaults_unless_told_not_to() -> None:
    by_name = rule_for(SYNC, [ComponentRule("sync", ("troubleshooting/sync",), ("offline",), ("offline changes",))])
    by_id = rule_for(LOGIN, [ComponentRule("cmp-login", tags=("sign-in",), use_defaults=False)])

    assert by_name.article_ids == ("troubleshooting/sync",) and by_name.tags == ("offline", "sync")
    assert by_name.keywords == ("offline changes",) and by_name.words == ("sync",)
    assert by_id.tags == ("sign-in",) and by_id.keywords == ()


def test_a_question_naming_the_component_matches_and_an_unrelated_one_does_not() -> None:
    incidents = [_incident("Sync delays", SYNC)]

    [match] = match_incidents(incidents, [], "Why is sync stuck since this morning?")
    assert match.incident.name == "Sync delays" and match.components == (SYNC,)
    assert match.reasons == ("Sync: the question mentions 'sync' and says 'stuck'",) and match.affected_articles == ()
    assert match_incidents(incidents, [], "How do I change my invoice address?") == []


def test_candidate_articles_tie_a_question_to_a_component_and_are_marked_affected() -> None:
    rules = [ComponentRule("Login & SSO", article_ids=("account/reset-password",), tags=("sign-in",))]
    candidates = [CandidateArticle("account/reset-password"), CandidateArticle("mobile/login", ("ios", "Sign-in")),
                  CandidateArticle("billing/invoices", ("billing",))]

    [match] = match_incidents([_incident("Login failures", LOGIN)], rules, "I can't get in", candidates)

    assert match.affected_articles == ("account/reset-password", "mobile/login")
    assert match.reasons == ("Login & SSO: article 'account/reset-password' is mapped to 'Login & SSO'",
                             "Login & SSO: article 'mobile/login' is tagged 'sign-in'")


def test_resolved_incidents_and_incidents_without_components_match_nothing() -> None:
    incidents = [_incident("Fixed", SYNC, status="resolved"), _incident("Something", impact="critical")]

    assert match_incidents(incidents, [], "sync is broken") == []


def test_several_incidents_come_highest_impact_first_with_every_touched_component() -> None:
    incidents = [_incident("Slow mail", EMAIL, impact="minor"), _incident("Outage", SYNC, LOGIN, impact="critical")]
    question = "sync fails and email notifications are late, also login & sso"

    matches = match_incidents(incidents, [], question)

    assert [m.incident.name for m in matches] == ["Outage", "Slow mail"]
    assert matches[0].components == (SYNC, LOGIN)
