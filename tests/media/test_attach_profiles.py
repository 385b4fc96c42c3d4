"""Uploaded files on profiles: an avatar made from an uploaded image, portfolio items made from
uploaded videos; and every upload that may not be used so refused, with nothing changed."""

from __future__ import annotations

import io
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from PIL import Image

from reelbyte.identity.models import PortfolioItem, User
from tests.factories import Headers, get_row, signed_up
from tests.media.uploading import download, uploaded

ME = "/v1/users/me"
MY_PORTFOLIO = "/v1/users/me/portfolio"


async def _served(client: httpx.AsyncClient, url: str) -> httpx.Response:
    """A public file's URL: the API redirects (307) to the storage server, which serves it."""
    redirect = await client.get(url)
    assert redirect.status_code == 307, redirect.text
    served = await download(redirect.headers["location"])
    assert served.status_code == 200, served.text
    return served


async def _me(client: httpx.AsyncClient, headers: Headers) -> dict[str, Any]:
    return dict((await client.get(ME, headers=headers)).json())


async def _portfolio(client: httpx.AsyncClient, user_id: str) -> list[dict[str, Any]]:
    return list((await client.get(f"/v1/users/{user_id}/portfolio")).json())


# --- avatars ------------------------------------------------------------------------------


async def test_an_uploaded_image_becomes_the_avatar(client: httpx.AsyncClient, png_file: Path) -> None:
    user, headers = await signed_up(client, "creator")
    upload = await uploaded(client, headers, png_file, "avatar")

    response = await client.put(ME, json={"avatar_upload_id": upload["id"]}, headers=headers)

    assert response.status_code == 200, response.text
    me = response.json()
    assert me["avatar_upload_id"] == upload["id"]
    assert me["avatar_url"] == upload["derived"]["avatar"]["url"]
    public = (await client.get(f"/v1/users/{user['id']}")).json()
    assert (public["avatar_url"], public["avatar_upload_id"]) == (me["avatar_url"], upload["id"])
    served = await _served(client, me["avatar_url"])
    assert served.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(served.content))
    assert (image.format, image.size) == ("JPEG", (200, 200))


async def test_a_link_replaces_an_uploaded_avatar_and_null_clears_it(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    upload = await uploaded(client, headers, png_file, "avatar")
    await client.put(ME, json={"avatar_upload_id": upload["id"]}, headers=headers)

    linked = await client.put(ME, json={"avatar_url": "https://images.example.com/me.jpg"}, headers=headers)
    assert linked.status_code == 200, linked.text
    assert (linked.json()["avatar_url"], linked.json()["avatar_upload_id"]) == (
        "https://images.example.com/me.jpg",
        None,
    )

    await client.put(ME, json={"avatar_upload_id": upload["id"]}, headers=headers)
    cleared = await client.put(ME, json={"avatar_upload_id": None}, headers=headers)
    assert (cleared.json()["avatar_url"], cleared.json()["avatar_upload_id"]) == (None, None)


async def test_deleting_the_avatars_upload_unlinks_it(client: httpx.AsyncClient, png_file: Path) -> None:
    _, headers = await signed_up(client, "creator")
    upload = await uploaded(client, headers, png_file, "avatar")
    me = (await client.put(ME, json={"avatar_upload_id": upload["id"]}, headers=headers)).json()

    assert (await client.delete(f"/v1/uploads/{upload['id']}", headers=headers)).status_code == 204

    row = await get_row(User, me["id"])
    assert row is not None
    assert (row.avatar_upload_id, row.avatar_url) == (None, None)  # no link to a deleted file


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("another_users", 404, "upload_not_found"),
        ("missing", 404, "upload_not_found"),
        ("other_purpose", 422, "upload_purpose_mismatch"),
        ("unprocessed", 409, "upload_not_ready"),
        ("with_a_link", 422, "validation_error"),
    ],
)
async def test_an_avatar_upload_that_may_not_be_used_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, png_file: Path, case: str, status: int, code: str
) -> None:
    _, headers = await signed_up(client, "creator")
    _, stranger = await signed_up(client, "creator")
    await client.put(ME, json={"avatar_url": "https://images.example.com/before.jpg"}, headers=headers)
    before = await _me(client, headers)
    body: dict[str, Any]
    if case == "another_users":
        body = {"avatar_upload_id": (await uploaded(client, stranger, png_file, "avatar"))["id"]}
    elif case == "missing":
        body = {"avatar_upload_id": str(uuid.uuid4())}
    elif case == "other_purpose":
        body = {"avatar_upload_id": (await uploaded(client, headers, png_file, "portfolio"))["id"]}
    elif case == "unprocessed":
        body = {
            "avatar_upload_id": (await uploaded(client, headers, png_file, "avatar", process=False))["id"]
        }
    else:
        upload = await uploaded(client, headers, png_file, "avatar")
        body = {"avatar_upload_id": upload["id"], "avatar_url": "https://images.example.com/a.jpg"}

    response = await client.put(ME, json={**body, "bio": "changed"}, headers=headers)

    assert response.status_code == status, response.text
    assert response.json()["error"] == code
    if case == "with_a_link":
        assert "not both" in response.text
    assert await _me(client, headers) == before


# --- portfolio items ----------------------------------------------------------------------


async def test_an_uploaded_video_becomes_a_portfolio_item(
    client: httpx.AsyncClient, video_file: Path
) -> None:
    user, headers = await signed_up(client, "creator")
    upload = await uploaded(client, headers, video_file, "portfolio")

    response = await client.post(
        MY_PORTFOLIO, json={"title": "Reel", "upload_id": upload["id"]}, headers=headers
    )

    assert response.status_code == 201, response.text
    item = response.json()
    derived = upload["derived"]
    assert item["upload_id"] == upload["id"]
    assert item["video_url"] == upload["original"]["url"]
    assert item["thumbnail_url"] == derived["thumbnail"]["url"]
    assert item["poster_url"] == derived["poster"]["url"]
    assert item["preview_url"] == derived["preview"]["url"]
    assert item["duration_seconds"] == pytest.approx(5.0, abs=0.1)
    assert await _portfolio(client, user["id"]) == [item]
    preview = await _served(client, item["preview_url"])
    assert preview.headers["content-type"] == "video/mp4"
    poster = Image.open(io.BytesIO((await _served(client, item["poster_url"])).content))
    assert poster.size == (1280, 720)
    assert item["stream_url"] == derived["hls"]["url"]
    master = await client.get(urlsplit(item["stream_url"]).path)  # anyone may stream a portfolio
    assert master.status_code == 200, master.text
    assert master.text.startswith("#EXTM3U")
    assert "RESOLUTION=1280x720" in master.text


async def test_a_thumbnail_sent_is_kept_and_link_items_have_no_upload_fields(
    client: httpx.AsyncClient, video_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    upload = await uploaded(client, headers, video_file, "portfolio")
    thumbnail = "https://images.example.com/mine.jpg"

    uploaded_item = await client.post(
        MY_PORTFOLIO,
        json={"title": "Reel", "upload_id": upload["id"], "thumbnail_url": thumbnail},
        headers=headers,
    )
    linked_item = await client.post(
        MY_PORTFOLIO, json={"title": "Link", "video_url": "https://vimeo.com/123456789"}, headers=headers
    )

    assert uploaded_item.status_code == 201, uploaded_item.text
    assert uploaded_item.json()["thumbnail_url"] == thumbnail
    assert uploaded_item.json()["poster_url"] == upload["derived"]["poster"]["url"]
    assert linked_item.status_code == 201, linked_item.text
    link = linked_item.json()
    assert link["video_url"] == "https://vimeo.com/123456789"
    assert [link[name] for name in ("upload_id", "poster_url", "preview_url", "duration_seconds")] == [
        None
    ] * 4


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("another_users", 404, "upload_not_found"),
        ("other_purpose", 422, "upload_purpose_mismatch"),
        ("an_image", 422, "upload_kind_mismatch"),
        ("unprocessed", 409, "upload_not_ready"),
        ("with_a_link", 422, "validation_error"),
        ("neither", 422, "validation_error"),
        ("null_link", 422, "validation_error"),
    ],
)
async def test_a_portfolio_upload_that_may_not_be_used_is_refused_and_changes_nothing(
    client: httpx.AsyncClient, video_file: Path, png_file: Path, case: str, status: int, code: str
) -> None:
    user, headers = await signed_up(client, "creator")
    _, stranger = await signed_up(client, "creator")
    existing = await client.post(
        MY_PORTFOLIO, json={"title": "Before", "video_url": "https://vimeo.com/1"}, headers=headers
    )
    assert existing.status_code == 201
    before = await _portfolio(client, user["id"])
    body: dict[str, Any]
    if case == "another_users":
        body = {"upload_id": (await uploaded(client, stranger, video_file, "portfolio"))["id"]}
    elif case == "other_purpose":
        body = {"upload_id": (await uploaded(client, headers, png_file, "avatar"))["id"]}
    elif case == "an_image":
        body = {"upload_id": (await uploaded(client, headers, png_file, "portfolio"))["id"]}
    elif case == "unprocessed":
        body = {"upload_id": (await uploaded(client, headers, video_file, "portfolio", process=False))["id"]}
    elif case == "with_a_link":
        upload = await uploaded(client, headers, video_file, "portfolio")
        body = {"upload_id": upload["id"], "video_url": "https://vimeo.com/2"}
    elif case == "neither":
        body = {}
    else:
        upload = await uploaded(client, headers, video_file, "portfolio")
        body = {"upload_id": upload["id"], "video_url": None}

    response = await client.post(MY_PORTFOLIO, json={"title": "After", **body}, headers=headers)

    assert response.status_code == status, response.text
    assert response.json()["error"] == code
    if code == "validation_error":
        assert "exactly one" in response.text
    assert await _portfolio(client, user["id"]) == before


async def test_another_users_token_cannot_delete_an_uploaded_item(
    client: httpx.AsyncClient, video_file: Path
) -> None:
    owner, headers = await signed_up(client, "creator")
    _, intruder = await signed_up(client, "creator")
    upload = await uploaded(client, headers, video_file, "portfolio")
    item = (
        await client.post(MY_PORTFOLIO, json={"title": "Reel", "upload_id": upload["id"]}, headers=headers)
    ).json()

    response = await client.delete(f"{MY_PORTFOLIO}/{item['id']}", headers=intruder)

    assert response.status_code == 404
    assert await _portfolio(client, owner["id"]) == [item]


async def test_deleting_a_portfolio_videos_upload_removes_the_item(
    client: httpx.AsyncClient, video_file: Path
) -> None:
    _, headers = await signed_up(client, "creator")
    upload = await uploaded(client, headers, video_file, "portfolio")
    created = await client.post(
        MY_PORTFOLIO, json={"title": "Reel", "upload_id": upload["id"]}, headers=headers
    )
    assert created.status_code == 201, created.text

    assert (await client.delete(f"/v1/uploads/{upload['id']}", headers=headers)).status_code == 204

    assert await get_row(PortfolioItem, created.json()["id"]) is None
