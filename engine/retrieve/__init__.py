"""Retrieval: eligibility filters → BM25 and dense search → fusion → candidates grouped per article."""
