"""FastAPI dependencies: the engine built once in the lifespan; each route takes the narrowest part of it it needs
(a use case, or the one resource a probe reads), never the whole engine."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from engine.config import Settings
from engine.content import Content
from engine.conversation import Conversation
from engine.desk import SupportDesk
from engine.incidents.board import IncidentBoard
from engine.store.holder import IndexHolder
from engine.wiring import Engine


def get_engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def get_conversation(request: Request) -> Conversation:
    return get_engine(request).conversation


def get_support(request: Request) -> SupportDesk:
    return get_engine(request).support


def get_content(request: Request) -> Content:
    return get_engine(request).content


def get_index(request: Request) -> IndexHolder:
    return get_engine(request).index


def get_incidents(request: Request) -> IncidentBoard | None:
    return get_engine(request).incidents


ConversationDep = Annotated[Conversation, Depends(get_conversation)]
"""A customer's use cases: ask, vote, ask for a person, sessions and own tickets."""
DeskDep = Annotated[SupportDesk, Depends(get_support)]
"""The support team's use cases: tickets, preview, feedback, conversations, metrics, freshness."""
ContentDep = Annotated[Content, Depends(get_content)]
"""Articles added and removed over HTTP."""
IndexDep = Annotated[IndexHolder, Depends(get_index)]
"""The serving index (readiness)."""
IncidentBoardDep = Annotated[IncidentBoard | None, Depends(get_incidents)]
"""The status feed's incidents; None when no feed is configured."""


def get_settings_of(request: Request) -> Settings:
    return get_engine(request).settings


SettingsDep = Annotated[Settings, Depends(get_settings_of)]
"""The settings the engine was built from (the demo page's clock note)."""
