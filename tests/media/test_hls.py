"""Streaming reels: portfolio and gig videos get an HLS ladder (360p, 720p, 1080p when the source
has it, never upscaled), about 4-second segments, a master playlist with BANDWIDTH, RESOLUTION and
CODECS, and a WebVTT storyboard track; the API serves the playlists with absolute URIs.

Real ffmpeg on clips made here; every output is probed with PyAV."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reelbyte.core.config import Settings
from reelbyte.media import hls
from reelbyte.media.storage import get_storage
from tests.conftest import run_jobs
from tests.factories import make_gig, signed_up
from tests.media import clips
from tests.media.uploading import download, uploaded

SEGMENT = float(hls.SEGMENT_SECONDS)
STREAM_INF = re.compile(r"^#EXT-X-STREAM-INF:(.*)$", re.MULTILINE)


@pytest.fixture(autouse=True)
def fast_encoding(settings: Settings) -> Iterator[None]:
    """x264's fastest preset: the tests check shapes and timing, not picture quality."""
    before = settings.video_encode_preset
    settings.video_encode_preset = "ultrafast"
    yield
    settings.video_encode_preset = before


@pytest.fixture(scope="module")
def clip_720p(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clips.make_video(tmp_path_factory.mktemp("hls") / "reel720.mp4", 1280, 720, seconds=9.0)


@pytest.fixture(scope="module")
def clip_1080p(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clips.make_video(tmp_path_factory.mktemp("hls") / "reel1080.mp4", 1920, 1080, seconds=4.5)


def _attributes(line: str) -> dict[str, str]:
    """`A=1,B="x,y"` → {"A": "1", "B": "x,y"} (quoted values may hold commas)."""
    return {k: v.strip('"') for k, v in re.findall(r'([A-Z-]+)=("[^"]*"|[^,]*)', line)}


def _variants(master: str) -> list[tuple[dict[str, str], str]]:
    """(attributes, URI) of each EXT-X-STREAM-INF."""
    lines = master.splitlines()
    return [
        (_attributes(line.split(":", 1)[1]), lines[i + 1])
        for i, line in enumerate(lines)
        if line.startswith("#EXT-X-STREAM-INF:")
    ]


def _video_size(path: Path) -> tuple[int, int]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return stream.width, stream.height


def _streams(path: Path) -> tuple[list[str], list[str]]:
    """(video codecs, audio codecs) of a media file."""
    with av.open(str(path)) as container:
        return (
            [s.codec_context.name for s in container.streams.video],
            [s.codec_context.name for s in container.streams.audio],
        )


def _assert_even_segments(durations: list[float], total: float) -> None:
    """Every segment but the last lasts SEGMENT seconds (keyframes are forced), the last the rest."""
    assert durations, "a playlist lists segments"
    for duration in durations[:-1]:
        assert duration == pytest.approx(SEGMENT, abs=0.25)
    assert 0 < durations[-1] <= SEGMENT + 0.25
    assert sum(durations) == pytest.approx(total, abs=0.3)


# --- the ladder, as functions over local files ----------------------------------------------


@pytest.mark.parametrize(
    ("size", "cap", "expected"),
    [
        ((1280, 720), None, [(640, 360), (1280, 720)]),
        ((1920, 1080), None, [(640, 360), (1280, 720), (1920, 1080)]),
        ((3840, 2160), None, [(640, 360), (1280, 720), (1920, 1080)]),
        ((1080, 1920), None, [(360, 640), (720, 1280), (1080, 1920)]),  # portrait: by short side
        ((1920, 1080), 720, [(640, 360), (1280, 720)]),  # a preview is capped at 720p
        ((854, 480), None, [(640, 360)]),
        ((320, 240), None, [(320, 240)]),  # under 360p: one rendition at its own size
        ((321, 179), None, [(318, 178)]),  # even for H.264, rounded down
    ],
)
def test_the_ladder_never_upscales(
    size: tuple[int, int], cap: int | None, expected: list[tuple[int, int]]
) -> None:
    rungs = hls.ladder_for(*size, max_short_side=cap)
    assert [(rung.width, rung.height) for rung in rungs] == expected


@given(width=st.integers(16, 4096), height=st.integers(16, 4096), cap=st.sampled_from([None, 720]))
def test_every_rung_is_even_never_larger_than_the_source_and_keeps_its_shape(
    width: int, height: int, cap: int | None
) -> None:
    rungs = hls.ladder_for(width, height, max_short_side=cap)
    assert rungs
    for rung in rungs:
        assert rung.width % 2 == rung.height % 2 == 0
        assert rung.width <= max(width, 2)
        assert rung.height <= max(height, 2)
        assert (rung.width >= rung.height) == (width >= height) or abs(rung.width - rung.height) <= 2
    sides = [min(rung.width, rung.height) for rung in rungs]
    assert sides == sorted(set(sides))
    if min(width, height) >= 360:
        assert sides == [s for s in (360, 720, 1080) if s <= min(width, height, cap or 10**6)]


@pytest.mark.parametrize(
    ("fps", "codecs"),
    [
        (25.0, ["avc1.4d401e", "avc1.4d401f", "avc1.4d4028"]),
        (60.0, ["avc1.4d401f", "avc1.4d4020", "avc1.4d402a"]),
    ],
)
def test_each_rendition_names_an_h264_level_that_fits_its_size_and_rate(
    fps: float, codecs: list[str]
) -> None:
    assert [rung.codecs for rung in hls.ladder_for(1920, 1080, fps=fps)] == codecs


def test_a_1080p_source_gets_three_renditions_of_four_second_segments(
    clip_1080p: Path, tmp_path: Path
) -> None:
    ladder = hls.make_ladder(
        clip_1080p,
        tmp_path / "out",
        width=1920,
        height=1080,
        duration_seconds=4.5,
        has_audio=True,
        preset="ultrafast",
        timeout=120,
    )

    variants = _variants(ladder.path.read_text())
    assert [uri for _, uri in variants] == ["360p.m3u8", "720p.m3u8", "1080p.m3u8"]
    for (attributes, uri), size in zip(variants, [(640, 360), (1280, 720), (1920, 1080)], strict=True):
        assert attributes["RESOLUTION"] == f"{size[0]}x{size[1]}"
        assert attributes["CODECS"].endswith(",mp4a.40.2")
        assert int(attributes["BANDWIDTH"]) >= int(attributes["AVERAGE-BANDWIDTH"]) > 0
        playlist = (tmp_path / "out" / uri).read_text()
        assert "#EXT-X-PLAYLIST-TYPE:VOD" in playlist
        assert "#EXT-X-ENDLIST" in playlist
        segments = hls.segments_of(playlist)
        _assert_even_segments([seconds for seconds, _ in segments], 4.5)
        for _, name in segments:
            assert _video_size(tmp_path / "out" / name) == size
            assert _streams(tmp_path / "out" / name) == (["h264"], ["aac"])
    assert [attributes["CODECS"].split(",")[0] for attributes, _ in variants] == [
        "avc1.4d401e",
        "avc1.4d401f",
        "avc1.4d4028",
    ]
    # Higher renditions cost more.
    bandwidths = [int(attributes["BANDWIDTH"]) for attributes, _ in variants]
    assert bandwidths == sorted(bandwidths)


def test_a_silent_small_source_gets_one_video_only_rendition(tmp_path: Path) -> None:
    source = clips.make_video(tmp_path / "small.mp4", 320, 240, seconds=5.0, audio=False)

    ladder = hls.make_ladder(
        source,
        tmp_path / "out",
        width=320,
        height=240,
        duration_seconds=5.0,
        has_audio=False,
        preset="ultrafast",
        timeout=120,
    )

    [(attributes, uri)] = _variants(ladder.path.read_text())
    assert (attributes["RESOLUTION"], uri) == ("320x240", "240p.m3u8")
    assert "mp4a" not in attributes["CODECS"]
    [variant] = ladder.variants
    _assert_even_segments([seconds for seconds, _ in hls.segments_of(variant.playlist.read_text())], 5.0)
    assert _streams(variant.segments[0]) == (["h264"], [])


# --- through the API ------------------------------------------------------------------------


async def _text(client: httpx.AsyncClient, url: str, headers: dict[str, str] | None = None) -> str:
    response = await client.get(url, headers=headers or {})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.apple.mpegurl"
    return response.text


async def _fetch_public(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """A public file's URL is the API's /v1/media redirect to the store."""
    assert url.startswith("http://testserver/v1/media/")
    redirect = await client.get(url)
    assert redirect.status_code == 307, redirect.text
    return await download(redirect.headers["location"])


async def test_a_portfolio_video_streams_as_a_ladder_served_through_the_api(
    client: httpx.AsyncClient, clip_720p: Path, tmp_path: Path
) -> None:
    _, creator = await signed_up(client, "creator")
    video = await uploaded(client, creator, clip_720p, "portfolio")
    hls_file = video["derived"]["hls"]
    master_url = f"http://testserver/v1/uploads/{video['id']}/hls/master.m3u8"
    assert (hls_file["url"], hls_file["expires_at"]) == (master_url, None)
    assert (hls_file["content_type"], hls_file["width"], hls_file["height"]) == (
        "application/vnd.apple.mpegurl",
        1280,
        720,
    )
    assert {"poster", "thumbnail", "preview", "storyboard", "thumbnails"} <= set(video["derived"])

    # Anyone may watch a portfolio video, signed in or not.
    master = await _text(client, master_url)
    variants = _variants(master)
    assert [attributes["RESOLUTION"] for attributes, _ in variants] == ["640x360", "1280x720"]
    for attributes, uri in variants:
        assert {"BANDWIDTH", "RESOLUTION", "CODECS"} <= set(attributes)
        name = attributes["RESOLUTION"].split("x")[1] + "p"
        assert uri == f"http://testserver/v1/uploads/{video['id']}/hls/{name}.m3u8"
        playlist = await _text(client, uri)
        segments = hls.segments_of(playlist)
        _assert_even_segments([seconds for seconds, _ in segments], 9.0)
        for index, (_, url) in enumerate(segments):
            fetched = await _fetch_public(client, url)
            assert fetched.status_code == 200
            path = tmp_path / f"{name}-{index}.ts"
            path.write_bytes(fetched.content)
            assert _video_size(path) == tuple(int(n) for n in attributes["RESOLUTION"].split("x"))

    # The stored playlists name their files relatively, so the folder also plays straight
    # from public storage.
    stored = await _fetch_public(
        client, f"http://testserver/v1/media/{_key(video, 'hls').rsplit('/', 1)[0]}/720p.m3u8"
    )
    assert "720p_000.ts" in stored.text.splitlines()


def _key(video: dict[str, Any], role: str) -> str:
    """A public derived file's storage key, from its /v1/media URL."""
    url: str = video["derived"][role]["url"]
    if role == "hls":  # the API's playlist URL: the key is beside the poster's
        return (
            video["derived"]["poster"]["url"]
            .removeprefix("http://testserver/v1/media/")
            .replace("/poster.jpg", "/hls/master.m3u8")
        )
    return url.removeprefix("http://testserver/v1/media/")


async def test_the_storyboard_track_cues_each_tile_of_the_sprite(
    client: httpx.AsyncClient, clip_720p: Path
) -> None:
    _, creator = await signed_up(client, "creator")
    video = await uploaded(client, creator, clip_720p, "portfolio")
    board = video["derived"]["storyboard"]

    track = await _fetch_public(client, video["derived"]["thumbnails"]["url"])

    assert track.status_code == 200
    lines = track.text.splitlines()
    assert lines[0] == "WEBVTT"
    cues = [(lines[i], lines[i + 1]) for i, line in enumerate(lines) if "-->" in line]
    assert len(cues) == board["columns"] * board["rows"]
    assert cues[0] == (
        "00:00:00.000 --> 00:00:00.360",
        f"storyboard.jpg#xywh=0,0,{board['tile_width']},{board['tile_height']}",
    )
    last_x = (board["columns"] - 1) * board["tile_width"]
    last_y = (board["rows"] - 1) * board["tile_height"]
    assert cues[-1] == (
        "00:00:08.640 --> 00:00:09.000",
        f"storyboard.jpg#xywh={last_x},{last_y},{board['tile_width']},{board['tile_height']}",
    )
    # The sprite sits beside the track, so the relative URI finds it.
    assert video["derived"]["thumbnails"]["url"].rsplit("/", 1)[0] == board["url"].rsplit("/", 1)[0]


async def test_a_gig_gallery_video_gets_a_ladder_and_deleting_it_deletes_every_segment(
    client: httpx.AsyncClient, clip_1080p: Path
) -> None:
    _, creator = await signed_up(client, "creator")
    gig = await make_gig(client, creator)
    video = await uploaded(client, creator, clip_1080p, "gig_gallery", gig["id"])
    master = await _text(client, video["derived"]["hls"]["url"])
    assert [a["RESOLUTION"] for a, _ in _variants(master)] == ["640x360", "1280x720", "1920x1080"]
    folder = _key(video, "hls").rsplit("/", 1)[0]
    storage = get_storage()
    segment_keys = [
        f"{folder}/{name}" for name in ("master.m3u8", "1080p.m3u8", "1080p_000.ts", "360p_001.ts")
    ]
    for key in segment_keys:
        assert await storage.stat(key) is not None, key

    deleted = await client.delete(f"/v1/uploads/{video['id']}", headers=creator)
    assert deleted.status_code == 204, deleted.text
    await run_jobs()

    for key in segment_keys:
        assert await storage.stat(key) is None, key
    gone = await client.get(video["derived"]["hls"]["url"])
    assert (gone.status_code, gone.json()["error"]) == (404, "upload_not_found")


async def test_playlists_that_do_not_exist_are_404(
    client: httpx.AsyncClient, clip_720p: Path, png_file: Path
) -> None:
    _, creator = await signed_up(client, "creator")
    video = await uploaded(client, creator, clip_720p, "portfolio")
    image = await uploaded(client, creator, png_file, "portfolio")

    for url, status, code in [
        (f"/v1/uploads/{video['id']}/hls/1080p.m3u8", 404, "playlist_not_found"),  # never upscaled
        (f"/v1/uploads/{video['id']}/hls/nope.m3u8", 404, "playlist_not_found"),
        (f"/v1/uploads/{image['id']}/hls/master.m3u8", 404, "playlist_not_found"),
        (f"/v1/uploads/{video['id']}/hls/master.m3u8.m3u8", 422, "validation_error"),
        (f"/v1/uploads/{video['id']}/hls/..%2F..%2Fsecret.m3u8", 404, "not_found"),  # no such route
        ("/v1/uploads/00000000-0000-0000-0000-000000000000/hls/master.m3u8", 404, "upload_not_found"),
    ]:
        response = await client.get(url, headers=creator)
        assert (response.status_code, response.json()["error"]) == (status, code), url
