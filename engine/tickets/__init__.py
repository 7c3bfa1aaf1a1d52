"""Escalation tickets: pre-filled from the conversation, stored with an outbox, delivered to help desks."""
