"""What a message is before any retrieval (small talk, a request for a person, frustration, a vague problem, a
follow-up, which language), and what to say back: cheap, offline, explainable rules."""
