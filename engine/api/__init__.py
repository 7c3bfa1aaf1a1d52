"""HTTP API (FastAPI). Nothing in the engine imports this package."""
