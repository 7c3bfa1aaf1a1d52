"""Ingest: help-center files → articles → chunks → embeddings → a new index generation, swapped in atomically."""
