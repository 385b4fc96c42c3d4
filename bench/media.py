"""Media: what processing a video costs per minute of 1080p, and how fast upload URLs are issued.

    uv run python -m bench.media [--rounds 3] [--seconds 60] [--requests 200] [--concurrency 4]
                                 [--only video|uploads] [--no-write]

1. Video. A 1920x1080 30 fps H.264 (10 Mbit/s, a keyframe a second) + AAC clip of `--seconds`
   (testsrc2 and a sine, made once by the bundled ffmpeg into a temporary folder and kept there)
   is processed as the job does it for a portfolio video: `reelbyte.media.jobs.make_derived_files`
   (probe, poster, thumbnail, 10 s preview, storyboard, HLS ladder), then step by step (with,
   beside them, what a delivered video gets instead of the ladder, a watermarked preview ladder,
   and the creator's auto-hooks tool on the same clip), beside two floors run by the same
   ffmpeg with the same threads and priority (`nice -n 10`): decoding the whole file
   (`ffmpeg -i clip -f null -`), and the bare minimum of a job (reading the headers, grabbing
   one frame as a JPEG, copying the first 10 s). Each round runs the four in a turning order.
   Wall and CPU seconds (this process and its ffmpeg children) per minute of video.
2. Upload URLs. `POST /v1/uploads/image` (authentication, the checks, the per-user quota lock,
   the row, the presigned PUT, the commit) called straight through the ASGI app in this process
   (no socket, as bench/layers.py does), from `--concurrency` users at once, beside
   `GET /v1/users/me` of the same app (the fixed cost and authentication) and a bare boto3
   `generate_presigned_url` loop; `--requests` per variant per round, in a turning order. On
   the embedded PostgreSQL, Redis and S3 of .reelbyte/bench (or DATABASE_URL, REDIS_URL and
   S3_ENDPOINT_URL when set), rate limits off; the round's pending uploads are deleted between
   rounds, outside the clock, so that the quota sum stays that of a user with a few files.

Figures are medians over the rounds; ratios are medians of each round's ratio. The results
are written to docs/benchmarks.md ("Media: video processing and upload URLs").
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import secrets
import subprocess
import tempfile
import time
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import boto3
import httpx
from botocore.client import Config
from sqlalchemy import text

from bench._common import asgi_get_scope, bench_settings, machine, median, write_section
from reelbyte.core.config import Settings, get_settings
from reelbyte.core.db import get_database
from reelbyte.core.runtime import Runtime
from reelbyte.main import create_app
from reelbyte.media import hls, processing
from reelbyte.media.jobs import Work, make_derived_files
from reelbyte.media.models import UploadKind, UploadPurpose
from reelbyte.studio import processing as studio

TITLE = "Media: video processing and upload URLs"
CLIP_DIR = Path(tempfile.gettempdir()) / "reelbyte-bench-media"
VIDEO_BITRATE = "10M"
PASSWORD = "Bench!Passw0rd"
IMAGE_BODY = {"filename": "shot.jpg", "size": 2_000_000, "content_type": "image/jpeg", "purpose": "portfolio"}

JOB = "the job: `make_derived_files`"
DECODE = "floor: decode the whole file (`ffmpeg -i clip -f null -`)"
MINIMUM = "floor: the minimum (read the headers, grab one frame, copy 10 s)"
STEPS = "steps"
STEPS_SUM = "sum of the steps"
PROBE = "probe (streams with PyAV, then loudness)"
LOUDNESS = "of which the loudness pass (ffmpeg, audio only)"
POSTER = "poster (frame at 3 s, ≤ 1280 wide)"
THUMBNAIL = "thumbnail (400x300 from the poster, Pillow)"
PREVIEW = "preview (first 10 s, 640 wide, libx264 veryfast)"
STORYBOARD = "storyboard (5x5 tiles over the whole clip)"
LADDER = "HLS ladder (portfolio, gig: 360p, 720p, 1080p; 4 s segments)"
PROTECTED = "protected preview (a delivery: ≤ 720p, watermarked, HLS)"
HOOKS = "auto-hooks (analysis of the whole clip, 3 vertical clips of 5 to 10 s)"

UPLOAD = "`POST /v1/uploads/image` (whole app)"
ME = "`GET /v1/users/me` (same app: fixed cost + authentication)"
BOTO3 = "bare boto3 `generate_presigned_url`"


@dataclass(frozen=True, slots=True)
class Cost:
    wall: float
    cpu: float  # this process and the children it waited for


def timed(work: Callable[[], object]) -> Cost:
    def cpu() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        return time.process_time() + children.ru_utime + children.ru_stime

    cpu_before, started = cpu(), time.perf_counter()
    work()
    return Cost(time.perf_counter() - started, cpu() - cpu_before)


# --- 1. video -------------------------------------------------------------------------------


def ffmpeg(*arguments: str) -> None:
    """The bundled ffmpeg as the job runs it: same binary, threads and lowered priority."""
    command = [*processing.LOWER_PRIORITY, processing.ffmpeg_exe(), "-nostdin", "-hide_banner"]
    command += ["-loglevel", "error", "-filter_threads", str(processing.FFMPEG_THREADS), *arguments]
    subprocess.run(command, check=True, capture_output=True)


def clip(seconds: float) -> Path:
    """The 1080p test clip, made once and kept in the temporary folder."""
    path = CLIP_DIR / f"testsrc2-1080p30-{VIDEO_BITRATE}-{seconds:g}s.mp4"
    if path.exists():
        return path
    CLIP_DIR.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"partial-{path.name}")
    print(f"making the {seconds:g} s 1080p clip {path} (once)…", flush=True)
    ffmpeg(
        *("-f", "lavfi", "-i", "testsrc2=size=1920x1080:rate=30"),
        *("-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", f"{seconds:g}"),
        *("-c:v", "libx264", "-preset", "veryfast", "-b:v", VIDEO_BITRATE, "-g", "30", "-pix_fmt", "yuv420p"),
        *("-c:a", "aac", "-ac", "2", "-b:a", "128k", "-movflags", "+faststart", "-y", str(partial)),
    )
    partial.rename(path)
    return path


def the_job(source: Path, folder: Path) -> None:
    work = Work(uuid.uuid4(), uuid.uuid4(), UploadKind.VIDEO, UploadPurpose.PORTFOLIO, "bench/clip.mp4")
    make_derived_files(work, source, folder)


def ladder(source: Path, folder: Path, watermark: str | None = None) -> None:
    """What the job adds for a streamed video (or, with `watermark`, for a delivered one)."""
    probe = processing.probe_video(source)
    cap = hls.PREVIEW_MAX_SHORT_SIDE if watermark else None
    rungs = hls.ladder_for(probe.width or 0, probe.height or 0, max_short_side=cap, fps=probe.fps)
    hls.make_ladder(
        source,
        folder,
        width=probe.width or 0,
        height=probe.height or 0,
        duration_seconds=probe.duration_seconds or 0.0,
        has_audio=probe.audio_codec is not None,
        preset=get_settings().video_encode_preset,
        timeout=hls.ladder_timeout(processing.VIDEO_TIMEOUT_SECONDS, probe.duration_seconds, len(rungs)),
        max_short_side=cap,
        watermark=watermark,
        fps=probe.fps,
    )


def hooks(source: Path, folder: Path) -> None:
    folder.mkdir()  # the job's own temporary folder, as the video-jobs worker gives it
    studio.find_and_render_hooks(source, folder, count=3, min_seconds=5, max_seconds=10)


def the_steps(source: Path, folder: Path) -> dict[str, Cost]:
    """The job's steps one by one, in its order (the thumbnail is made from the poster)."""
    poster = folder / "poster.jpg"
    return {
        PROBE: timed(lambda: processing.probe_video(source)),
        LOUDNESS: timed(lambda: processing._integrated_loudness(source, processing.VIDEO_TIMEOUT_SECONDS)),
        POSTER: timed(lambda: processing.video_poster(source, poster)),
        THUMBNAIL: timed(lambda: processing.image_thumbnail(poster, folder / "thumbnail.jpg")),
        PREVIEW: timed(lambda: processing.video_preview(source, folder / "preview.mp4")),
        STORYBOARD: timed(lambda: processing.storyboard(source, folder / "storyboard.jpg")),
        LADDER: timed(lambda: ladder(source, folder / "hls")),
        PROTECTED: timed(lambda: ladder(source, folder / "preview", hls.watermark_text(uuid.uuid4().hex))),
        HOOKS: timed(lambda: hooks(source, folder / "hooks")),
    }


def whole_decode(source: Path) -> None:
    ffmpeg("-threads", str(processing.FFMPEG_THREADS), "-i", str(source), "-f", "null", "-")


def minimum(source: Path, folder: Path) -> None:
    with av.open(str(source)) as container:  # what ffprobe reads: headers and index, no decoding
        _ = (container.duration, [stream.codec_context.name for stream in container.streams])
    threads = ("-threads", str(processing.FFMPEG_THREADS))
    ffmpeg("-ss", "3", *threads, "-i", str(source), "-frames:v", "1", "-y", str(folder / "frame.jpg"))
    ffmpeg(*threads, "-i", str(source), "-t", "10", "-an", "-c:v", "copy", "-y", str(folder / "ten.mp4"))


def video_rounds(source: Path, rounds: int) -> dict[str, list[Cost]]:
    results: dict[str, list[Cost]] = defaultdict(list)

    def run_steps(folder: Path) -> None:
        for step, cost in the_steps(source, folder).items():
            results[step].append(cost)

    plan: dict[str, Callable[[Path], object]] = {
        JOB: lambda folder: results[JOB].append(timed(lambda: the_job(source, folder))),
        STEPS: run_steps,
        DECODE: lambda folder: results[DECODE].append(timed(lambda: whole_decode(source))),
        MINIMUM: lambda folder: results[MINIMUM].append(timed(lambda: minimum(source, folder))),
    }
    names = list(plan)
    with tempfile.TemporaryDirectory(prefix="bench-media-") as folder:
        plan[JOB](Path(folder))  # warm-up, unmeasured: the page cache, PyAV's first open
        results.clear()
    for number in range(rounds):
        turn = number % len(names)
        for name in names[turn:] + names[:turn]:
            with tempfile.TemporaryDirectory(prefix="bench-media-") as folder:
                plan[name](Path(folder))
        job, decode = results[JOB][-1], results[DECODE][-1]
        print(
            f"round {number + 1}: job {job.wall:.1f} s wall / {job.cpu:.1f} s CPU, "
            f"whole decode {decode.wall:.1f} s / {decode.cpu:.1f} s, "
            f"minimum {results[MINIMUM][-1].wall:.2f} s",
            flush=True,
        )
    return results


def describe(source: Path) -> str:
    probe = processing.probe_video(source)
    return (
        f"{probe.width}x{probe.height}, {probe.fps:g} fps, {probe.video_codec} + {probe.audio_codec}, "
        f"{(probe.bitrate or 0) / 1e6:.1f} Mbit/s, {probe.duration_seconds:.0f} s, "
        f"{source.stat().st_size / 1e6:.0f} MB"
    )


def video_report(results: dict[str, list[Cost]], source: Path, seconds: float, load: float) -> str:
    per_minute = 60 / seconds
    steps = [name for name in results if name not in (JOB, DECODE, MINIMUM)]
    # The loudness pass is in the probe; the protected preview (deliveries only, instead of the
    # ladder) and the hooks (a tool run on request) are not in the job.
    counted = [step for step in steps if step not in (LOUDNESS, PROTECTED, HOOKS)]
    rounds = range(len(results[JOB]))
    results = {
        **results,
        STEPS_SUM: [
            Cost(sum(results[s][i].wall for s in counted), sum(results[s][i].cpu for s in counted))
            for i in rounds
        ],
    }

    def wall(name: str) -> float:
        return median([cost.wall for cost in results[name]]) * per_minute

    def cpu(name: str) -> float:
        return median([cost.cpu for cost in results[name]]) * per_minute

    def ratio(name: str, floor: str, field: str) -> float:
        """The median of the rounds' ratios (each round's pair ran side by side)."""
        pairs = zip(results[name], results[floor], strict=True)
        return median([getattr(a, field) / getattr(b, field) for a, b in pairs])

    def row(name: str, share: str = "") -> str:
        times = f"{ratio(name, DECODE, 'wall'):.2f} / {ratio(name, DECODE, 'cpu'):.2f}"
        return f"| {name} | {wall(name):.2f} | {cpu(name):.2f} |{share} {times} |"

    lines = [
        f"Clip: {describe(source)} (testsrc2 and a 440 Hz sine, by the bundled ffmpeg "
        f"{processing.ffmpeg_exe().rsplit('-', 1)[-1]}). Figures per minute of that video; "
        "CPU is this process's and its ffmpeg children's.",
        "",
        "| run | wall s per minute of 1080p | CPU s per minute | times the whole-file decode (wall / CPU) |",
        "| --- | --- | --- | --- |",
        *(row(name) for name in (JOB, DECODE, MINIMUM)),
        "",
        f"The job: **{cpu(JOB):.1f} s of CPU per minute of 1080p** ({wall(JOB):.1f} s wall on this "
        f"loaded machine), **{ratio(JOB, DECODE, 'cpu'):.2f} times decoding the file once** "
        f"({ratio(JOB, DECODE, 'wall'):.2f} by wall), {ratio(JOB, MINIMUM, 'cpu'):.0f} times the "
        "bare minimum.",
        "",
        "Step by step (each step run alone, in the job's order, in the same rounds):",
        "",
        "| step | wall s per minute | CPU s per minute | share of the steps' CPU | "
        "times the whole-file decode (wall / CPU) |",
        "| --- | --- | --- | --- | --- |",
    ]
    steps_cpu = cpu(STEPS_SUM)
    for step in [*steps, STEPS_SUM]:
        share = f" {cpu(step) / steps_cpu:.0%} |" if step in counted or step == STEPS_SUM else " |"
        lines.append(row(step, share))

    def of_decode(name: str) -> str:
        return f"{ratio(name, DECODE, 'cpu'):.2f}"

    lines += [
        "",
        "Why the whole-file decode is the floor: a storyboard of tiles spread over the clip needs "
        "frames from all of it, and ffmpeg's fps filter gets them by decoding every frame, so "
        "decoding the file once is what any job that makes one pays at least; the storyboard "
        f"alone is {of_decode(STORYBOARD)} of it in CPU (every video frame, no audio). The preview "
        f"adds {of_decode(PREVIEW)}: its first 10 s decoded again and encoded by libx264. It is "
        "the same 10 s whatever the length: these figures count it once per "
        f"{seconds:g} s, and per minute of a longer clip it weighs less. The probe's loudness pass "
        f"decodes all the audio ({of_decode(LOUDNESS)}); the poster seeks to the keyframe before "
        f"3 s ({of_decode(POSTER)}). The bare minimum (headers, one frame, the first 10 s copied "
        f"without re-encoding, no storyboard and no loudness) is {of_decode(MINIMUM)} of a "
        "decode: the job's choices (a storyboard over the whole clip, a preview re-encoded to "
        "640 wide, the loudness) are what it pays over that. Wall time includes waiting for a "
        "core: ffmpeg runs at `nice -n 10` (in the job and in both floors) and yields to the "
        f"machine's other work (1-minute load average {load:.1f} at the end of this part, on "
        f"{os.cpu_count()} cores); the CPU figures, which waiting does not inflate, are the "
        "steadier ones.",
    ]
    return "\n".join(lines)


# --- 2. upload URLs -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rate:
    per_second: float
    cpu_ms: float  # of this process, per request


Call = Callable[[dict[str, str]], Awaitable[None]]


async def asgi_call(
    app: Any, method: str, path: str, headers: dict[str, str], body: bytes, status: int
) -> None:
    """One request straight through the ASGI app; stops the run on any other status."""
    scope = asgi_get_scope(path)
    scope["method"] = method
    scope["headers"] = [*scope["headers"], *((k.lower().encode(), v.encode()) for k, v in headers.items())]
    received, done = False, asyncio.Event()
    answer: dict[str, Any] = {}

    async def receive() -> dict[str, Any]:
        nonlocal received
        if not received:
            received = True
            return {"type": "http.request", "body": body, "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start":
            answer["status"] = message["status"]
        elif message["type"] == "http.response.body":
            answer["body"] = answer.get("body", b"") + message.get("body", b"")
            if not message.get("more_body", False):
                done.set()

    await app(scope, receive, send)
    if answer.get("status") != status:
        raise SystemExit(
            f"{method} {path} answered {answer.get('status')}: {answer.get('body', b'')[:500]!r}"
        )


async def signed_up(app: Any, number: int) -> tuple[uuid.UUID, dict[str, str]]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 1))
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8000") as client:
        name = f"bench-media-{number}-{uuid.uuid4().hex[:8]}"
        email = f"{name}@example.com"
        registered = await client.post(
            "/v1/auth/register",
            json={
                "email": email,
                "username": name,
                "password": PASSWORD,
                "full_name": name,
                "role": "creator",
            },
        )
        assert registered.status_code == 201, registered.text
        login = await client.post("/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        started = await client.post("/v1/uploads/image", json=IMAGE_BODY, headers=headers)
        assert started.status_code == 201, started.text
        assert started.json()["single"]["method"] == "PUT", started.text
        return uuid.UUID(registered.json()["id"]), headers


def bare_presigner(settings: Settings) -> Callable[[], str]:
    """A boto3 client configured as S3Storage's, presigning the same PUT with no app around it."""
    client: Any = boto3.client(
        "s3",
        endpoint_url=settings.s3_endpoint_url,
        aws_access_key_id=settings.s3_access_key_id,
        aws_secret_access_key=settings.s3_secret_access_key,
        region_name=settings.s3_region,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )

    def presign() -> str:
        key = f"users/{uuid.uuid4()}/portfolio/{secrets.token_urlsafe(18)}.jpg"
        params = {
            "Bucket": settings.s3_bucket,
            "Key": key,
            "ContentType": IMAGE_BODY["content_type"],
            "ContentLength": IMAGE_BODY["size"],
        }
        return str(
            client.generate_presigned_url(
                "put_object", Params=params, ExpiresIn=settings.upload_url_expire_seconds
            )
        )

    return presign


async def rate(call: Call, lanes: list[dict[str, str]], requests: int) -> Rate:
    """`requests` calls shared among the lanes (one user each), the lanes at once."""
    each = max(1, requests // len(lanes))

    async def lane(headers: dict[str, str]) -> None:
        for _ in range(each):
            await call(headers)

    cpu_before, started = time.process_time(), time.perf_counter()
    await asyncio.gather(*(lane(headers) for headers in lanes))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_before
    total = each * len(lanes)
    return Rate(total / wall, cpu * 1000 / total)


async def forget_uploads(owners: list[uuid.UUID]) -> None:
    """The round's pending uploads go (no object was ever stored for them)."""
    async with get_database().sessions() as session:
        await session.execute(text("DELETE FROM uploads WHERE owner_id = ANY(:owners)"), {"owners": owners})
        await session.commit()


async def upload_rounds(
    settings: Settings, rounds: int, requests: int, concurrency: int
) -> dict[str, list[Rate]]:
    runtime = Runtime(settings)
    await runtime.start()
    try:
        app = create_app(settings)
        users = [await signed_up(app, number) for number in range(concurrency)]
        owners, lanes = [user for user, _ in users], [headers for _, headers in users]
        body = json.dumps(IMAGE_BODY).encode()
        json_headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
        presign = bare_presigner(settings)

        async def upload(headers: dict[str, str]) -> None:
            await asgi_call(app, "POST", "/v1/uploads/image", {**headers, **json_headers}, body, 201)

        async def me(headers: dict[str, str]) -> None:
            await asgi_call(app, "GET", "/v1/users/me", headers, b"", 200)

        async def bare(headers: dict[str, str]) -> None:
            presign()

        plan: dict[str, Call] = {UPLOAD: upload, ME: me, BOTO3: bare}
        for call in plan.values():  # warm-up, unmeasured
            await rate(call, lanes, min(requests, 40))
        await forget_uploads(owners)
        results: dict[str, list[Rate]] = defaultdict(list)
        names = list(plan)
        for number in range(rounds):
            turn = number % len(names)
            for name in names[turn:] + names[:turn]:
                results[name].append(await rate(plan[name], lanes, requests))
            await forget_uploads(owners)
            print(
                f"round {number + 1}: "
                + ", ".join(f"{name} {results[name][-1].per_second:,.0f} req/s" for name in names),
                flush=True,
            )
        return results
    finally:
        await runtime.stop()


def upload_report(results: dict[str, list[Rate]]) -> str:
    def ratio(floor: str) -> tuple[float, float]:
        """POST's requests/s over the floor's, and the floor's CPU over POST's: medians of the
        rounds' ratios."""
        pairs = list(zip(results[UPLOAD], results[floor], strict=True))
        return (
            median([mine.per_second / base.per_second for mine, base in pairs]),
            median([base.cpu_ms / mine.cpu_ms for mine, base in pairs]),
        )

    def cpu_ms(name: str) -> float:
        return median([r.cpu_ms for r in results[name]])

    lines = [
        "| variant | requests/s | CPU ms per request (this process) | `POST`'s requests/s ÷ its | "
        "its CPU ÷ `POST`'s |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, rates in results.items():
        rate_ratio, cpu_ratio = ratio(name)
        shares = "| |" if name == UPLOAD else f"**{rate_ratio:.2f}** | {cpu_ratio:.2f} |"
        lines.append(
            f"| {name} | {median([r.per_second for r in rates]):,.0f} | {cpu_ms(name):.2f} | {shares}"
        )
    whole, fixed, signing = cpu_ms(UPLOAD), cpu_ms(ME), cpu_ms(BOTO3)
    lines += [
        "",
        f"Issuing one upload URL costs {whole:.2f} ms of this process's CPU. Signing it (the boto3 "
        f"floor) is {signing:.2f} ms of that ({signing / whole:.0%}); the app's fixed cost and "
        f"authentication (`GET /v1/users/me`: one statement, read-only, no transaction) "
        f"{fixed:.2f} ms; the rest, {whole - fixed - signing:.2f} ms, is the endpoint's own "
        "work: the JSON body and its checks, the unit of work (a transaction: the "
        "authentication, the per-user advisory lock, the quota sum, the insert, the commit) and "
        "the answer. PostgreSQL's CPU is not in that column; it shows in the requests per second, "
        "which also vary more from round to round on a loaded machine than the CPU does.",
    ]
    return "\n".join(lines)


# --- running --------------------------------------------------------------------------------


def command(args: argparse.Namespace) -> str:
    only = f" --only {args.only}" if args.only else ""
    return (
        f"uv run python -m bench.media --rounds {args.rounds} --seconds {args.seconds:g} "
        f"--requests {args.requests} --concurrency {args.concurrency}{only}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the 1080p clip (default 60)")
    parser.add_argument(
        "--requests", type=int, default=200, help="requests per variant per round (default 200)"
    )
    parser.add_argument("--concurrency", type=int, default=4, help="users sending at once (default 4)")
    parser.add_argument("--only", choices=("video", "uploads"), help="run one of the two parts")
    parser.add_argument("--no-write", action="store_true", help="print only; leave docs/benchmarks.md alone")
    args = parser.parse_args()
    parts = [
        f"Command: `{command(args)}` ({machine()}; medians of {args.rounds} interleaved rounds, each "
        "round taking the variants in a turning order; other work on the machine meanwhile).",
    ]
    if args.only != "uploads":
        source = clip(args.seconds)
        video = video_rounds(source, args.rounds)
        parts += [
            "",
            "### Processing a video, per minute of 1080p",
            "",
            video_report(video, source, args.seconds, os.getloadavg()[0]),
        ]
    if args.only != "video":
        with bench_settings(storage=True) as settings:
            settings.rate_limit_enabled = False  # the uploads' 50/hour would stop the run
            uploads = asyncio.run(upload_rounds(settings, args.rounds, args.requests, args.concurrency))
        parts += [
            "",
            "### Issuing upload URLs",
            "",
            f"{args.requests} requests per variant per round from {args.concurrency} users at once, "
            "in this process straight through the ASGI app (no socket), on the embedded PostgreSQL, "
            f"Redis and S3; rate limits off; 1-minute load average {os.getloadavg()[0]:.1f} at the end.",
            "",
            upload_report(uploads),
        ]
    body = "\n".join(parts)
    print(body)
    if not args.no_write:
        write_section(TITLE, body)


if __name__ == "__main__":
    main()
