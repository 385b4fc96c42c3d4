"""Uploaded files attached to messages, projects and proposals: who sees them (with URLs that
serve the bytes) and who gets 404, and the uploads refused (another user's, made for something
else, not processed yet), each refusal changing nothing."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import httpx
from pydantic import TypeAdapter

from reelbyte.core.db import transaction
from reelbyte.core.redis import get_redis
from reelbyte.messaging import service as messaging
from reelbyte.messaging.hub import CHANNEL_PREFIX
from reelbyte.messaging.schemas import ClientFrame, MessageFrame
from tests.factories import (
    Headers,
    category_id,
    make_project,
    make_proposal,
    pair,
    project_body,
    send_message,
    signed_up,
    start_conversation,
)
from tests.media.uploading import download, uploaded


async def _bytes_at(client: httpx.AsyncClient, url: str) -> bytes:
    """What a file URL serves: a signed URL straight from storage, a public one via a redirect."""
    if url.startswith("http://testserver/"):
        redirect = await client.get(url)
        assert redirect.status_code == 307, redirect.text
        url = redirect.headers["location"]
    response = await download(url)
    assert response.status_code == 200, response.text
    return response.content


async def _messages(
    client: httpx.AsyncClient, headers: Headers, conversation_id: str
) -> list[dict[str, Any]]:
    response = await client.get(f"/v1/conversations/{conversation_id}/messages", headers=headers)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def _get(client: httpx.AsyncClient, path: str, headers: Headers | None = None) -> httpx.Response:
    return await client.get(path, headers=headers or {})


# --- messages -----------------------------------------------------------------------------


async def test_a_participant_sees_an_uploaded_png_and_a_stranger_sees_nothing(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, a_headers, b, b_headers = await pair(client)
    _, stranger = await signed_up(client, "creator")
    conversation = await start_conversation(client, a_headers, b["id"])
    upload = await uploaded(client, a_headers, png_file, "message_attachment", conversation["id"])

    sent = await send_message(
        client, a_headers, conversation["id"], "The still you asked for.", attachment_upload_id=upload["id"]
    )

    assert sent["attachment"]["upload_id"] == upload["id"]
    assert sent["attachment_url"] is None
    [seen] = await _messages(client, b_headers, conversation["id"])
    attachment = seen["attachment"]
    assert (attachment["kind"], attachment["filename"]) == ("image", "still.png")
    assert attachment["file"]["expires_at"] is not None  # private: signed, short-lived
    assert "thumbnail" in attachment["derived"]
    assert await _bytes_at(client, attachment["file"]["url"]) == png_file.read_bytes()
    listed = (await _get(client, "/v1/conversations", b_headers)).json()["items"]
    assert listed[0]["last_message"]["attachment"]["upload_id"] == upload["id"]
    assert (await _get(client, f"/v1/uploads/{upload['id']}", b_headers)).status_code == 200

    assert (await _get(client, f"/v1/conversations/{conversation['id']}", stranger)).status_code == 404
    messages = await _get(client, f"/v1/conversations/{conversation['id']}/messages", stranger)
    assert messages.status_code == 404
    assert (await _get(client, f"/v1/uploads/{upload['id']}", stranger)).status_code == 404
    assert (await _get(client, f"/v1/uploads/{upload['id']}")).status_code == 404


async def test_a_deleted_message_shows_no_attachment(client: httpx.AsyncClient, pdf_file: Path) -> None:
    _, a_headers, b, b_headers = await pair(client)
    conversation = await start_conversation(client, a_headers, b["id"])
    upload = await uploaded(client, a_headers, pdf_file, "message_attachment", conversation["id"])
    sent = await send_message(
        client, a_headers, conversation["id"], "brief", attachment_upload_id=upload["id"]
    )

    deleted = await client.delete(f"/v1/messages/{sent['id']}", headers=a_headers)

    assert deleted.status_code == 204
    [seen] = await _messages(client, b_headers, conversation["id"])
    assert (seen["deleted"], seen["content"], seen["attachment"]) == (True, None, None)


async def test_a_message_frame_over_the_socket_takes_an_uploaded_file_and_goes_out_with_it(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    """The chat socket parses a `message` frame into the body the HTTP route takes and calls the
    same service function (ws._apply); the live frame the other participant gets carries the file."""
    a, a_headers, b, _ = await pair(client)
    conversation = await start_conversation(client, a_headers, b["id"])
    upload = await uploaded(client, a_headers, png_file, "message_attachment", conversation["id"])
    raw = {
        "type": "message",
        "data": {
            "conversation_id": conversation["id"],
            "content": "over the socket",
            "attachment_upload_id": upload["id"],
            "client_id": "socket-1",
        },
    }
    parsed = TypeAdapter(ClientFrame).validate_python(raw)
    assert isinstance(parsed, MessageFrame)
    pubsub = get_redis().pubsub()
    await pubsub.subscribe(f"{CHANNEL_PREFIX}{b['id']}")
    try:
        await pubsub.get_message(timeout=1.0)  # the subscribe confirmation
        await transaction(
            lambda session: messaging.send_message(
                session, uuid.UUID(a["id"]), parsed.data.conversation_id, parsed.data
            )
        )
        frames = []
        for _ in range(10):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if message is not None:
                frames.append(json.loads(message["data"]))
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()
    [live] = [f["data"] for f in frames if f["type"] == "message"]
    assert live["attachment"]["upload_id"] == upload["id"]
    assert await _bytes_at(client, live["attachment"]["file"]["url"]) == png_file.read_bytes()


async def test_uploads_a_message_cannot_take_send_nothing(client: httpx.AsyncClient, png_file: Path) -> None:
    _, a_headers, b, b_headers = await pair(client)
    c, _ = await signed_up(client, "creator")
    conversation = await start_conversation(client, a_headers, b["id"])
    elsewhere = await start_conversation(client, a_headers, c["id"])
    theirs = await uploaded(client, b_headers, png_file, "message_attachment", conversation["id"])
    for_elsewhere = await uploaded(client, a_headers, png_file, "message_attachment", elsewhere["id"])
    portfolio = await uploaded(client, a_headers, png_file, "portfolio")
    mine = await uploaded(client, a_headers, png_file, "message_attachment", conversation["id"])
    # Last: uploading another file runs the jobs, which would process it.
    unprocessed = await uploaded(
        client, a_headers, png_file, "message_attachment", conversation["id"], process=False
    )
    path = f"/v1/conversations/{conversation['id']}/messages"

    refusals = [
        ({"attachment_upload_id": theirs["id"]}, 404, "upload_not_found"),
        ({"attachment_upload_id": str(uuid.uuid4())}, 404, "upload_not_found"),
        ({"attachment_upload_id": for_elsewhere["id"]}, 422, "upload_purpose_mismatch"),
        ({"attachment_upload_id": portfolio["id"]}, 422, "upload_purpose_mismatch"),
        ({"attachment_upload_id": unprocessed["id"]}, 409, "upload_not_ready"),
        (
            {"attachment_upload_id": mine["id"], "attachment_url": "https://example.com/a.png"},
            422,
            "validation_error",
        ),
    ]
    for extra, status, code in refusals:
        response = await client.post(path, json={"content": "see attached", **extra}, headers=a_headers)
        assert (response.status_code, response.json()["error"]) == (status, code), extra

    assert await _messages(client, a_headers, conversation["id"]) == []
    assert await _messages(client, b_headers, conversation["id"]) == []
    # The other participant may not attach to a message what the sender uploaded, either.
    response = await client.post(
        path, json={"content": "mine now", "attachment_upload_id": mine["id"]}, headers=b_headers
    )
    assert response.status_code == 404
    assert await _messages(client, b_headers, conversation["id"]) == []


async def test_sending_again_with_a_client_id_keeps_the_file(
    client: httpx.AsyncClient, png_file: Path
) -> None:
    _, a_headers, b, _ = await pair(client)
    conversation = await start_conversation(client, a_headers, b["id"])
    upload = await uploaded(client, a_headers, png_file, "message_attachment", conversation["id"])
    body = {"content": "once", "attachment_upload_id": upload["id"], "client_id": "retry-1"}
    path = f"/v1/conversations/{conversation['id']}/messages"

    first = await client.post(path, json=body, headers=a_headers)
    again = await client.post(path, json=body, headers=a_headers)
    other_file = await client.post(path, json={**body, "attachment_upload_id": None}, headers=a_headers)

    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["attachment"]["upload_id"] == upload["id"]
    assert other_file.status_code == 409
    assert len(await _messages(client, a_headers, conversation["id"])) == 1


# --- projects -----------------------------------------------------------------------------


async def test_a_project_owner_attaches_files_on_update_and_viewers_see_them(
    client: httpx.AsyncClient, pdf_file: Path, png_file: Path
) -> None:
    _, owner = await signed_up(client, "client")
    _, creator = await signed_up(client, "creator")
    project = await make_project(client, owner)
    brief = await uploaded(client, owner, pdf_file, "project_attachment", project["id"])
    still = await uploaded(client, owner, png_file, "project_attachment", project["id"])

    response = await client.put(
        f"/v1/projects/{project['id']}",
        json={"attachment_upload_ids": [brief["id"], still["id"], brief["id"]]},
        headers=owner,
    )

    assert response.status_code == 200, response.text
    changed = response.json()
    assert [f["upload_id"] for f in changed["attachment_files"]] == [brief["id"], still["id"]]
    assert changed["attachments"] == project["attachments"]  # the links stay as they were
    seen = (await _get(client, f"/v1/projects/{project['id']}", creator)).json()
    files = seen["attachment_files"]
    assert [(f["kind"], f["filename"]) for f in files] == [("document", "brief.pdf"), ("image", "still.png")]
    assert await _bytes_at(client, files[0]["file"]["url"]) == pdf_file.read_bytes()
    listed = (await _get(client, "/v1/projects", creator)).json()["items"]
    assert [f["upload_id"] for f in listed[0]["attachment_files"]] == [brief["id"], still["id"]]
    assert (await _get(client, f"/v1/uploads/{brief['id']}", creator)).status_code == 200
    assert (await client.get(f"/v1/uploads/{brief['id']}")).status_code == 200  # public: anyone

    cleared = await client.put(
        f"/v1/projects/{project['id']}", json={"attachment_upload_ids": []}, headers=owner
    )
    assert cleared.status_code == 200
    assert cleared.json()["attachment_files"] == []


async def test_an_invite_only_projects_files_are_hidden_from_those_not_invited(
    client: httpx.AsyncClient, pdf_file: Path
) -> None:
    _, owner = await signed_up(client, "client")
    _, stranger = await signed_up(client, "creator")
    project = await make_project(client, owner, visibility="invite_only")
    brief = await uploaded(client, owner, pdf_file, "project_attachment", project["id"])
    response = await client.put(
        f"/v1/projects/{project['id']}", json={"attachment_upload_ids": [brief["id"]]}, headers=owner
    )
    assert response.status_code == 200

    assert (await _get(client, f"/v1/projects/{project['id']}", stranger)).status_code == 404
    assert (await _get(client, f"/v1/uploads/{brief['id']}", stranger)).status_code == 404
    assert (await client.get(f"/v1/uploads/{brief['id']}")).status_code == 404
    another_owner = await client.put(
        f"/v1/projects/{project['id']}", json={"attachment_upload_ids": []}, headers=stranger
    )
    assert another_owner.status_code == 404


async def test_a_new_project_refuses_upload_ids_with_a_clear_422(client: httpx.AsyncClient) -> None:
    _, owner = await signed_up(client, "client")
    body = project_body(await category_id(), attachment_upload_ids=[str(uuid.uuid4())])

    response = await client.post("/v1/projects", json=body, headers=owner)

    assert response.status_code == 422
    assert "PUT /v1/projects/{id}" in response.text
    assert (await _get(client, "/v1/projects", owner)).json()["total"] == 0


async def test_uploads_a_project_cannot_take_leave_it_unchanged(
    client: httpx.AsyncClient, pdf_file: Path
) -> None:
    _, owner = await signed_up(client, "client")
    _, other_owner = await signed_up(client, "client")
    _, creator = await signed_up(client, "creator")
    project = await make_project(client, owner)
    other_project = await make_project(client, other_owner)
    second_project = await make_project(client, owner)
    kept = await uploaded(client, owner, pdf_file, "project_attachment", project["id"])
    path = f"/v1/projects/{project['id']}"
    assert (
        await client.put(path, json={"attachment_upload_ids": [kept["id"]]}, headers=owner)
    ).status_code == 200
    before = (await _get(client, path, owner)).json()
    theirs = await uploaded(client, other_owner, pdf_file, "project_attachment", other_project["id"])
    for_other_project = await uploaded(client, owner, pdf_file, "project_attachment", second_project["id"])
    as_proposal = await uploaded(client, creator, pdf_file, "proposal_attachment", project["id"])
    unprocessed = await uploaded(client, owner, pdf_file, "project_attachment", project["id"], process=False)

    refusals = [
        (owner, [theirs["id"]], 404, "upload_not_found"),
        (owner, [as_proposal["id"]], 404, "upload_not_found"),  # the creator's, not the owner's
        (owner, [kept["id"], for_other_project["id"]], 422, "upload_purpose_mismatch"),
        (owner, [unprocessed["id"]], 409, "upload_not_ready"),
        (other_owner, [theirs["id"]], 403, "not_owner"),
    ]
    for who, ids, status, code in refusals:
        body = {"title": "A changed title", "attachment_upload_ids": ids}
        response = await client.put(path, json=body, headers=who)
        assert (response.status_code, response.json()["error"]) == (status, code), ids

    after = (await _get(client, path, owner)).json()
    assert after["title"] == before["title"]
    assert [f["upload_id"] for f in after["attachment_files"]] == [kept["id"]]
    assert after["updated_at"] == before["updated_at"]


# --- proposals ----------------------------------------------------------------------------


async def test_a_proposals_pdf_is_seen_by_the_project_owner_not_by_another_creator(
    client: httpx.AsyncClient, pdf_file: Path
) -> None:
    _, owner = await signed_up(client, "client")
    _, author = await signed_up(client, "creator")
    _, rival = await signed_up(client, "creator")
    project = await make_project(client, owner)
    reel = await uploaded(client, author, pdf_file, "proposal_attachment", project["id"])

    proposal = await make_proposal(client, author, project["id"], attachment_upload_ids=[reel["id"]])

    assert [f["upload_id"] for f in proposal["attachment_files"]] == [reel["id"]]
    seen = (await _get(client, f"/v1/proposals/{proposal['id']}", owner)).json()
    [file] = seen["attachment_files"]
    assert (file["kind"], file["filename"], file["file"]["expires_at"] is not None) == (
        "document",
        "brief.pdf",
        True,
    )
    assert await _bytes_at(client, file["file"]["url"]) == pdf_file.read_bytes()
    listed = (await _get(client, f"/v1/projects/{project['id']}/proposals", owner)).json()["items"]
    assert [f["upload_id"] for f in listed[0]["attachment_files"]] == [reel["id"]]
    assert (await _get(client, f"/v1/uploads/{reel['id']}", owner)).status_code == 200

    assert (await _get(client, f"/v1/proposals/{proposal['id']}", rival)).status_code == 404
    assert (await _get(client, f"/v1/uploads/{reel['id']}", rival)).status_code == 404
    rivals_list = (await _get(client, f"/v1/projects/{project['id']}/proposals", rival)).json()
    assert rivals_list["items"] == []


async def test_the_author_changes_a_proposals_files(
    client: httpx.AsyncClient, pdf_file: Path, png_file: Path
) -> None:
    _, owner = await signed_up(client, "client")
    _, author = await signed_up(client, "creator")
    project = await make_project(client, owner)
    proposal = await make_proposal(client, author, project["id"])
    assert proposal["attachment_files"] == []
    still = await uploaded(client, author, png_file, "proposal_attachment", project["id"])

    response = await client.put(
        f"/v1/proposals/{proposal['id']}", json={"attachment_upload_ids": [still["id"]]}, headers=author
    )
    by_owner = await client.put(
        f"/v1/proposals/{proposal['id']}", json={"attachment_upload_ids": []}, headers=owner
    )

    assert response.status_code == 200, response.text
    assert [f["upload_id"] for f in response.json()["attachment_files"]] == [still["id"]]
    assert by_owner.status_code == 403
    seen = (await _get(client, f"/v1/proposals/{proposal['id']}", owner)).json()
    assert [f["upload_id"] for f in seen["attachment_files"]] == [still["id"]]


async def test_uploads_a_proposal_cannot_take_send_no_proposal(
    client: httpx.AsyncClient, pdf_file: Path
) -> None:
    _, owner = await signed_up(client, "client")
    _, author = await signed_up(client, "creator")
    _, rival = await signed_up(client, "creator")
    project = await make_project(client, owner)
    other_project = await make_project(client, owner)
    rivals = await uploaded(client, rival, pdf_file, "proposal_attachment", project["id"])
    for_other_project = await uploaded(client, author, pdf_file, "proposal_attachment", other_project["id"])
    owners = await uploaded(client, owner, pdf_file, "project_attachment", project["id"])
    unprocessed = await uploaded(
        client, author, pdf_file, "proposal_attachment", project["id"], process=False
    )

    refusals = [
        ([rivals["id"]], 404, "upload_not_found"),
        ([owners["id"]], 404, "upload_not_found"),
        ([for_other_project["id"]], 422, "upload_purpose_mismatch"),
        ([unprocessed["id"]], 409, "upload_not_ready"),
    ]
    for ids, status, code in refusals:
        body = {
            "project_id": project["id"],
            "cover_letter": "I cut travel vlogs.",
            "price": {"currency": "EUR", "value": "300.00"},
            "delivery_days": 7,
            "attachment_upload_ids": ids,
        }
        response = await client.post("/v1/proposals", json=body, headers=author)
        assert (response.status_code, response.json()["error"]) == (status, code), ids

    listed = (await _get(client, f"/v1/projects/{project['id']}/proposals", owner)).json()
    assert listed["total"] == 0
    assert (await _get(client, f"/v1/projects/{project['id']}", owner)).json()["proposals_count"] == 0

    # On a proposal that exists, the same refusals leave it as it was.
    proposal = await make_proposal(client, author, project["id"])
    for ids, status, code in refusals:
        response = await client.put(
            f"/v1/proposals/{proposal['id']}",
            json={"cover_letter": "Changed.", "attachment_upload_ids": ids},
            headers=author,
        )
        assert (response.status_code, response.json()["error"]) == (status, code), ids
    after = (await _get(client, f"/v1/proposals/{proposal['id']}", author)).json()
    assert (after["cover_letter"], after["attachment_files"]) == (proposal["cover_letter"], [])


async def test_upload_ids_cannot_be_null_on_update(client: httpx.AsyncClient) -> None:
    _, owner = await signed_up(client, "client")
    _, author = await signed_up(client, "creator")
    project = await make_project(client, owner)
    proposal = await make_proposal(client, author, project["id"])

    on_project = await client.put(
        f"/v1/projects/{project['id']}", json={"attachment_upload_ids": None}, headers=owner
    )
    on_proposal = await client.put(
        f"/v1/proposals/{proposal['id']}", json={"attachment_upload_ids": None}, headers=author
    )

    assert on_project.status_code == on_proposal.status_code == 422
