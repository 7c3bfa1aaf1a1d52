"""The event log: every question, its decision and the content-health signals it raised (SQLAlchemy)."""
