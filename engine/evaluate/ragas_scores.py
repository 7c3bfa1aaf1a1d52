"""ragas scores: the non-LLM metrics on every run, LLM-judged ones only when ENGINE_LLM__URL names a judge.

Context metrics compare the hybrid top-5 passages with the expected articles (by id, and with the expected
articles' passages as reference contexts); string metrics compare our extractive answer with the reference.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from engine.evaluate.runner import QuestionResult

logger = logging.getLogger(__name__)


class JudgeSettings(BaseSettings):
    """An OpenAI-compatible judge for LLM metrics: ENGINE_LLM__URL, ENGINE_LLM__MODEL, ENGINE_LLM__API_KEY (the
    deprecated ENGINE_LLM_URL spelling too; engine.config warns about it)."""

    model_config = SettingsConfigDict(extra="ignore", populate_by_name=True)

    url: str | None = Field(default=None, validation_alias=AliasChoices("ENGINE_LLM__URL", "ENGINE_LLM_URL"))
    model: str = Field(default="gpt-4o-mini", validation_alias=AliasChoices("ENGINE_LLM__MODEL", "ENGINE_LLM_MODEL"))
    api_key: str = Field(
        default="not-needed", validation_alias=AliasChoices("ENGINE_LLM__API_KEY", "ENGINE_LLM_API_KEY")
    )


@dataclass(frozen=True)
class RagasScores:
    """Mean of each metric and over how many questions; `judged` says whether LLM metrics ran."""

    means: dict[str, float]
    counts: dict[str, int]
    judged: bool


def ragas_scores(results: Sequence[QuestionResult], judge: JudgeSettings | None = None) -> RagasScores:
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")
    values: dict[str, list[float]] = {}
    for name, score in _non_llm(results):
        if not math.isnan(score):
            values.setdefault(name, []).append(score)
    judge = judge or JudgeSettings()
    if judge.url:
        for name, score in _judged(results, judge):
            if not math.isnan(score):
                values.setdefault(name, []).append(score)
    return RagasScores(
        means={name: sum(v) / len(v) for name, v in values.items()},
        counts={name: len(v) for name, v in values.items()},
        judged=bool(judge.url),
    )


def _legacy_metrics() -> tuple[Any, dict[str, Any], dict[str, Any]]:
    with warnings.catch_warnings():
        # ragas 0.4 marks these imports deprecated, but ragas.metrics.collections lacks these metrics.
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.dataset_schema import SingleTurnSample
        from ragas.metrics import (
            IDBasedContextPrecision,
            IDBasedContextRecall,
            NonLLMContextPrecisionWithReference,
            NonLLMContextRecall,
            NonLLMStringSimilarity,
            RougeScore,
        )
    context = {
        "id_context_precision": IDBasedContextPrecision(),
        "id_context_recall": IDBasedContextRecall(),
        "nonllm_context_precision": NonLLMContextPrecisionWithReference(),
        "nonllm_context_recall": NonLLMContextRecall(),
    }
    answer = {"string_similarity": NonLLMStringSimilarity(), "rouge_l": RougeScore(rouge_type="rougeL")}
    return SingleTurnSample, context, answer


def _non_llm(results: Sequence[QuestionResult]) -> list[tuple[str, float]]:
    sample_type, context_metrics, answer_metrics = _legacy_metrics()
    scores: list[tuple[str, float]] = []
    for result in results:
        record = result.record
        if record.expected_articles and result.context_ids:
            sample = sample_type(
                user_input=record.question,
                retrieved_contexts=list(result.contexts),
                reference_contexts=list(result.reference_contexts) or [""],
                retrieved_context_ids=list(result.context_ids),
                reference_context_ids=list(record.expected_articles),
            )
            scores.extend((name, float(m.single_turn_score(sample))) for name, m in context_metrics.items())
        if record.expected_articles and record.reference_answer and result.answer:
            sample = sample_type(response=result.answer, reference=record.reference_answer)
            scores.extend((name, float(m.single_turn_score(sample))) for name, m in answer_metrics.items())
    return scores


def _judged(results: Sequence[QuestionResult], judge: JudgeSettings) -> list[tuple[str, float]]:
    from openai import AsyncOpenAI
    from ragas.llms import llm_factory
    from ragas.metrics.collections import ContextRecall, Faithfulness

    llm = llm_factory(
        judge.model, client=AsyncOpenAI(base_url=judge.url, api_key=judge.api_key, max_retries=1)
    )
    faithfulness, recall = Faithfulness(llm=llm), ContextRecall(llm=llm)

    async def score_all() -> list[tuple[str, float]]:
        scores: list[tuple[str, float]] = []
        for result in results:
            record = result.record
            if result.answer and result.contexts:
                found = await faithfulness.ascore(
                    user_input=record.question,
                    response=result.answer,
                    retrieved_contexts=list(result.contexts),
                )
                scores.append(("llm_faithfulness", float(found.value)))
            if record.reference_answer and record.expected_articles and result.contexts:
                found = await recall.ascore(
                    user_input=record.question,
                    retrieved_contexts=list(result.contexts),
                    reference=record.reference_answer,
                )
                scores.append(("llm_context_recall", float(found.value)))
        return scores

    try:
        return asyncio.run(score_all())
    except Exception as exc:  # a judge that is down must not lose the rest of the report
        logger.warning("LLM-judged ragas metrics failed: %s", exc, extra={"url": judge.url})
        return []
