"""Request and response bodies of the HTTP API (they are also its OpenAPI schema)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_QUESTION_CHARS = 4000


class Customer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    name: str | None = Field(default=None, max_length=200)
    plan: str | None = Field(default=None, max_length=100)


class AskRequest(BaseModel):
    """A customer's question and, optionally, who is asking."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(min_length=1, max_length=MAX_QUESTION_CHARS, description="The customer's question.")
    session_id: str | None = Field(default=None, max_length=200, pattern=r"^[\w\-.:]+$")
    customer: Customer | None = None
    audience: list[str] | str | None = Field(default=None, description="Audience(s) of the asker, e.g. 'admins'.")
    locale: str | None = Field(default=None, max_length=35, pattern=r"^[A-Za-z]{2,8}([-_][A-Za-z0-9]{1,8})*$")

    @field_validator("question")
    @classmethod
    def _has_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("question is empty or only whitespace")
        if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
            raise ValueError("question contains control characters")
        return value

    def audiences(self) -> tuple[str, ...]:
        if self.audience is None:
            return ("public",)
        return (self.audience,) if isinstance(self.audience, str) else tuple(self.audience) or ("public",)


class CitationOut(BaseModel):
    article_id: str
    title: str
    url: str | None
    score: float
    snippet: str
    updated_at: str | None = Field(description="Date the cited article was last updated (YYYY-MM-DD).")


class AskResponse(BaseModel):
    interaction_id: str
    session_id: str | None = None
    decision: Literal["answer", "escalate"]
    answer: str | None
    citations: list[CitationOut]
    confidence: float = Field(ge=0.0, le=1.0)
    reason: str


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str


class FreshnessRow(BaseModel):
    article_id: str
    title: str
    state: str = Field(description="fresh, due_soon, stale, expired, archived, draft, superseded or suspect")
    rule: str = Field(description="The rule that decided the state.")
    detail: str
    owner: str | None
    updated_at: str | None
    questions_30d: int = Field(description="Questions that matched it best while it could not answer (30 days).")
