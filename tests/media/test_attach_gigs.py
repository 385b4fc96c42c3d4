"""Uploaded files on gigs: images and videos in the gallery (beside its links), a video as the
gig's video preview; and every upload that may not be used so refused, with nothing changed."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from reelbyte.catalog.models import Gig
from reelbyte.catalog.schemas import GigOut
from reelbyte.media.processing import probe_video
from tests.factories import Headers, count_rows, get_row, gig_body, make_admin, make_gig, signed_up
from tests.media.uploading import download, uploaded

LINK = "https://images.example.com/still.jpg"


def _path(gig: dict[str, Any]) -> str:
    return f"/v1/gigs/{gig['id']}"


async def _gig(
    client: httpx.AsyncClient, gig: dict[str, Any], headers: Headers | None = None
) -> dict[str, Any]:
    response = await client.get(_path(gig), headers=headers or {})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _served(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """A public file's URL: the API redirects (307) to the storage server, which serves it."""
    redirect = await client.get(url)
    assert redirect.status_code == 307, redirect.text
    served = await download(redirect.headers["location"])
    assert served.status_code == 200, served.text
    return served


async def _for_gig(
    client: httpx.AsyncClient, headers: Headers, path: Path, gig: dict[str, Any], **options: Any
) -> dict[str, Any]:
    return await uploaded(client, headers, path, "gig_gallery", gig["id"], **options)


# --- the gallery --------------------------------------------------------------------------


async def test_an_uploaded_image_and_video_join_the_gallery_after_its_links(
    client: httpx.AsyncClient, png_file: Path, video_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    gig = await make_gig(client, headers, gallery_urls=[LINK])
    image = await _for_gig(client, headers, png_file, gig)
    video = await _for_gig(client, headers, video_file, gig)

    response = await client.put(
        _path(gig), json={"gallery_upload_ids": [image["id"], video["id"]]}, headers=headers
    )

    assert response.status_code == 200, response.text
    page = response.json()
    image_url, video_url = image["original"]["url"], video["derived"]["preview"]["url"]
    assert page["gallery_urls"] == [LINK, image_url, video_url]
    assert page["gallery_uploads"] == [
        {
            "upload_id": image["id"],
            "kind": "image",
            "url": image_url,
            "poster_url": image_url,
            "thumbnail_url": image["derived"]["thumbnail"]["url"],
            "stream_url": None,
        },
        {
            "upload_id": video["id"],
            "kind": "video",
            "url": video_url,
            "poster_url": video["derived"]["poster"]["url"],
            "thumbnail_url": video["derived"]["thumbnail"]["url"],
            "stream_url": video["derived"]["hls"]["url"],
        },
    ]
    public = await client.get(_path(gig))  # anybody's (cached) page says the same
    assert public.json() == page
    assert json.loads(GigOut.model_validate_json(public.text).model_dump_json()) == page
    still = await _served(client, image_url)
    assert Image.open(io.BytesIO(still.content)).size == (800, 600)
    clip = await _served(client, video_url)
    assert clip.headers["content-type"] == "video/mp4"
    poster = Image.open(io.BytesIO((await _served(client, page["gallery_uploads"][1]["poster_url"])).content))
    assert poster.size == (1280, 720)


async def test_each_part_of_the_gallery_sent_replaces_only_itself(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    gig = await make_gig(client, headers, gallery_urls=[LINK])
    first = await _for_gig(client, headers, png_file, gig)
    second = await _for_gig(client, headers, png_file, gig)
    first_url, second_url = first["original"]["url"], second["original"]["url"]
    await client.put(_path(gig), json={"gallery_upload_ids": [first["id"]]}, headers=headers)

    links = await client.put(
        _path(gig), json={"gallery_urls": ["https://images.example.com/new.jpg"]}, headers=headers
    )
    assert links.json()["gallery_urls"] == ["https://images.example.com/new.jpg", first_url]

    files = await client.put(
        _path(gig), json={"gallery_upload_ids": [second["id"], first["id"], second["id"]]}, headers=headers
    )
    assert files.json()["gallery_urls"] == ["https://images.example.com/new.jpg", second_url, first_url]
    assert [entry["upload_id"] for entry in files.json()["gallery_uploads"]] == [second["id"], first["id"]]

    emptied = await client.put(_path(gig), json={"gallery_upload_ids": []}, headers=headers)
    assert (emptied.json()["gallery_urls"], emptied.json()["gallery_uploads"]) == (
        ["https://images.example.com/new.jpg"],
        [],
    )


async def test_links_and_uploaded_files_count_together_toward_ten(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    links = [f"https://images.example.com/{n}.jpg" for n in range(9)]
    gig = await make_gig(client, headers, gallery_urls=links)
    files = [await _for_gig(client, headers, png_file, gig) for _ in range(2)]
    before = await _gig(client, gig, headers)

    response = await client.put(
        _path(gig),
        json={"gallery_upload_ids": [f["id"] for f in files], "title": "Changed title"},
        headers=headers,
    )

    assert response.status_code == 422, response.text
    assert response.json()["error"] == "gallery_full"
    assert await _gig(client, gig, headers) == before
    one_more = await client.put(_path(gig), json={"gallery_upload_ids": [files[0]["id"]]}, headers=headers)
    assert one_more.status_code == 200, one_more.text
    assert len(one_more.json()["gallery_urls"]) == 10


async def test_upload_ids_are_refused_when_creating_a_gig(client: httpx.AsyncClient) -> None:
    """A file for a gig is uploaded for the gig (its id the upload's target), so a gig being
    created can have none yet: they are added by updating it."""
    _, headers = await signed_up(client, "creator")
    sent = [("gallery_upload_ids", [str(uuid.uuid4())]), ("video_preview_upload_id", str(uuid.uuid4()))]
    for field, value in sent:
        response = await client.post("/v1/gigs", json={**await gig_body(), field: value}, headers=headers)

        assert response.status_code == 422, response.text
        assert response.json()["error"] == "validation_error"
        assert f"{field} can be sent only to update a gig" in response.text
    assert await count_rows(Gig) == 0


# --- the video preview --------------------------------------------------------------------


async def test_an_uploaded_video_becomes_the_video_preview(
    client: httpx.AsyncClient, video_file: Path, tmp_path: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    gig = await make_gig(client, headers, thumbnail_url=None, video_preview_url="https://vimeo.com/76979871")
    video = await _for_gig(client, headers, video_file, gig)

    response = await client.put(_path(gig), json={"video_preview_upload_id": video["id"]}, headers=headers)

    assert response.status_code == 200, response.text
    page = response.json()
    derived = video["derived"]
    assert page["video_preview_upload_id"] == video["id"]
    assert page["video_preview_url"] == derived["preview"]["url"]
    assert page["thumbnail_url"] == derived["thumbnail"]["url"]  # the gig had none
    assert page["gallery_urls"] == gig["gallery_urls"]  # the preview is not in the gallery
    card = next(item for item in (await client.get("/v1/gigs")).json()["items"] if item["id"] == gig["id"])
    assert (card["video_preview_url"], card["thumbnail_url"]) == (
        page["video_preview_url"],
        page["thumbnail_url"],
    )
    saved = tmp_path / "preview.mp4"
    saved.write_bytes((await _served(client, page["video_preview_url"])).content)
    probe = probe_video(saved)
    assert probe.video_codec == "h264"
    assert probe.audio_codec is None  # muted
    assert probe.duration_seconds is not None
    assert 0 < probe.duration_seconds <= 10.5


async def test_the_gigs_own_thumbnail_is_kept_and_a_link_or_null_replaces_the_upload(
    client: httpx.AsyncClient, video_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    gig = await make_gig(client, headers, thumbnail_url="https://images.example.com/thumb.jpg")
    video = await _for_gig(client, headers, video_file, gig)

    uploaded_preview = await client.put(
        _path(gig), json={"video_preview_upload_id": video["id"]}, headers=headers
    )
    assert uploaded_preview.json()["thumbnail_url"] == "https://images.example.com/thumb.jpg"

    linked = await client.put(
        _path(gig), json={"video_preview_url": "https://vimeo.com/1234567"}, headers=headers
    )
    assert (linked.json()["video_preview_url"], linked.json()["video_preview_upload_id"]) == (
        "https://vimeo.com/1234567",
        None,
    )

    await client.put(_path(gig), json={"video_preview_upload_id": video["id"]}, headers=headers)
    cleared = await client.put(_path(gig), json={"video_preview_upload_id": None}, headers=headers)
    assert (cleared.json()["video_preview_url"], cleared.json()["video_preview_upload_id"]) == (None, None)

    both = await client.put(
        _path(gig),
        json={"video_preview_upload_id": video["id"], "video_preview_url": "https://vimeo.com/1234567"},
        headers=headers,
    )
    assert both.status_code == 422, both.text
    assert "not both" in both.text


async def test_deleting_the_preview_upload_unlinks_it_from_the_gig_page(
    client: httpx.AsyncClient, video_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    gig = await make_gig(client, headers)
    video = await _for_gig(client, headers, video_file, gig)
    await client.put(
        _path(gig),
        json={"video_preview_upload_id": video["id"], "gallery_upload_ids": [video["id"]]},
        headers=headers,
    )
    assert (await _gig(client, gig))["video_preview_upload_id"] == video["id"]  # cached now

    assert (await client.delete(f"/v1/uploads/{video['id']}", headers=headers)).status_code == 204

    row = await get_row(Gig, gig["id"])
    assert row is not None
    assert row.video_preview_upload_id is None
    page = await _gig(client, gig)  # the cached page moved on, with no link to the deleted files
    assert (page["video_preview_upload_id"], page["video_preview_url"]) == (None, None)
    assert page["gallery_uploads"] == []
    assert [url for url in page["gallery_urls"] if "/gallery/" in url] == []  # the links stay
    assert page["thumbnail_url"] is None or "/gallery/" not in page["thumbnail_url"]


# --- refusals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "case", "status", "code"),
    [
        ("gallery", "another_users", 404, "upload_not_found"),
        ("gallery", "missing", 404, "upload_not_found"),
        ("gallery", "another_gigs", 422, "upload_purpose_mismatch"),
        ("gallery", "other_purpose", 422, "upload_purpose_mismatch"),
        ("gallery", "unprocessed", 409, "upload_not_ready"),
        ("preview", "another_users", 404, "upload_not_found"),
        ("preview", "another_gigs", 422, "upload_purpose_mismatch"),
        ("preview", "other_purpose", 422, "upload_purpose_mismatch"),
        ("preview", "an_image", 422, "upload_kind_mismatch"),
        ("preview", "unprocessed", 409, "upload_not_ready"),
    ],
)
async def test_an_upload_that_may_not_be_used_is_refused_and_changes_nothing(
    client: httpx.AsyncClient,
    png_file: Path,
    video_file: Path,
    field: str,
    case: str,
    status: int,
    code: str,
) -> None:
    _, headers = await signed_up(client, "creator")
    _, stranger = await signed_up(client, "creator")
    gig = await make_gig(client, headers, gallery_urls=[LINK])
    file = video_file if field == "preview" else png_file
    good = await _for_gig(client, headers, png_file, gig)  # a usable one beside the bad one
    await client.put(_path(gig), json={"gallery_upload_ids": [good["id"]]}, headers=headers)
    if case == "another_users":
        bad = (await _for_gig(client, stranger, file, await make_gig(client, stranger)))["id"]
    elif case == "missing":
        bad = str(uuid.uuid4())
    elif case == "another_gigs":
        bad = (await _for_gig(client, headers, file, await make_gig(client, headers)))["id"]
    elif case == "other_purpose":
        bad = (await uploaded(client, headers, file, "portfolio"))["id"]
    elif case == "an_image":
        bad = (await _for_gig(client, headers, png_file, gig))["id"]
    else:
        bad = (await _for_gig(client, headers, file, gig, process=False))["id"]
    before = await _gig(client, gig, headers)
    body: dict[str, Any] = (
        {"gallery_upload_ids": [good["id"], bad], "gallery_urls": []}
        if field == "gallery"
        else {"video_preview_upload_id": bad, "thumbnail_url": None}
    )

    response = await client.put(_path(gig), json={**body, "title": "Changed title"}, headers=headers)

    assert response.status_code == status, response.text
    assert response.json()["error"] == code
    assert await _gig(client, gig, headers) == before


async def test_another_creator_or_an_admin_cannot_attach_files_to_the_gig(
    client: httpx.AsyncClient, png_file: Path, video_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    _, stranger = await signed_up(client, "creator")
    admin = await make_admin(client)
    gig = await make_gig(client, headers)
    image = await _for_gig(client, headers, png_file, gig)
    video = await _for_gig(client, headers, video_file, gig)
    before = await _gig(client, gig, headers)

    for who in (stranger, admin):
        for body in ({"gallery_upload_ids": [image["id"]]}, {"video_preview_upload_id": video["id"]}):
            response = await client.put(_path(gig), json=body, headers=who)
            assert response.status_code == 403, response.text
            assert response.json()["error"] == "not_owner"
    # nor upload a file for it in the first place
    refused = await client.post(
        "/v1/uploads/image",
        json={
            "filename": "still.png",
            "size": png_file.stat().st_size,
            "content_type": "image/png",
            "purpose": "gig_gallery",
            "target_id": gig["id"],
        },
        headers=stranger,
    )
    assert refused.status_code == 404, refused.text
    assert await _gig(client, gig, headers) == before
