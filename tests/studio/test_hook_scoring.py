"""The LLM hook scorer, through the official OpenAI and Anthropic SDKs pointed at a local fake:
the model's scores choose the hooks (the fake prefers the offline second candidate, which then
comes first, with the model's reasons), every failure (malformed or partial answer, refusal,
HTTP 500 or 429, a timeout) falls back to the offline scores and the job still succeeds, and
the keys show up neither in the job's results nor in the logs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from reelbyte.core.config import Settings
from reelbyte.core.logging import configure_logging
from reelbyte.studio.processing import find_and_render_hooks
from reelbyte.studio.scoring import (
    AnthropicScorer,
    Candidate,
    OpenAIScorer,
    Scorer,
    configured_scorer,
    ranking,
)
from tests.conftest import run_jobs
from tests.factories import actor
from tests.payments.fakes.server import BackgroundServer
from tests.studio.clips import make_hook_clip
from tests.studio.fakes.llm_server import ANTHROPIC_KEY, OPENAI_KEY, FakeLLM, Mode
from tests.studio.test_video_jobs import job_of, ready_video

PROVIDERS = ("openai", "anthropic")
TIMEOUT = 0.5


@pytest.fixture(scope="module")
def llm_server() -> Iterator[tuple[FakeLLM, str]]:
    fake = FakeLLM()
    server = BackgroundServer(fake.app).start()
    yield fake, server.url
    server.stop()


@pytest.fixture
def fake_llm(llm_server: tuple[FakeLLM, str]) -> FakeLLM:
    fake, _ = llm_server
    fake.reset()
    return fake


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hook_clip(tmp_path_factory.mktemp("hooks") / "source.mp4")


def llm_settings(settings: Settings, provider: str, url: str) -> dict[str, Any]:
    """The settings that choose `provider`, pointed at the fake."""
    return {
        "hook_scorer": provider,
        "hook_scorer_timeout_seconds": TIMEOUT,
        "openai_api_key": OPENAI_KEY,
        "openai_base_url": f"{url}/v1",
        "anthropic_api_key": ANTHROPIC_KEY,
        "anthropic_base_url": url,
    }


def scorer_for(settings: Settings, provider: str, url: str) -> Scorer:
    scorer = configured_scorer(settings.model_copy(update=llm_settings(settings, provider, url)))
    assert scorer is not None
    return scorer


def candidates() -> list[Candidate]:
    """Three candidates, best first by their offline scores."""
    return [
        Candidate(5.0, 7.5, 0.8, 0.7, 1.0, 0, 0.1),
        Candidate(2.5, 5.0, 0.4, 0.1, 0.2, 1, 0.5),
        Candidate(8.0, 10.0, 0.2, 0.1, 0.1, 0, 0.2),
    ]


# --- configuration ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("provider", "variable"), [("openai", "OPENAI_API_KEY"), ("anthropic", "ANTHROPIC_API_KEY")]
)
def test_an_llm_scorer_without_its_key_refuses_to_start(provider: str, variable: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(secret_key="s" * 32, hook_scorer=provider, openai_api_key=None, anthropic_api_key=None)
    assert f"{variable} must be set when HOOK_SCORER={provider}" in str(refused.value)


def test_offline_is_the_default_and_llms_are_chosen_by_name(settings: Settings) -> None:
    assert settings.hook_scorer == "offline"
    assert configured_scorer(settings) is None
    assert isinstance(scorer_for(settings, "openai", "http://127.0.0.1:9"), OpenAIScorer)
    assert isinstance(scorer_for(settings, "anthropic", "http://127.0.0.1:9"), AnthropicScorer)


# --- the model's scores choose --------------------------------------------------------------


@pytest.mark.parametrize("provider", PROVIDERS)
def test_the_model_s_scores_choose_the_hooks(
    provider: str,
    settings: Settings,
    llm_server: tuple[FakeLLM, str],
    fake_llm: FakeLLM,
    source: Path,
    tmp_path: Path,
) -> None:
    fake_llm.prefer = 1
    scorer = scorer_for(settings, provider, llm_server[1])
    hooks = find_and_render_hooks(source, tmp_path, count=2, min_seconds=2, max_seconds=3, scorer=scorer)

    [seen] = fake_llm.requests
    sent = json.loads(_prompt(seen.body).split("\n", 1)[1])["candidates"]
    assert len(sent) >= 3  # more candidates than hooks asked for: the model chooses
    assert {
        "start_seconds",
        "end_seconds",
        "loudness_peak",
        "scene_changes",
        "motion_mean",
        "description",
    } <= set(sent[0])
    # The offline second candidate comes first, then the offline first (the fake's 0.5).
    assert [hook.start_seconds for hook in hooks] == pytest.approx(
        [sent[1]["start_seconds"], sent[0]["start_seconds"]], abs=0.01
    )
    assert [hook.score for hook in hooks] == [0.95, 0.5]
    assert hooks[0].reason == "fake: the best hook #1"
    assert {hook.scorer for hook in hooks} == {scorer.name}
    assert scorer.name.startswith(f"{provider}:")
    assert all(hook.path.exists() for hook in hooks)
    if provider == "openai":
        assert seen.headers["authorization"] == f"Bearer {OPENAI_KEY}"
        assert seen.body["response_format"]["json_schema"]["strict"] is True
    else:
        assert ANTHROPIC_KEY in (seen.headers.get("x-api-key"), seen.headers.get("authorization", "")[7:])
        assert seen.body["tool_choice"]["type"] == "tool"


def _prompt(body: dict[str, Any]) -> str:
    return str(body["messages"][-1]["content"])


# --- failures fall back to offline ----------------------------------------------------------


FAILURES: list[tuple[Mode, int, str]] = [
    ("malformed", 500, "malformed answer"),
    ("partial", 500, "incomplete answer"),
    ("refusal", 500, "refusal"),
    ("error", 500, "{provider} HTTP 500"),
    ("error", 429, "{provider} HTTP 429"),
    ("slow", 500, "{provider} timeout"),
]


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(("mode", "status", "why"), FAILURES)
def test_a_failed_answer_falls_back_to_the_offline_scores(
    provider: str,
    mode: Mode,
    status: int,
    why: str,
    settings: Settings,
    llm_server: tuple[FakeLLM, str],
    fake_llm: FakeLLM,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake_llm.mode, fake_llm.status, fake_llm.prefer = mode, status, 2
    configure_logging("DEBUG", json=True)  # the SDKs' debug lines too
    try:
        ranked = ranking(scorer_for(settings, provider, llm_server[1]), candidates(), 12.0, 2)
    finally:
        configure_logging("INFO", json=True)

    reason = why.format(provider=provider)
    assert ranked.scorer == f"offline (fallback: {reason})"
    assert [pick.candidate for pick in ranked.picks] == candidates()[:2]
    assert [pick.score for pick in ranked.picks] == [0.8, 0.4]
    assert ranked.picks[0].reason == "a loud peak, no scene change, still"
    assert fake_llm.requests  # the model was asked
    logs = capsys.readouterr().err
    fell_back = [json.loads(line) for line in logs.splitlines() if "hook_scorer_fell_back" in line]
    assert [(line["reason"], line["level"]) for line in fell_back] == [(reason, "warning")]
    assert OPENAI_KEY not in logs
    assert ANTHROPIC_KEY not in logs


def test_offline_ranks_by_the_measured_scores() -> None:
    ranked = ranking(None, candidates(), 12.0, 2)
    assert ranked.scorer == "offline"
    assert [pick.score for pick in ranked.picks] == [0.8, 0.4]
    assert ranked.picks[1].reason == "quiet, 1 scene change, some motion"


# --- through the job ------------------------------------------------------------------------


async def hooks_job(client: httpx.AsyncClient, source: Path) -> tuple[Any, dict[str, Any]]:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source)
    body = {"upload_id": upload_id, "count": 2, "min_seconds": 2, "max_seconds": 3}
    response = await client.post("/v1/video-jobs/auto-hooks", json=body, headers=creator.headers)
    assert response.status_code == 201, response.text
    await run_jobs()
    return creator, await job_of(client, creator, response.json()["id"])


async def test_an_auto_hooks_job_keeps_the_model_s_choice_and_reasons(
    client: httpx.AsyncClient,
    settings: Settings,
    llm_server: tuple[FakeLLM, str],
    fake_llm: FakeLLM,
    source: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in llm_settings(settings, "anthropic", llm_server[1]).items():
        monkeypatch.setattr(settings, name, value)
    fake_llm.prefer = 1

    _, job = await hooks_job(client, source)

    assert job["state"] == "succeeded", job
    sent = json.loads(_prompt(fake_llm.requests[-1].body).split("\n", 1)[1])["candidates"]
    first, second = job["results"]
    assert first["start_ms"] == round(sent[1]["start_seconds"] * 1000)
    assert (first["score"], first["reason"]) == (0.95, "fake: the best hook #1")
    assert second["start_ms"] == round(sent[0]["start_seconds"] * 1000)
    assert {result["scorer"] for result in job["results"]} == {f"anthropic:{settings.anthropic_model}"}
    assert ANTHROPIC_KEY not in json.dumps(job)


async def test_an_auto_hooks_job_succeeds_offline_when_the_model_fails(
    client: httpx.AsyncClient,
    settings: Settings,
    llm_server: tuple[FakeLLM, str],
    fake_llm: FakeLLM,
    source: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for name, value in llm_settings(settings, "openai", llm_server[1]).items():
        monkeypatch.setattr(settings, name, value)
    fake_llm.mode, fake_llm.status = "error", 500
    configure_logging("INFO", json=True)  # as the worker does

    _, job = await hooks_job(client, source)

    assert job["state"] == "succeeded", job
    assert len(fake_llm.requests) == 2  # the SDK's one retry, then the fallback
    results = job["results"]
    assert 1 <= len(results) <= 2
    assert {result["scorer"] for result in results} == {"offline (fallback: openai HTTP 500)"}
    assert all(result["reason"] for result in results)
    assert results[0]["score"] >= results[-1]["score"]
    logs = capsys.readouterr().err
    assert "hook_scorer_fell_back" in logs
    for text in (json.dumps(job), logs):
        assert OPENAI_KEY not in text
        assert ANTHROPIC_KEY not in text
