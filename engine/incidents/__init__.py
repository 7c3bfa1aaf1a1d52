"""Incident-aware answers (issue #18): a Statuspage-compatible status feed, polled, and which questions it touches."""
