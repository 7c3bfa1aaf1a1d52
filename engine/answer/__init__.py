"""Answering: compose a grounded answer from retrieved passages, or decide to escalate and say why."""
