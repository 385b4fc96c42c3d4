"""The subject-following crop: a white box sliding left to right on black, re-framed to 9:16,
stays in the frame at the start and at the end (its pixels are in the output's frames), where a
centre crop loses it; the camera's path keeps in the frame, never pans faster than its top
speed, and holds still for a subject that only jitters; through the API, a trim and auto-hooks
take `crop`, and `subject` without an aspect is refused."""

from __future__ import annotations

import itertools
from pathlib import Path

import av
import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reelbyte.studio import processing
from reelbyte.studio.models import VideoJob
from reelbyte.studio.processing import DEAD_ZONE, MAX_PAN_SPEED, camera_path, cut
from tests.conftest import run_jobs
from tests.factories import actor, count_rows
from tests.studio.clips import BOX, BOX_SECONDS, make_moving_box_clip
from tests.studio.test_video_jobs import fetched_clip, job_of, ready_video

STEP = 1 / processing.SUBJECT_FPS
BOX_PIXELS = BOX * BOX


@pytest.fixture(scope="module")
def box_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_moving_box_clip(tmp_path_factory.mktemp("subject") / "box.mp4")


def box_pixels(path: Path) -> list[int]:
    """How many of each decoded frame's pixels are near white (the box's)."""
    counts = []
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            image = frame.to_image().convert("L")
            counts.append(sum(1 for value in image.tobytes() if value > 200))
    return counts


def test_a_subject_crop_follows_the_box_a_centre_crop_loses(box_clip: Path, tmp_path: Path) -> None:
    subject = cut(box_clip, tmp_path / "subject.mp4", 0.0, BOX_SECONDS, aspect=(9, 16), crop="subject")
    centre = cut(box_clip, tmp_path / "centre.mp4", 0.0, BOX_SECONDS, aspect=(9, 16), crop="centre")
    assert (subject.width, subject.height) == (centre.width, centre.height) == (100, 180)

    followed, centred = box_pixels(subject.path), box_pixels(centre.path)
    for index in (0, 1, len(followed) // 2, -2, -1):  # start, middle and end
        assert followed[index] >= 0.9 * BOX_PIXELS, (index, followed[index])
    assert min(followed) >= 0.75 * BOX_PIXELS  # in frame all the way
    assert centred[0] <= 0.1 * BOX_PIXELS
    assert centred[-1] <= 0.1 * BOX_PIXELS


def test_the_subject_is_found_where_it_moves(box_clip: Path, tmp_path: Path) -> None:
    centres = processing.subject_centres(box_clip, tmp_path, 0.0, BOX_SECONDS)
    xs = [centre[0] for centre in centres if centre is not None]
    assert len(xs) >= len(centres) - 1
    assert xs == sorted(xs)  # left to right
    assert xs[0] < 0.2
    assert xs[-1] > 0.8
    assert all(centre is None or abs(centre[1] - 0.5) < 0.05 for centre in centres)
    assert not list(tmp_path.glob("subject-*"))  # its scratch file is gone


def test_a_crop_with_no_room_to_move_stays_centred(box_clip: Path, tmp_path: Path) -> None:
    # A 16:9 crop of a 16:9 frame has nowhere to go: both axes stay at the centre.
    x, y = processing.follow_subject(box_clip, tmp_path, 0.0, BOX_SECONDS, (16, 9))
    assert x == "clip((0.5000)*iw-ow/2,0,iw-ow)"
    assert y == "clip((0.5000)*ih-oh/2,0,ih-oh)"


@settings(max_examples=200, deadline=None)
@given(
    centres=st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=1)), min_size=1, max_size=60),
    half=st.floats(min_value=0.05, max_value=0.5),
)
def test_the_camera_stays_in_frame_and_pans_at_most_at_its_top_speed(
    centres: list[float | None], half: float
) -> None:
    path = camera_path(centres, half, STEP)
    assert len(path) == len(centres)
    for earlier, later in itertools.pairwise(path):
        assert abs(later - earlier) <= MAX_PAN_SPEED * STEP + 1e-9
    for value in path:
        assert min(half, 0.5) - 1e-9 <= value <= max(1 - half, 0.5) + 1e-9


@settings(max_examples=100, deadline=None)
@given(
    where=st.floats(min_value=0.3, max_value=0.7),
    jitter=st.lists(
        st.floats(min_value=-0.4 * DEAD_ZONE, max_value=0.4 * DEAD_ZONE), min_size=2, max_size=60
    ),
)
def test_a_jittering_subject_does_not_move_the_camera(where: float, jitter: list[float]) -> None:
    path = camera_path([where + shake for shake in jitter], 0.15, STEP)
    assert max(path) - min(path) < 1e-12


def test_a_steady_subject_is_followed_without_going_back() -> None:
    centres = [0.1 + 0.8 * index / 39 for index in range(40)]
    path = camera_path(centres, 0.15, STEP)
    assert path == sorted(path)
    assert path[0] == pytest.approx(0.15)
    assert path[-1] >= 0.85 - DEAD_ZONE  # at most a dead zone behind


# --- through the API ------------------------------------------------------------------------


async def test_a_subject_cropped_trim_keeps_the_box(
    client: httpx.AsyncClient, box_clip: Path, tmp_path: Path
) -> None:
    creator, other = await actor(client), await actor(client)
    upload_id = await ready_video(client, creator, box_clip)
    body = {"upload_id": upload_id, "start_ms": 0, "end_ms": 4000, "aspect": "9:16", "crop": "subject"}
    response = await client.post("/v1/video-jobs/trim", json=body, headers=creator.headers)
    assert response.status_code == 201, response.text
    job = response.json()
    assert job["params"] == {"start_ms": 0, "end_ms": 4000, "aspect": "9:16", "crop": "subject"}
    hidden = await client.get(f"/v1/video-jobs/{job['id']}", headers=other.headers)
    assert hidden.status_code == 404

    await run_jobs()

    done = await job_of(client, creator, job["id"])
    assert done["state"] == "succeeded", done
    clip = await fetched_clip(client, creator, job["id"], 0, tmp_path / "trim.mp4")
    counts = box_pixels(clip)
    assert counts[0] >= 0.9 * BOX_PIXELS
    assert counts[-1] >= 0.9 * BOX_PIXELS


async def test_a_subject_crop_needs_an_aspect(client: httpx.AsyncClient, box_clip: Path) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, box_clip)
    for crop in ("subject", "sideways"):
        body = {"upload_id": upload_id, "start_ms": 0, "end_ms": 1000, "crop": crop}
        response = await client.post("/v1/video-jobs/trim", json=body, headers=creator.headers)
        assert response.status_code == 422, response.text
        assert response.json()["error"] == "validation_error"
    assert await count_rows(VideoJob) == 0


async def test_auto_hooks_take_a_subject_crop(client: httpx.AsyncClient, box_clip: Path) -> None:
    creator = await actor(client)
    upload_id = await ready_video(client, creator, box_clip)
    body = {"upload_id": upload_id, "count": 1, "min_seconds": 2, "max_seconds": 3, "crop": "subject"}
    response = await client.post("/v1/video-jobs/auto-hooks", json=body, headers=creator.headers)
    assert response.status_code == 201, response.text
    assert response.json()["params"]["crop"] == "subject"

    await run_jobs()

    done = await job_of(client, creator, response.json()["id"])
    assert done["state"] == "succeeded", done
    [hook] = done["results"]
    assert abs(hook["width"] / hook["height"] - 9 / 16) < 0.02
    assert hook["scorer"] == "offline"
