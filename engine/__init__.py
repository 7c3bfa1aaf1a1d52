"""Self-service answer engine: answers customer questions only from fresh KB articles, escalates the rest."""

__version__ = "0.1.0"
