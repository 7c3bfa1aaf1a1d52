"""One error hierarchy for the engine; the CLI and the HTTP API translate it at their edge."""


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class ConfigError(EngineError):
    """A setting is missing or makes no sense; the message says what to fix."""


class IngestError(EngineError):
    """An ingest could not run at all (not a single bad file: those are reported, not raised)."""


class ArticleError(EngineError):
    """One source file could not become an article; the ingest reports it and goes on."""


class IndexNotReadyError(EngineError):
    """No index has been built in the data dir yet."""


class StoreUnavailableError(EngineError):
    """A storage backend (Qdrant, the database) cannot be reached or opened."""


class InvalidRequestError(EngineError):
    """A request is well-formed JSON but asks for something impossible."""


class GenerationError(EngineError):
    """The LLM endpoint failed (timeout, connection, HTTP error, malformed reply); `reason` names which, briefly."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


class NotFoundError(EngineError):
    """What a request names does not exist, or is not the caller's to see (the two look the same on purpose)."""


class ForbiddenError(EngineError):
    """The caller may see this but not make this change (e.g. a customer's email changed from another site)."""


class UnprocessableError(EngineError):
    """A request is valid but gives the engine nothing to act on (e.g. a ticket with no question); says what to add."""


class ConflictError(EngineError):
    """A change was made against an out-of-date version (someone else changed it first); reload and retry."""
