"""The video tools through the API and the worker: a trim and auto-hooks run end to end and their
clips download from the S3 server; bad requests get clear 4xx; another user sees nothing; the
plan's limits hold under a race, a failed job gives its use back, Premium's jobs go first, and
cancelling, deleting and the retention sweep leave no rows or objects behind."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import av
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.billing.models import (
    Plan,
    UsageCounter,
    UsageMetric,
    UsageRecord,
)
from reelbyte.billing.plans import FREE, calendar_month
from reelbyte.billing.usage import record_usage, release_usage
from reelbyte.core.db import get_database, transaction, utcnow
from reelbyte.media.models import Upload
from reelbyte.media.storage import get_storage
from reelbyte.studio import jobs, processing
from reelbyte.studio.jobs import SOURCE_GONE, sweep_expired_video_jobs
from reelbyte.studio.models import VideoJob, VideoJobState
from reelbyte.studio.service import RUN_TASK, result_key, usage_key
from tests.billing.test_webhooks import Receiver, create_endpoint, premium, subscribe, verified
from tests.conftest import run_jobs
from tests.factories import Actor, actor, count_rows, get_row, insert_user
from tests.media.uploading import download, uploaded
from tests.studio.clips import BURST_END, BURST_START, FPS, make_hook_clip

FRAME = 1 / FPS
FREE_TRIMS = 5  # the seeded Free plan's limits
FREE_HOOKS = 3


@pytest.fixture(scope="module")
def source_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_hook_clip(tmp_path_factory.mktemp("studio") / "source.mp4")


async def ready_video(client: httpx.AsyncClient, who: Actor, path: Path) -> str:
    upload = await uploaded(client, who.headers, path, "portfolio")
    assert upload["state"] == "ready", upload
    return str(upload["id"])


async def start_trim(client: httpx.AsyncClient, who: Actor, upload_id: str, **body: Any) -> httpx.Response:
    body = {"upload_id": upload_id, "start_ms": 1000, "end_ms": 3000, **body}
    return await client.post("/v1/video-jobs/trim", json=body, headers=who.headers)


async def trimmed(client: httpx.AsyncClient, who: Actor, upload_id: str, **body: Any) -> dict[str, Any]:
    response = await start_trim(client, who, upload_id, **body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def job_of(client: httpx.AsyncClient, who: Actor, job_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/video-jobs/{job_id}", headers=who.headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def used(client: httpx.AsyncClient, who: Actor) -> dict[str, int]:
    response = await client.get("/v1/users/me/usage", headers=who.headers)
    assert response.status_code == 200, response.text
    return {metric["metric"]: metric["used"] for metric in response.json()["metrics"]}


def video_timing(path: Path) -> tuple[float, float, int, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times = [float(frame.pts * stream.time_base) for frame in container.decode(stream)]
        return times[0], times[-1] + FRAME, stream.width, stream.height


async def fetched_clip(client: httpx.AsyncClient, who: Actor, job_id: str, index: int, out: Path) -> Path:
    link = await client.get(
        f"/v1/video-jobs/{job_id}/download", params={"result": index}, headers=who.headers
    )
    assert link.status_code == 200, link.text
    response = await download(link.json()["url"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "video/mp4"
    out.write_bytes(response.content)
    return out


async def stored(key: str) -> bool:
    return await get_storage().stat(key) is not None


async def set_counter(user_id: str, metric: UsageMetric, value: int) -> None:
    async def write(session: AsyncSession) -> None:
        session.add(
            UsageCounter(
                user_id=uuid.UUID(user_id),
                metric=metric,
                period_start=calendar_month(utcnow()).start,
                used=value,
            )
        )

    await transaction(write)


# --- end to end -----------------------------------------------------------------------------


async def test_a_trim_runs_in_the_worker_and_its_clip_downloads(
    client: httpx.AsyncClient, source_file: Path, tmp_path: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    job = await trimmed(client, creator, upload_id, start_ms=1240, end_ms=4400)
    assert (job["state"], job["progress"], job["results"], job["kind"]) == ("queued", 0, [], "trim")
    assert job["params"] == {"start_ms": 1240, "end_ms": 4400, "aspect": None, "crop": "centre"}

    await run_jobs()

    done = await job_of(client, creator, job["id"])
    assert (done["state"], done["progress"], done["failure_reason"]) == ("succeeded", 100, None)
    assert done["expires_at"] is not None
    assert done["finished_at"] is not None
    [result] = done["results"]
    assert (result["index"], result["start_ms"], result["end_ms"], result["score"]) == (0, 1240, 4400, None)
    assert (result["width"], result["height"]) == (320, 240)
    assert result["duration_seconds"] == pytest.approx(3.16, abs=2 * FRAME)

    clip = await fetched_clip(client, creator, job["id"], 0, tmp_path / "clip.mp4")
    first, last, width, height = video_timing(clip)
    assert first == pytest.approx(0.0, abs=FRAME)
    assert last - first == pytest.approx(3.16, abs=FRAME)
    assert (width, height) == (320, 240)
    assert result["size"] == clip.stat().st_size

    usage = await used(client, creator)
    assert usage["trim"] == 1
    assert usage["processing_seconds"] == 4  # 3.16 s, rounded up


async def test_a_reframed_trim_has_the_asked_aspect(client: httpx.AsyncClient, source_file: Path) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    vertical = await trimmed(client, creator, upload_id, aspect="9:16")
    square = await trimmed(client, creator, upload_id, aspect="1:1")
    await run_jobs()
    [tall] = (await job_of(client, creator, vertical["id"]))["results"]
    [even] = (await job_of(client, creator, square["id"]))["results"]
    assert tall["height"] == 240
    assert abs(tall["width"] - 135) <= 2
    assert (even["width"], even["height"]) == (240, 240)


async def test_auto_hooks_find_the_loud_burst_as_vertical_clips(
    client: httpx.AsyncClient, source_file: Path, tmp_path: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    body = {"upload_id": upload_id, "count": 2, "min_seconds": 2, "max_seconds": 3}
    response = await client.post("/v1/video-jobs/auto-hooks", json=body, headers=creator.headers)
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["kind"] == "auto_hooks"

    await run_jobs()

    done = await job_of(client, creator, job["id"])
    assert done["state"] == "succeeded", done
    results = done["results"]
    assert 1 <= len(results) <= 2
    best = results[0]
    assert best["start_ms"] <= BURST_START * 1000 + 250
    assert best["end_ms"] >= BURST_END * 1000 - 250
    assert best["score"] >= results[-1]["score"] > 0
    for result in results:
        assert 2000 <= result["end_ms"] - result["start_ms"] <= 3000
        assert abs(result["width"] / result["height"] - 9 / 16) < 0.02
    clip = await fetched_clip(client, creator, job["id"], len(results) - 1, tmp_path / "hook.mp4")
    _, _, width, height = video_timing(clip)
    assert (width, height) == (results[-1]["width"], results[-1]["height"])
    usage = await used(client, creator)
    assert usage["auto_hook"] == 1
    assert usage["processing_seconds"] == 10  # the whole source was analysed


async def test_my_jobs_are_listed_newest_first_in_pages(client: httpx.AsyncClient, source_file: Path) -> None:
    creator, other = await actor(client), await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    first = await trimmed(client, creator, upload_id)
    second = await trimmed(client, creator, upload_id, start_ms=0)
    page = (await client.get("/v1/video-jobs", params={"page_size": 1}, headers=creator.headers)).json()
    assert (page["total"], page["page"], page["page_size"], page["total_pages"]) == (2, 1, 1, 2)
    assert [item["id"] for item in page["items"]] == [second["id"]]
    page_two = (await client.get("/v1/video-jobs?page=2&page_size=1", headers=creator.headers)).json()
    assert [item["id"] for item in page_two["items"]] == [first["id"]]
    theirs = (await client.get("/v1/video-jobs", headers=other.headers)).json()
    assert (theirs["total"], theirs["items"]) == (0, [])


# --- bad requests and other users ---------------------------------------------------------


async def test_bad_ranges_and_lengths_are_422_with_a_clear_error(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    for start_ms, end_ms in [(3000, 3000), (4000, 1000), (9000, 10_500)]:
        response = await start_trim(client, creator, upload_id, start_ms=start_ms, end_ms=end_ms)
        assert response.status_code == 422, response.text
        error = response.json()
        assert error["error"] == "invalid_trim_range"
        assert "10000 ms" in error["message"]
        assert error["details"]["source_ms"] == 10_000
    malformed = await start_trim(client, creator, upload_id, start_ms=-1, aspect="16:9")
    assert malformed.status_code == 422
    hooks = await client.post(
        "/v1/video-jobs/auto-hooks",
        json={"upload_id": upload_id, "count": 1, "min_seconds": 8, "max_seconds": 4},
        headers=creator.headers,
    )
    assert (hooks.status_code, hooks.json()["error"]) == (422, "invalid_hook_lengths")
    too_long = await client.post(
        "/v1/video-jobs/auto-hooks",
        json={"upload_id": upload_id, "count": 1, "min_seconds": 12, "max_seconds": 20},
        headers=creator.headers,
    )
    assert (too_long.status_code, too_long.json()["error"]) == (422, "invalid_hook_lengths")
    assert await count_rows(VideoJob) == 0
    assert (await used(client, creator))["trim"] == 0


async def test_a_source_not_ready_is_409_and_a_missing_one_404(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    pending = await uploaded(client, creator.headers, source_file, "portfolio", process=False)
    assert pending["state"] == "processing"
    response = await start_trim(client, creator, pending["id"])
    assert (response.status_code, response.json()["error"]) == (409, "upload_not_ready")
    missing = await start_trim(client, creator, str(uuid.uuid4()))
    assert (missing.status_code, missing.json()["error"]) == (404, "upload_not_found")


async def test_another_users_upload_and_jobs_are_404_to_me(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    owner, stranger = await actor(client), await actor(client)
    upload_id = await ready_video(client, owner, source_file)
    theirs = await start_trim(client, stranger, upload_id)
    assert (theirs.status_code, theirs.json()["error"]) == (404, "upload_not_found")
    hooks = await client.post(
        "/v1/video-jobs/auto-hooks",
        json={"upload_id": upload_id, "count": 1, "min_seconds": 2, "max_seconds": 3},
        headers=stranger.headers,
    )
    assert hooks.status_code == 404
    job = await trimmed(client, owner, upload_id)
    await run_jobs()
    for method, path in [
        ("GET", f"/v1/video-jobs/{job['id']}"),
        ("GET", f"/v1/video-jobs/{job['id']}/download?result=0"),
        ("DELETE", f"/v1/video-jobs/{job['id']}"),
    ]:
        response = await client.request(method, path, headers=stranger.headers)
        assert (response.status_code, response.json()["error"]) == (404, "video_job_not_found"), path
    assert (await job_of(client, owner, job["id"]))["state"] == "succeeded"
    anonymous = await client.get(f"/v1/video-jobs/{job['id']}")
    assert anonymous.status_code == 401


async def test_download_needs_a_succeeded_job_and_an_existing_result(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    job = await trimmed(client, creator, upload_id)
    early = await client.get(f"/v1/video-jobs/{job['id']}/download", headers=creator.headers)
    assert (early.status_code, early.json()["error"]) == (409, "video_job_not_succeeded")
    await run_jobs()
    beyond = await client.get(f"/v1/video-jobs/{job['id']}/download?result=1", headers=creator.headers)
    assert (beyond.status_code, beyond.json()["error"]) == (404, "video_job_result_not_found")
    negative = await client.get(f"/v1/video-jobs/{job['id']}/download?result=-1", headers=creator.headers)
    assert negative.status_code == 422


# --- plan limits --------------------------------------------------------------------------


async def test_at_one_trim_below_the_limit_one_of_twenty_racing_trims_gets_through(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    await set_counter(creator.id, UsageMetric.TRIM, FREE_TRIMS - 1)

    responses = await asyncio.gather(*(start_trim(client, creator, upload_id) for _ in range(20)))

    codes = sorted(response.status_code for response in responses)
    assert codes == [201] + [402] * 19
    refused = next(response for response in responses if response.status_code == 402).json()
    assert refused["error"] == "plan_limit_reached"
    assert refused["details"]["limit"] == FREE_TRIMS
    assert await count_rows(VideoJob) == 1
    async with get_database().sessions() as session:
        deferred = await session.scalar(
            text("SELECT count(*) FROM procrastinate_jobs WHERE task_name = :task"), {"task": RUN_TASK}
        )
        records = await session.scalar(select(func.count()).select_from(UsageRecord))
    assert (deferred, records) == (1, 1)
    assert (await used(client, creator))["trim"] == FREE_TRIMS


async def test_hooks_at_the_limit_are_refused_and_create_nothing(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    await set_counter(creator.id, UsageMetric.AUTO_HOOK, FREE_HOOKS)
    response = await client.post(
        "/v1/video-jobs/auto-hooks",
        json={"upload_id": upload_id, "count": 1, "min_seconds": 2, "max_seconds": 3},
        headers=creator.headers,
    )
    assert (response.status_code, response.json()["error"]) == (402, "plan_limit_reached")
    assert await count_rows(VideoJob) == 0


async def test_a_source_longer_than_the_plan_processes_is_402(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    await transaction(
        lambda session: session.execute(update(Plan).where(Plan.code == FREE).values(max_source_seconds=5))
    )
    response = await start_trim(client, creator, upload_id)
    assert response.status_code == 402, response.text
    error = response.json()
    assert error["error"] == "source_too_long"
    assert error["details"]["limit_seconds"] == 5
    assert "5 s" in error["message"]
    assert await count_rows(VideoJob) == 0
    assert (await used(client, creator))["trim"] == 0


async def test_a_failed_job_gives_its_use_back_once(client: httpx.AsyncClient, source_file: Path) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    job = await trimmed(client, creator, upload_id)
    assert (await used(client, creator))["trim"] == 1
    upload = await get_row(Upload, upload_id)
    assert upload is not None
    await get_storage().delete([upload.storage_key])  # the source's object is gone

    await run_jobs()

    failed = await job_of(client, creator, job["id"])
    assert (failed["state"], failed["failure_reason"], failed["results"]) == ("failed", SOURCE_GONE, [])
    assert (await used(client, creator))["trim"] == 0
    assert await count_rows(UsageRecord) == 0
    again = await transaction(
        lambda session: release_usage(
            session, uuid.UUID(creator.id), UsageMetric.TRIM, usage_key(uuid.UUID(job["id"]))
        )
    )
    assert again == 0
    assert (await used(client, creator))["trim"] == 0
    assert (await used(client, creator))["processing_seconds"] == 0


async def test_premium_jobs_are_deferred_first(client: httpx.AsyncClient, source_file: Path) -> None:
    free, premium = await actor(client), await actor(client)
    await subscribe(premium.id, "premium")
    free_upload = await ready_video(client, free, source_file)
    premium_upload = await ready_video(client, premium, source_file)
    free_job = await trimmed(client, free, free_upload)
    premium_job = await trimmed(client, premium, premium_upload)
    async with get_database().sessions() as session:
        rows = await session.execute(
            text("SELECT args->>'job_id', priority FROM procrastinate_jobs WHERE task_name = :task"),
            {"task": RUN_TASK},
        )
        priorities = dict(rows.all())
    assert priorities == {free_job["id"]: 0, premium_job["id"]: 10}


# --- cancelling, deleting, expiring -------------------------------------------------------


async def test_cancelling_a_queued_job_gives_its_use_back_and_it_never_runs(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    job = await trimmed(client, creator, upload_id)
    response = await client.delete(f"/v1/video-jobs/{job['id']}", headers=creator.headers)
    assert response.status_code == 204
    assert (await used(client, creator))["trim"] == 0
    await run_jobs()
    cancelled = await job_of(client, creator, job["id"])
    assert (cancelled["state"], cancelled["results"]) == ("cancelled", [])
    assert cancelled["finished_at"] is not None
    assert not await stored(result_key(uuid.UUID(creator.id), uuid.UUID(job["id"]), 0))
    again = await client.delete(f"/v1/video-jobs/{job['id']}", headers=creator.headers)
    assert again.status_code == 204
    gone = await client.get(f"/v1/video-jobs/{job['id']}", headers=creator.headers)
    assert gone.status_code == 404


async def test_a_job_cancelled_while_running_stops_its_ffmpeg_and_stores_nothing(
    client: httpx.AsyncClient, source_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    job = await trimmed(client, creator, upload_id, start_ms=0, end_ms=10_000, aspect="9:16")
    monkeypatch.setattr(processing, "PROGRESS_EVERY_SECONDS", 0.0)
    original = jobs._write_progress
    progress_checks: list[int] = []

    async def cancelled_meanwhile(session: AsyncSession, job_id: uuid.UUID, percent: int) -> bool:
        """The owner's DELETE lands between two progress checks."""
        progress_checks.append(percent)
        await session.execute(
            update(VideoJob)
            .where(VideoJob.id == job_id)
            .values(state=VideoJobState.CANCELLED, finished_at=utcnow())
        )
        return await original(session, job_id, percent)

    monkeypatch.setattr(jobs, "_write_progress", cancelled_meanwhile)
    await run_jobs()

    assert len(progress_checks) == 1  # stopped at the first check
    stopped = await job_of(client, creator, job["id"])
    assert (stopped["state"], stopped["results"]) == ("cancelled", [])
    assert stopped["progress"] < 100
    assert not await stored(result_key(uuid.UUID(creator.id), uuid.UUID(job["id"]), 0))


async def test_a_running_job_writes_its_progress(
    client: httpx.AsyncClient, source_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    job = await trimmed(client, creator, upload_id, start_ms=0, end_ms=10_000, aspect="9:16")
    monkeypatch.setattr(processing, "PROGRESS_EVERY_SECONDS", 0.0)
    original = jobs._write_progress
    written: list[int] = []

    async def watched(session: AsyncSession, job_id: uuid.UUID, percent: int) -> bool:
        going_on = await original(session, job_id, percent)
        written.append(int(await session.scalar(select(VideoJob.progress).where(VideoJob.id == job_id)) or 0))
        return going_on

    monkeypatch.setattr(jobs, "_write_progress", watched)
    await run_jobs()
    assert written
    assert written == sorted(written)
    assert written[-1] == 99
    assert (await job_of(client, creator, job["id"]))["progress"] == 100


async def test_deleting_a_finished_job_deletes_its_clips(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    job = await trimmed(client, creator, upload_id)
    await run_jobs()
    key = result_key(uuid.UUID(creator.id), uuid.UUID(job["id"]), 0)
    assert await stored(key)
    response = await client.delete(f"/v1/video-jobs/{job['id']}", headers=creator.headers)
    assert response.status_code == 204
    await run_jobs()
    assert not await stored(key)
    assert await count_rows(VideoJob) == 0
    assert (await used(client, creator))["trim"] == 1  # a finished job's use stays counted


async def test_erasing_the_account_deletes_its_jobs_and_their_clips(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    job = await trimmed(client, creator, upload_id)
    await run_jobs()
    key = result_key(uuid.UUID(creator.id), uuid.UUID(job["id"]), 0)
    assert await stored(key)

    response = await client.delete("/v1/users/me?erase=true", headers=creator.headers)
    assert response.status_code == 204, response.text
    await run_jobs()

    assert not await stored(key)
    assert await count_rows(VideoJob) == 0


async def test_the_retention_sweep_removes_expired_jobs_and_their_clips(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    old = await trimmed(client, creator, upload_id)
    recent = await trimmed(client, creator, upload_id, start_ms=0)
    await run_jobs()
    owner = uuid.UUID(creator.id)
    old_key, recent_key = (result_key(owner, uuid.UUID(job["id"]), 0) for job in (old, recent))
    assert await stored(old_key)
    assert await stored(recent_key)
    await transaction(
        lambda session: session.execute(
            update(VideoJob)
            .where(VideoJob.id == uuid.UUID(old["id"]))
            .values(finished_at=utcnow() - timedelta(days=31))
        )
    )

    await sweep_expired_video_jobs.defer_async(timestamp=0)
    await run_jobs()

    assert await get_row(VideoJob, old["id"]) is None
    assert not await stored(old_key)
    assert await get_row(VideoJob, recent["id"]) is not None
    assert await stored(recent_key)


async def test_api_keys_need_the_video_jobs_scope(client: httpx.AsyncClient) -> None:
    creator = await actor(client)
    await subscribe(creator.id, "premium")
    keys = {}
    for scope in ("video_jobs:write", "media:write"):
        response = await client.post(
            "/v1/api-keys", json={"name": scope, "scopes": [scope]}, headers=creator.headers
        )
        assert response.status_code == 201, response.text
        keys[scope] = response.json()["key"]
    allowed = await client.get(
        "/v1/video-jobs", headers={"Authorization": f"Bearer {keys['video_jobs:write']}"}
    )
    assert allowed.status_code == 200, allowed.text
    refused = await client.get("/v1/video-jobs", headers={"Authorization": f"Bearer {keys['media:write']}"})
    assert refused.status_code == 403, refused.text


# --- giving back, retries -----------------------------------------------------------------

give_back_steps = st.lists(
    st.tuples(st.sampled_from(["record", "release"]), st.sampled_from(["a", "b", "c"])), max_size=12
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=give_back_steps)
async def test_a_given_back_use_counts_once_whatever_the_order(steps: list[tuple[str, str]]) -> None:
    """Recording and giving back keys in any order: the counter is the number of keys recorded
    and not given back since, never below zero, and each give-back returns what it took. (Three
    keys: Free's auto-hook limit, so that no record is refused.)"""
    user = await insert_user()
    held: set[str] = set()
    for action, key in steps:
        if action == "record":
            outcome = await transaction(
                lambda session, key=key: record_usage(session, user.id, UsageMetric.AUTO_HOOK, 1, key)
            )
            assert outcome.counted is (key not in held)
            held.add(key)
        else:
            given = await transaction(
                lambda session, key=key: release_usage(session, user.id, UsageMetric.AUTO_HOOK, key)
            )
            assert given == (1 if key in held else 0)
            held.discard(key)
        async with get_database().sessions() as session:
            counted = await session.scalar(
                select(UsageCounter.used).where(
                    UsageCounter.user_id == user.id, UsageCounter.metric == UsageMetric.AUTO_HOOK
                )
            )
        assert int(counted or 0) == len(held)


async def test_a_job_that_keeps_failing_is_failed_at_its_last_attempt(
    client: httpx.AsyncClient, source_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unexpected error (storage down, say) is retried by procrastinate; at the last attempt
    the job is failed and its use given back rather than left running for ever."""
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    job = await trimmed(client, creator, upload_id)

    async def broken(job_id: uuid.UUID) -> None:
        raise RuntimeError("storage is down")

    monkeypatch.setattr(jobs, "_run", broken)
    for attempts, state in [(0, "queued"), (jobs.MAX_ATTEMPTS - 1, "failed")]:
        context = SimpleNamespace(job=SimpleNamespace(attempts=attempts))
        with pytest.raises(RuntimeError):
            await jobs.run_video_job(context, job_id=job["id"])  # type: ignore[arg-type]
        assert (await job_of(client, creator, job["id"]))["state"] == state
    failed = await job_of(client, creator, job["id"])
    assert failed["failure_reason"] == jobs.GAVE_UP
    assert (await used(client, creator))["trim"] == 0


async def test_a_job_left_running_by_a_crash_runs_again_and_finishes_once(
    client: httpx.AsyncClient, source_file: Path
) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, source_file)
    job = await trimmed(client, creator, upload_id)
    await transaction(
        lambda session: session.execute(
            update(VideoJob)
            .where(VideoJob.id == uuid.UUID(job["id"]))
            .values(state=VideoJobState.RUNNING, progress=40, started_at=utcnow())
        )
    )
    await run_jobs()
    done = await job_of(client, creator, job["id"])
    assert (done["state"], done["progress"], len(done["results"])) == ("succeeded", 100, 1)
    assert (await used(client, creator))["trim"] == 1
    assert await count_rows(UsageRecord) == 2  # the trim and its processing seconds, once each


async def test_a_jobs_end_reaches_its_owners_webhook_endpoints(
    client: httpx.AsyncClient, source_file: Path, receiver: Receiver
) -> None:
    creator = await premium(client)
    events = ["video_job.completed", "video_job.failed"]
    endpoint = await create_endpoint(client, creator.headers, f"{receiver.url}/tools", events)
    upload_id = await ready_video(client, creator, source_file)
    done = await trimmed(client, creator, upload_id)
    await run_jobs()
    failing = await trimmed(client, creator, upload_id)
    upload = await get_row(Upload, upload_id)
    assert upload is not None
    await get_storage().delete([upload.storage_key])
    await run_jobs()

    bodies = [verified(endpoint["secret"], request) for request in receiver.to("/tools")]
    assert sorted(
        (body["type"], body["data"]["job_id"], body["data"]["status"]) for body in bodies
    ) == sorted(
        [
            ("video_job.completed", done["id"], "succeeded"),
            ("video_job.failed", failing["id"], "failed"),
        ]
    )
    assert next(body for body in bodies if body["type"] == "video_job.failed")["data"]["error"] == SOURCE_GONE
