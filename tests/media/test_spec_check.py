"""The automatic spec check of delivered videos: packages declare a video spec, every deliverable
video is measured against it by the worker (real ffmpeg on clips made here), the report is kept
on the upload, told to the creator first, and shown to both parties of the order only."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import httpx
import imageio_ffmpeg  # type: ignore[import-untyped]
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reelbyte.catalog.video_spec import ASPECT_RATIOS, VideoSpec
from reelbyte.media import spec
from reelbyte.media.schemas import SpecStatus
from reelbyte.media.spec import Measurements
from tests.catalog.test_gigs import assert_error
from tests.conftest import Mailbox
from tests.factories import Headers, make_gig, make_paid_order, package_body, seller_and_buyer, signed_up
from tests.media.uploading import fetched, uploaded

# What a short social clip promises: 16:9, 30 fps, -14 LUFS ± 1 under -1 dBTP, MP4/H.264.
SOCIAL: dict[str, Any] = {
    "aspect_ratio": "16:9",
    "min_resolution": {"width": 320, "height": 180},
    "duration": {"min_seconds": 3, "max_seconds": 6},
    "frame_rate": {"fps": 30, "tolerance": 0.05},
    "loudness": {"target_lufs": -14, "tolerance_lu": 1, "true_peak_max_dbtp": -1},
    "container": "mp4",
    "video_codec": "h264",
}
# A 440 Hz sine from ffmpeg's `sine` source measures about -21.8 LUFS; these gains shift it.
TO_MINUS_30_LUFS = -8.3
TO_MINUS_14_LUFS = 7.7


def make_clip(
    path: Path,
    *,
    width: int,
    height: int,
    fps: int,
    seconds: float,
    gain_db: float,
    black_seconds: float = 0.0,
) -> Path:
    """An H.264 + AAC MP4 of moving test bars (after `black_seconds` of black) with a sine tone."""
    size = f"{width}x{height}"
    picture = f"testsrc2=size={size}:rate={fps}:duration={seconds - black_seconds}[bars]"
    graph = [picture, f"[0:a]volume={gain_db}dB[a]"]
    if black_seconds:
        graph += [f"color=black:size={size}:rate={fps}:duration={black_seconds}[black]"]
        graph += ["[black][bars]concat=n=2:v=1:a=0[v]"]
    else:
        graph += ["[bars]null[v]"]
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    command += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    command += ["-filter_complex", ";".join(graph), "-map", "[v]", "-map", "[a]", "-t", str(seconds)]
    command += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return path


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("spec-clips")


@pytest.fixture(scope="module")
def off_spec_clip(clips: Path) -> Path:
    """4:3, 24 fps, about -30 LUFS: wrong on every point a social package cares about."""
    return make_clip(
        clips / "off-spec.mp4", width=320, height=240, fps=24, seconds=4, gain_db=TO_MINUS_30_LUFS
    )


@pytest.fixture(scope="module")
def on_spec_clip(clips: Path) -> Path:
    return make_clip(
        clips / "on-spec.mp4", width=384, height=216, fps=30, seconds=4, gain_db=TO_MINUS_14_LUFS
    )


@pytest.fixture(scope="module")
def black_start_clip(clips: Path) -> Path:
    return make_clip(
        clips / "black-start.mp4",
        width=384,
        height=216,
        fps=30,
        seconds=4,
        gain_db=TO_MINUS_14_LUFS,
        black_seconds=1.0,
    )


async def _order_with_spec(
    client: httpx.AsyncClient, video_spec: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any], Headers, Headers]:
    """A paid order of a package with `video_spec`, made through the API: (order, the creator as
    registered, the creator's headers, the client's headers)."""
    creator, maker = await signed_up(client, "creator")
    _, buyer = await signed_up(client, "client")
    gig = await make_gig(client, maker, packages=[package_body("basic", "50.00", 5, video_spec=video_spec)])
    [package] = gig["packages"]
    assert package["video_spec"] == (VideoSpec.model_validate(video_spec).stored() if video_spec else None)
    return await make_paid_order(client, buyer, gig, package), creator, maker, buyer


def _items(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["check"]: item for item in report["items"]}


async def _notifications(client: httpx.AsyncClient, headers: Headers) -> list[dict[str, Any]]:
    response = await client.get("/v1/notifications", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _spec_mails(mailbox: Mailbox, address: str) -> list[str]:
    """The subjects of the e-mails to `address` about a delivery's spec."""
    return [str(mail["Subject"]) for mail in mailbox.to(address) if "delivery" in str(mail["Subject"])]


async def _deliver(client: httpx.AsyncClient, maker: Headers, order_id: str, upload_id: str) -> None:
    body = {"message": "The cut.", "deliverables": [{"upload_id": upload_id, "title": "Cut"}]}
    response = await client.post(f"/v1/orders/{order_id}/deliver", json=body, headers=maker)
    assert response.status_code == 200, response.text


# --- the check, end to end ----------------------------------------------------------------


async def test_an_off_spec_delivery_fails_on_each_point_with_its_measured_value(
    client: httpx.AsyncClient, off_spec_clip: Path, mailbox: Mailbox
) -> None:
    order, creator, maker, buyer = await _order_with_spec(client, SOCIAL)

    video = await uploaded(client, maker, off_spec_clip, "deliverable", order["id"])

    report = video["spec_report"]
    assert video["spec_checked_at"] is not None
    assert report["status"] == "failed"
    assert report["spec"] == VideoSpec.model_validate(SOCIAL).stored()
    items = _items(report)
    aspect, fps, loudness = items["aspect_ratio"], items["frame_rate"], items["loudness"]
    assert (aspect["status"], aspect["expected"], aspect["measured"]) == ("failed", "16:9", "4:3")
    assert (fps["status"], fps["measured"], fps["unit"]) == ("failed", 24.0, "fps")
    assert fps["expected"] == "30 ± 0.05"
    assert (loudness["status"], loudness["unit"], loudness["expected"]) == ("failed", "LUFS", "-14 ± 1")
    assert loudness["measured"] == pytest.approx(-30, abs=1.0)
    assert "-30" in loudness["message"] or "-29" in loudness["message"]
    # What it does meet passes: the container, the codec, the size, the length, the peak.
    for check in ("container", "video_codec", "resolution", "duration", "true_peak"):
        assert items[check]["status"] == "passed", items[check]
    assert items["resolution"]["measured"] == "320x240"
    assert report["measurements"]["true_peak_dbtp"] < -1
    assert {items[edge]["status"] for edge in ("black_start", "black_end", "frozen_start")} == {"passed"}

    # The creator hears of it at once, in the app and by e-mail, before delivering anything.
    [notice] = [n for n in await _notifications(client, maker) if n["type"] == "delivery_spec_failed"]
    assert "16:9" in notice["content"]
    assert "24 fps" in notice["content"]
    assert notice["link"] == f"/orders/{order['id']}"
    assert _spec_mails(mailbox, creator["email"]) == [
        "ReelByte: Your delivery does not meet the package's spec"
    ]
    assert not [n for n in await _notifications(client, buyer) if n["type"].startswith("delivery_spec")]


async def test_a_delivery_that_meets_the_spec_passes(
    client: httpx.AsyncClient, on_spec_clip: Path, mailbox: Mailbox
) -> None:
    order, creator, maker, _ = await _order_with_spec(client, SOCIAL)

    video = await uploaded(client, maker, on_spec_clip, "deliverable", order["id"])

    report = video["spec_report"]
    assert report["status"] == "passed", report
    items = _items(report)
    assert {item["status"] for item in items.values()} == {"passed"}
    assert (items["aspect_ratio"]["measured"], items["frame_rate"]["measured"]) == ("16:9", 30.0)
    assert items["loudness"]["measured"] == pytest.approx(-14, abs=1.0)
    assert items["duration"]["measured"] == pytest.approx(4, abs=0.1)
    [notice] = [n for n in await _notifications(client, maker) if n["type"].startswith("delivery_spec")]
    assert notice["type"] == "delivery_spec_checked"
    assert _spec_mails(mailbox, creator["email"]) == []  # only a failed check is e-mailed


async def test_an_order_keeps_the_spec_it_was_bought_with(
    client: httpx.AsyncClient, off_spec_clip: Path
) -> None:
    """The creator loosening the package's spec after the sale does not loosen the order's."""
    order, _, maker, buyer = await _order_with_spec(client, SOCIAL)
    bought = VideoSpec.model_validate(SOCIAL).stored()
    assert order["video_spec"] == bought
    path = f"/v1/gigs/{order['gig_id']}/packages/{order['package_id']}"
    loosened = await client.put(path, json={"video_spec": None}, headers=maker)
    assert loosened.status_code == 200, loosened.text

    video = await uploaded(client, maker, off_spec_clip, "deliverable", order["id"])

    assert video["spec_report"]["spec"] == bought
    assert _items(video["spec_report"])["aspect_ratio"]["status"] == "failed"
    seen = await client.get(f"/v1/orders/{order['id']}", headers=buyer)
    assert seen.json()["video_spec"] == bought


async def test_black_frames_at_the_start_are_warned(
    client: httpx.AsyncClient, black_start_clip: Path
) -> None:
    order, _, maker, _ = await _order_with_spec(client, SOCIAL)

    video = await uploaded(client, maker, black_start_clip, "deliverable", order["id"])

    report = video["spec_report"]
    assert report["status"] == "warned", report
    black = _items(report)["black_start"]
    assert black["status"] == "warned"
    assert black["measured"] == pytest.approx(1.0, abs=0.15)
    # A black stretch is not reported a second time as a frozen one.
    assert _items(report)["frozen_start"]["status"] == "passed"
    assert _items(report)["black_end"]["status"] == "passed"
    [notice] = [n for n in await _notifications(client, maker) if n["type"].startswith("delivery_spec")]
    assert notice["type"] == "delivery_spec_checked"
    assert "black frames at the start" in notice["content"]


async def test_without_a_spec_the_figures_are_reported_as_info(
    client: httpx.AsyncClient, off_spec_clip: Path
) -> None:
    maker, buyer, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, buyer, gig, package)

    video = await uploaded(client, maker, off_spec_clip, "deliverable", order["id"])

    report = video["spec_report"]
    assert (report["status"], report["spec"]) == ("info", None)
    items = _items(report)
    assert {item["status"] for item in items.values()} == {"info"}
    assert items["aspect_ratio"]["measured"] == "4:3"
    assert items["frame_rate"]["measured"] == 24.0
    assert items["loudness"]["measured"] == pytest.approx(-30, abs=1.0)
    assert items["container"]["measured"] == "mp4"


async def test_the_client_sees_the_report_once_delivered_and_strangers_see_nothing(
    client: httpx.AsyncClient, off_spec_clip: Path
) -> None:
    order, _, maker, buyer = await _order_with_spec(client, SOCIAL)
    _, stranger = await signed_up(client, "client")
    video = await uploaded(client, maker, off_spec_clip, "deliverable", order["id"])
    assert [n["type"] for n in await _notifications(client, maker) if n["type"].startswith("delivery")] == [
        "delivery_spec_failed"
    ]

    # Not handed in yet: the order shows the client nothing of it.
    before = await client.get(f"/v1/orders/{order['id']}/deliverables", headers=buyer)
    assert (before.status_code, before.json()) == (200, [])

    await _deliver(client, maker, order["id"], video["id"])

    listed = await client.get(f"/v1/orders/{order['id']}/deliverables", headers=buyer)
    assert listed.status_code == 200, listed.text
    [item] = listed.json()
    assert item["file"]["spec_report"] == video["spec_report"]
    detail = await client.get(f"/v1/orders/{order['id']}", headers=buyer)
    [delivery] = detail.json()["deliveries"]
    assert delivery["deliverables"][0]["file"]["spec_report"]["status"] == "failed"
    seen = await fetched(client, buyer, video["id"])
    assert _items(seen["spec_report"])["frame_rate"]["measured"] == 24.0

    for headers in (stranger, {}):
        refused = await client.get(f"/v1/uploads/{video['id']}", headers=headers)
        assert refused.status_code == 404, refused.text
    refused_list = await client.get(f"/v1/orders/{order['id']}/deliverables", headers=stranger)
    assert_error(refused_list, 404, "order_not_found")


async def test_other_uploads_are_not_checked(client: httpx.AsyncClient, on_spec_clip: Path) -> None:
    _, maker = await signed_up(client, "creator")
    reel = await uploaded(client, maker, on_spec_clip, "portfolio")
    assert (reel["state"], reel["spec_report"], reel["spec_checked_at"]) == ("ready", None, None)


# --- measuring, without the API -----------------------------------------------------------


def _render(path: Path, video_graph: str, seconds: float, *extra: str) -> Path:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-hide_banner", "-loglevel", "error", "-y"]
    command += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-filter_complex", video_graph]
    command += ["-map", "[v]", "-map", "0:a", "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast"]
    command += ["-pix_fmt", "yuv420p", "-c:a", "aac", *extra, str(path)]
    subprocess.run(command, check=True, capture_output=True, timeout=60)
    return path


def test_black_frames_at_the_end_of_a_long_video_are_found_in_its_last_seconds(clips: Path) -> None:
    # Longer than the edge window, so the end is read from a seek near the end.
    graph = "testsrc2=size=160x90:rate=25:duration=10[t];color=black:size=160x90:rate=25:duration=1.5[b];"
    clip = _render(clips / "black-end.mp4", graph + "[t][b]concat=n=2:v=1:a=0[v]", 11.5)

    measured = spec.measure(clip)

    assert measured.black_end_seconds == pytest.approx(1.5, abs=0.15)
    assert (measured.black_start_seconds, measured.frozen_start_seconds) == (0.0, 0.0)
    assert measured.duration_seconds == pytest.approx(11.5, abs=0.1)
    assert (measured.container, measured.video_codec, measured.audio_codec) == ("mp4", "h264", "aac")


def test_a_frozen_end_and_a_quicktime_container_are_told(clips: Path) -> None:
    graph = "testsrc2=size=160x90:rate=25:duration=3,tpad=stop_mode=clone:stop_duration=2[v]"
    clip = _render(clips / "frozen-end.mov", graph, 5, "-f", "mov")

    measured = spec.measure(clip)

    assert measured.frozen_end_seconds == pytest.approx(2.0, abs=0.3)
    assert measured.black_end_seconds == 0.0
    assert measured.container == "mov"
    report = spec.compare(VideoSpec.model_validate({"container": "mp4"}), measured)
    by_check = {item.check: item for item in report.items}
    assert (by_check["container"].status, by_check["container"].measured) == (SpecStatus.FAILED, "mov")
    assert by_check["frozen_end"].status is SpecStatus.WARNED


# --- the package's spec through the gig API -----------------------------------------------


async def test_a_package_spec_is_set_changed_and_removed_through_the_api(client: httpx.AsyncClient) -> None:
    _, maker = await signed_up(client, "creator")
    gig = await make_gig(client, maker)
    basic = gig["packages"][0]
    assert basic["video_spec"] is None
    path = f"/v1/gigs/{gig['id']}/packages/{basic['id']}"

    broadcast = {"loudness": {"target_lufs": -23}, "container": "mov", "video_codec": "prores"}
    changed = await client.put(path, json={"video_spec": broadcast}, headers=maker)
    assert changed.status_code == 200, changed.text
    assert changed.json()["video_spec"]["loudness"] == {
        "target_lufs": -23.0,
        "tolerance_lu": 1.0,
        "true_peak_max_dbtp": -1.0,
    }
    page = await client.get(f"/v1/gigs/{gig['id']}")
    assert page.json()["packages"][0]["video_spec"] == changed.json()["video_spec"]

    untouched = await client.put(path, json={"revisions": 2}, headers=maker)
    assert untouched.json()["video_spec"] == changed.json()["video_spec"]
    removed = await client.put(path, json={"video_spec": None}, headers=maker)
    assert removed.json()["video_spec"] is None
    stated = await client.put(path, json={"video_spec": {"duration": {"max_seconds": 60}}}, headers=maker)
    assert stated.json()["video_spec"]["duration"] == {"min_seconds": 0.0, "max_seconds": 60.0}
    nothing = await client.put(path, json={"video_spec": {}}, headers=maker)  # a spec of nothing is none
    assert nothing.json()["video_spec"] is None

    _, other = await signed_up(client, "creator")
    refused = await client.put(path, json={"video_spec": broadcast}, headers=other)
    assert refused.status_code in (403, 404), refused.text


@pytest.mark.parametrize(
    "bad",
    [
        {"aspect_ratio": "4:3"},
        {"min_resolution": {"width": 0, "height": 1080}},
        {"duration": {"min_seconds": 60, "max_seconds": 10}},
        {"duration": {"min_seconds": None}},
        {"frame_rate": {"fps": 0}},
        {"frame_rate": {"fps": 30, "tolerance": -1}},
        {"loudness": {"target_lufs": 5}},
        {"loudness": {"target_lufs": -14, "true_peak_max_dbtp": 40}},
        {"container": "flv"},
        {"video_codec": "h264", "colour": "red"},
        "16:9",
    ],
)
async def test_a_bad_video_spec_is_refused_with_422(client: httpx.AsyncClient, bad: Any) -> None:
    _, maker = await signed_up(client, "creator")
    body = package_body("basic", "50.00", 5, video_spec=bad)
    created = await client.post("/v1/gigs", json=await _gig_with(body), headers=maker)
    assert_error(created, 422)


async def _gig_with(package: dict[str, Any]) -> dict[str, Any]:
    from tests.factories import gig_body

    return await gig_body(packages=[package])


# --- compare(), property-based ------------------------------------------------------------

# The autouse fixtures (database clean-up) are not per example, and need not be.
FIXTURES_ARE_FINE = [HealthCheck.function_scoped_fixture]
_figures = st.floats(allow_nan=False, allow_infinity=False, width=32)


def _measured(**figures: Any) -> Measurements:
    base: dict[str, Any] = {
        "width": 1920,
        "height": 1080,
        "duration_seconds": 30.0,
        "fps": 30.0,
        "container": "mp4",
        "video_codec": "h264",
        "audio_codec": "aac",
        "loudness_lufs": -14.0,
        "true_peak_dbtp": -3.0,
    }
    return Measurements(**(base | figures))


def _status_of(report: Any, check: str) -> SpecStatus:
    [item] = [item for item in report.items if item.check == check]
    return SpecStatus(item.status)


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURES_ARE_FINE)
@given(
    target=st.floats(min_value=-70, max_value=0),
    tolerance=st.floats(min_value=0, max_value=10),
    offset=st.floats(min_value=-20, max_value=20),
)
def test_loudness_passes_within_tolerance_warns_just_outside_and_fails_beyond(
    target: float, tolerance: float, offset: float
) -> None:
    wanted = VideoSpec.model_validate(
        {"loudness": {"target_lufs": target, "tolerance_lu": tolerance, "true_peak_max_dbtp": None}}
    )
    measured = target + offset
    report = spec.compare(wanted, _measured(loudness_lufs=measured))
    deviation = abs(measured - target)
    expected = (
        SpecStatus.PASSED
        if deviation <= tolerance
        else SpecStatus.WARNED
        if deviation <= tolerance + spec.LOUDNESS_GRACE_LU
        else SpecStatus.FAILED
    )
    assert _status_of(report, "loudness") is expected
    assert report.status is spec.overall(item.status for item in report.items)


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURES_ARE_FINE)
@given(
    target=st.sampled_from([-23.0, -16.0, -14.0]),
    tolerance=st.sampled_from([0.5, 1.0, 2.0]),
    band=st.sampled_from([-1, 1]),
)
def test_loudness_boundaries_are_inclusive(target: float, tolerance: float, band: int) -> None:
    wanted = VideoSpec.model_validate({"loudness": {"target_lufs": target, "tolerance_lu": tolerance}})
    at_limit = spec.compare(wanted, _measured(loudness_lufs=target + band * tolerance))
    at_grace = spec.compare(
        wanted, _measured(loudness_lufs=target + band * (tolerance + spec.LOUDNESS_GRACE_LU))
    )
    beyond = spec.compare(
        wanted, _measured(loudness_lufs=target + band * (tolerance + spec.LOUDNESS_GRACE_LU + 0.01))
    )
    assert _status_of(at_limit, "loudness") is SpecStatus.PASSED
    assert _status_of(at_grace, "loudness") is SpecStatus.WARNED
    assert _status_of(beyond, "loudness") is SpecStatus.FAILED


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURES_ARE_FINE)
@given(
    fps=st.floats(min_value=1, max_value=240),
    tolerance=st.floats(min_value=0, max_value=10),
    measured=st.floats(min_value=1, max_value=240),
    ceiling=st.floats(min_value=-20, max_value=3),
    peak=st.floats(min_value=-40, max_value=6),
)
def test_frame_rate_and_true_peak_against_their_limits(
    fps: float, tolerance: float, measured: float, ceiling: float, peak: float
) -> None:
    wanted = VideoSpec.model_validate(
        {
            "frame_rate": {"fps": fps, "tolerance": tolerance},
            "loudness": {"target_lufs": -14, "tolerance_lu": 1, "true_peak_max_dbtp": ceiling},
        }
    )
    report = spec.compare(wanted, _measured(fps=measured, true_peak_dbtp=peak))
    rate = SpecStatus.PASSED if abs(measured - fps) <= tolerance else SpecStatus.FAILED
    assert _status_of(report, "frame_rate") is rate
    over = peak - ceiling
    expected_peak = (
        SpecStatus.PASSED
        if over <= 0
        else SpecStatus.WARNED
        if over <= spec.TRUE_PEAK_GRACE_DB
        else SpecStatus.FAILED
    )
    assert _status_of(report, "true_peak") is expected_peak


@settings(max_examples=300, deadline=None, suppress_health_check=FIXTURES_ARE_FINE)
@given(
    low=st.one_of(st.none(), st.floats(min_value=0, max_value=600)),  # None: not sent (0)
    span=st.floats(min_value=0.1, max_value=600),
    has_max=st.booleans(),
    seconds=st.floats(min_value=0.1, max_value=1500),
)
def test_duration_against_its_range(low: float | None, span: float, has_max: bool, seconds: float) -> None:
    high = (low or 0) + span if has_max or low is None else None
    limits = {"min_seconds": low, "max_seconds": high}
    wanted = VideoSpec.model_validate({"duration": {k: v for k, v in limits.items() if v is not None}})
    report = spec.compare(wanted, _measured(duration_seconds=seconds))
    outside = max((low or 0.0) - seconds, (seconds - high) if high is not None else 0.0)
    expected = (
        SpecStatus.PASSED
        if outside <= 0
        else SpecStatus.WARNED
        if outside <= spec.DURATION_GRACE_SECONDS
        else SpecStatus.FAILED
    )
    assert _status_of(report, "duration") is expected


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURES_ARE_FINE)
@given(
    ratio=st.sampled_from(sorted(ASPECT_RATIOS)),
    height=st.integers(min_value=100, max_value=4000),
    stretch=st.floats(min_value=0.9, max_value=1.1),
)
def test_aspect_ratio_passes_near_the_ratio_and_fails_far_from_it(
    ratio: str, height: int, stretch: float
) -> None:
    wide, high = ASPECT_RATIOS[ratio]
    width = max(1, round(height * wide / high * stretch))
    report = spec.compare(
        VideoSpec.model_validate({"aspect_ratio": ratio}), _measured(width=width, height=height)
    )
    deviation = abs((width / height) / (wide / high) - 1)
    status = _status_of(report, "aspect_ratio")
    if deviation <= spec.ASPECT_PASS:
        assert status is SpecStatus.PASSED
    elif deviation <= spec.ASPECT_WARN:
        assert status is SpecStatus.WARNED
    else:
        assert status is SpecStatus.FAILED


@settings(max_examples=200, deadline=None, suppress_health_check=FIXTURES_ARE_FINE)
@given(
    loudness=st.one_of(st.none(), _figures.filter(lambda v: -80 < v < 10)),
    fps=st.one_of(st.none(), st.floats(min_value=1, max_value=240)),
    black=st.floats(min_value=0, max_value=20),
    frozen=st.floats(min_value=0, max_value=20),
)
def test_without_a_spec_everything_is_info_and_with_one_the_worst_item_decides(
    loudness: float | None, fps: float | None, black: float, frozen: float
) -> None:
    measured = _measured(
        loudness_lufs=loudness, fps=fps, black_start_seconds=black, frozen_end_seconds=frozen
    )
    bare = spec.compare(None, measured)
    assert bare.status is SpecStatus.INFO
    assert {item.status for item in bare.items} == {SpecStatus.INFO}
    assert {item.check for item in bare.items} >= {"aspect_ratio", "frame_rate", "loudness", "black_start"}

    checked = spec.compare(VideoSpec.model_validate(SOCIAL), measured)
    statuses = [item.status for item in checked.items]
    assert checked.status is spec.overall(statuses)
    assert SpecStatus.INFO not in statuses  # SOCIAL speaks about every figure
    assert _status_of(checked, "black_start") is (
        SpecStatus.WARNED if black >= spec.BLACK_MIN_SECONDS else SpecStatus.PASSED
    )
    if loudness is None:
        assert _status_of(checked, "loudness") is SpecStatus.FAILED
