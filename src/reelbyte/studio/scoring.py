"""Who scores auto-hooks' candidate moments: the offline measures, or an LLM.

The offline analysis (processing.analyse) finds candidate windows and measures each (loudness,
scene changes, motion). `rank` picks the `count` best: offline, by the measured score; with
HOOK_SCORER=openai or anthropic, the candidates' timecodes and measures (a description in words,
no audio and no pictures) go to the model in one request whose answer is held to a JSON schema:
a score 0..1 and a one-line reason per candidate. A timeout, an API error, a refusal, or an
answer that is malformed or leaves a candidate out makes `rank` fall back to the offline scores
for that job (logged, and named in the results' `scorer`), so the job never fails for it.

The SDKs' synchronous clients are used: scoring runs in the job's worker thread, next to ffmpeg.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import anthropic
import openai
import structlog
from pydantic import BaseModel, Field, ValidationError

from reelbyte.core.config import Settings, get_settings

log = structlog.get_logger(__name__)

OFFLINE = "offline"
MAX_RETRIES = 1
MAX_TOKENS = 2000
REASON_LENGTH = 200
TOOL_NAME = "score_hooks"
SYSTEM_PROMPT = (
    "You pick the strongest hooks of a video: short moments that make a viewer of a vertical "
    "social feed stop scrolling. You cannot see or hear the video; you get each candidate "
    "moment's timecodes and measures (loudness, scene changes and motion, each 0 to 1, measured "
    "offline). Score every candidate from 0 (weak) to 1 (strongest) and give a one-line reason."
)
ANSWER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "scores": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "integer", "description": "the candidate's id"},
                    "score": {"type": "number", "description": "0 (weak) to 1 (strongest)"},
                    "reason": {"type": "string", "description": "one line: why"},
                },
                "required": ["id", "score", "reason"],
                "additionalProperties": False,
            },
        }
    },
    "required": ["scores"],
    "additionalProperties": False,
}


class ScoringFailed(Exception):
    """The model gave no usable answer; `reason` is short and never holds a secret."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Candidate:
    """A candidate window with its measures (each 0..1 over the video)."""

    start_seconds: float
    end_seconds: float
    score: float  # the offline score
    loudness_mean: float
    loudness_peak: float
    scene_changes: int
    motion_mean: float

    def describe(self) -> str:
        """The candidate in words, for the model and as the offline reason."""
        loud = (
            "a loud peak"
            if self.loudness_peak >= 0.8
            else "some loudness"
            if self.loudness_peak >= 0.4
            else "quiet"
        )
        cuts = {0: "no scene change", 1: "1 scene change"}.get(
            self.scene_changes, f"{self.scene_changes} scene changes"
        )
        moving = (
            "much motion"
            if self.motion_mean >= 0.6
            else "some motion"
            if self.motion_mean >= 0.2
            else "still"
        )
        return f"{loud}, {cuts}, {moving}"


@dataclass(frozen=True, slots=True)
class Pick:
    candidate: Candidate
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Ranking:
    scorer: str  # "offline", "openai:<model>", or "offline (fallback: <why>)"
    picks: list[Pick]  # best first


class Scorer(Protocol):
    name: str

    def judge(self, candidates: list[Candidate], video_seconds: float) -> list[tuple[float, str]]:
        """(score, reason) of each candidate, in their order; raises ScoringFailed."""
        ...


def ranking(scorer: Scorer | None, candidates: list[Candidate], video_seconds: float, count: int) -> Ranking:
    """The `count` best candidates by the scorer (None: offline), best first; candidates come best
    first by their offline score, which also breaks the model's ties."""
    if scorer is None or not candidates:
        return Ranking(OFFLINE, _offline(candidates)[:count])
    try:
        judged = scorer.judge(candidates, video_seconds)
    except ScoringFailed as failure:
        log.warning("hook_scorer_fell_back", scorer=scorer.name, reason=failure.reason)
        return Ranking(f"{OFFLINE} (fallback: {failure.reason})", _offline(candidates)[:count])
    order = sorted(range(len(candidates)), key=lambda index: (-judged[index][0], index))
    picks = [Pick(candidates[index], *judged[index]) for index in order[:count]]
    return Ranking(scorer.name, picks)


def _offline(candidates: list[Candidate]) -> list[Pick]:
    return [Pick(candidate, candidate.score, candidate.describe()) for candidate in candidates]


def configured_scorer(settings: Settings | None = None) -> Scorer | None:
    """The scorer HOOK_SCORER names; None for offline."""
    settings = settings or get_settings()
    if settings.hook_scorer == "openai" and settings.openai_api_key:
        return OpenAIScorer(settings)
    if settings.hook_scorer == "anthropic" and settings.anthropic_api_key:
        return AnthropicScorer(settings)
    return None


# --- the request and the answer -----------------------------------------------------------


def request_text(candidates: list[Candidate], video_seconds: float) -> str:
    payload = {
        "video_seconds": round(video_seconds, 2),
        "candidates": [
            {
                "id": index,
                "start_seconds": round(candidate.start_seconds, 2),
                "end_seconds": round(candidate.end_seconds, 2),
                "loudness_mean": round(candidate.loudness_mean, 3),
                "loudness_peak": round(candidate.loudness_peak, 3),
                "scene_changes": candidate.scene_changes,
                "motion_mean": round(candidate.motion_mean, 3),
                "description": candidate.describe(),
            }
            for index, candidate in enumerate(candidates)
        ],
    }
    return "Score each of these candidate hooks.\n" + json.dumps(payload)


class _Score(BaseModel):
    id: int
    score: float = Field(ge=0, le=1, allow_inf_nan=False)
    reason: str = Field(min_length=1)


class _Answer(BaseModel):
    scores: list[_Score]


def parse_answer(answer: str | dict[str, Any], count: int) -> list[tuple[float, str]]:
    """(score, reason) per candidate id 0..count-1, each exactly once, or ScoringFailed."""
    try:
        parsed = (
            _Answer.model_validate_json(answer) if isinstance(answer, str) else _Answer.model_validate(answer)
        )
    except ValidationError as error:
        raise ScoringFailed("malformed answer") from error
    by_id = {score.id: score for score in parsed.scores}
    if sorted(by_id) != list(range(count)) or len(parsed.scores) != count:
        raise ScoringFailed("incomplete answer")
    return [(by_id[index].score, _one_line(by_id[index].reason)) for index in range(count)]


def _one_line(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= REASON_LENGTH else line[: REASON_LENGTH - 1] + "…"


def _status_reason(provider: str, error: Exception) -> ScoringFailed:
    """The SDKs' errors as short reasons; their messages (which quote responses) stay out."""
    if isinstance(error, openai.APITimeoutError | anthropic.APITimeoutError):
        return ScoringFailed(f"{provider} timeout")
    if isinstance(error, openai.APIStatusError | anthropic.APIStatusError):
        return ScoringFailed(f"{provider} HTTP {error.status_code}")
    if isinstance(error, openai.APIConnectionError | anthropic.APIConnectionError):
        return ScoringFailed(f"{provider} unreachable")
    return ScoringFailed(f"{provider} error")


# --- the providers --------------------------------------------------------------------------


class OpenAIScorer:
    """Chat Completions with a strict JSON-schema response format."""

    def __init__(self, settings: Settings) -> None:
        self.model = settings.openai_model
        self.name = f"openai:{self.model}"
        self.client = openai.OpenAI(
            api_key=settings.openai_api_key,
            base_url=settings.openai_base_url,
            timeout=settings.hook_scorer_timeout_seconds,
            max_retries=MAX_RETRIES,
        )

    def judge(self, candidates: list[Candidate], video_seconds: float) -> list[tuple[float, str]]:
        try:
            completion = self.client.chat.completions.create(
                model=self.model,
                messages=[
                    {"role": "system", "content": SYSTEM_PROMPT},
                    {"role": "user", "content": request_text(candidates, video_seconds)},
                ],
                response_format={
                    "type": "json_schema",
                    "json_schema": {"name": TOOL_NAME, "strict": True, "schema": ANSWER_SCHEMA},
                },
            )
        except openai.APIError as error:
            raise _status_reason("openai", error) from None
        if not completion.choices:
            raise ScoringFailed("malformed answer")
        message = completion.choices[0].message
        if message.refusal:
            raise ScoringFailed("refusal")
        if completion.choices[0].finish_reason != "stop" or not message.content:
            raise ScoringFailed("incomplete answer")
        return parse_answer(message.content, len(candidates))


class AnthropicScorer:
    """Messages with one forced tool whose input schema is the answer's."""

    def __init__(self, settings: Settings) -> None:
        self.model = settings.anthropic_model
        self.name = f"anthropic:{self.model}"
        self.client = anthropic.Anthropic(
            api_key=settings.anthropic_api_key,
            base_url=settings.anthropic_base_url,
            timeout=settings.hook_scorer_timeout_seconds,
            max_retries=MAX_RETRIES,
        )

    def judge(self, candidates: list[Candidate], video_seconds: float) -> list[tuple[float, str]]:
        try:
            message = self.client.messages.create(
                model=self.model,
                max_tokens=MAX_TOKENS,
                system=SYSTEM_PROMPT,
                messages=[{"role": "user", "content": request_text(candidates, video_seconds)}],
                tools=[
                    {
                        "name": TOOL_NAME,
                        "description": "Record the score and reason of every candidate hook.",
                        "input_schema": ANSWER_SCHEMA,
                    }
                ],
                tool_choice={"type": "tool", "name": TOOL_NAME},
            )
        except anthropic.APIError as error:
            raise _status_reason("anthropic", error) from None
        if message.stop_reason == "refusal":
            raise ScoringFailed("refusal")
        if message.stop_reason not in ("tool_use", "end_turn"):
            raise ScoringFailed("incomplete answer")
        for block in message.content:
            if block.type == "tool_use" and block.name == TOOL_NAME:
                return parse_answer(block.input if isinstance(block.input, dict) else {}, len(candidates))
        raise ScoringFailed("malformed answer")
