"""The deliveries on the order's detail: each with its message, revision number and the files
handed over with it, oldest first, read in as many queries however many there are, and for
the order's readers only."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from reelbyte.core.db import get_database
from tests.factories import Headers, make_admin, make_paid_order, seller_and_buyer, signed_up
from tests.media import clips
from tests.media.uploading import uploaded


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return clips.make_pdf(tmp_path_factory.mktemp("media") / "script.pdf", pages=1)


async def _detail(client: httpx.AsyncClient, headers: Headers, order_id: str) -> dict[str, Any]:
    response = await client.get(f"/v1/orders/{order_id}", headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


async def _deliver(
    client: httpx.AsyncClient, creator: Headers, order_id: str, message: str, *links: str
) -> dict[str, Any]:
    body = {"message": message, "deliverables": [{"url": url, "title": f"cut {url[-1]}"} for url in links]}
    response = await client.post(f"/v1/orders/{order_id}/deliver", json=body, headers=creator)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _titles(delivery: dict[str, Any]) -> list[str]:
    return [item["title"] for item in delivery["deliverables"]]


@contextmanager
def _counted_reads() -> Iterator[list[str]]:
    """The statements a reading unit of work (a GET) sends while the block runs."""
    statements: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    engine = get_database().read_engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_delivered_orders_detail_lists_the_delivery_with_its_files(
    client: httpx.AsyncClient, pdf_file: Path
) -> None:
    creator, buyer, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, buyer, gig, package)
    assert (await _detail(client, buyer, order["id"]))["deliveries"] == []
    draft = await client.post(
        f"/v1/orders/{order['id']}/deliverables",
        json={"url": "https://vimeo.com/1", "title": "Rough cut"},
        headers=creator,
    )
    assert draft.status_code == 201, draft.text
    pdf = await uploaded(client, creator, pdf_file, "deliverable", order["id"])
    body = {
        "message": "Here is the final cut.",
        "deliverables": [
            {"upload_id": pdf["id"], "title": "Script"},
            {"url": "https://vimeo.com/2", "title": "Final cut"},
        ],
    }
    response = await client.post(f"/v1/orders/{order['id']}/deliver", json=body, headers=creator)
    assert response.status_code == 200, response.text
    delivery = response.json()
    # The file added while working goes with the delivery, before the ones sent with it.
    assert (delivery["message"], delivery["revision_number"]) == ("Here is the final cut.", 0)
    assert _titles(delivery) == ["Rough cut", "Script", "Final cut"]
    assert {item["delivery_id"] for item in delivery["deliverables"]} == {delivery["id"]}

    for headers in (buyer, creator, await make_admin(client)):
        [shown] = (await _detail(client, headers, order["id"]))["deliveries"]
        assert (shown["id"], shown["order_id"], shown["message"]) == (
            delivery["id"],
            order["id"],
            "Here is the final cut.",
        )
        assert shown["created_at"] == delivery["created_at"]
        assert _titles(shown) == ["Rough cut", "Script", "Final cut"]
        link, script, final = shown["deliverables"]
        assert (link["url"], link["file"]) == ("https://vimeo.com/1", None)
        assert (script["url"], script["file"]["upload_id"]) == (None, pdf["id"])
        assert script["file"]["file"]["expires_at"] is not None  # a signed, short-lived URL
        assert final["url"] == "https://vimeo.com/2"


async def test_a_second_delivery_after_a_revision_comes_second(client: httpx.AsyncClient) -> None:
    creator, buyer, gig, package = await seller_and_buyer(client, revisions=2)
    order = await make_paid_order(client, buyer, gig, package)
    url = f"/v1/orders/{order['id']}"
    first = await _deliver(client, creator, order["id"], "v1", "https://vimeo.com/1")

    with _counted_reads() as one_delivery:
        await _detail(client, buyer, order["id"])
    revised = await client.post(f"{url}/request-revision", json={"reason": "Shorter"}, headers=buyer)
    assert revised.status_code == 200, revised.text
    assert [d["id"] for d in revised.json()["deliveries"]] == [first["id"]]
    second = await _deliver(client, creator, order["id"], "v2", "https://vimeo.com/2", "https://vimeo.com/3")

    with _counted_reads() as two_deliveries:
        detail = await _detail(client, buyer, order["id"])
    assert [(d["id"], d["message"], d["revision_number"]) for d in detail["deliveries"]] == [
        (first["id"], "v1", 0),
        (second["id"], "v2", 1),
    ]
    assert [_titles(d) for d in detail["deliveries"]] == [["cut 1"], ["cut 2", "cut 3"]]
    assert len(two_deliveries) == len(one_delivery)  # no query per delivery

    approved = await client.post(f"{url}/approve", headers=buyer)
    assert approved.status_code == 200, approved.text
    assert [d["id"] for d in approved.json()["deliveries"]] == [first["id"], second["id"]]


async def test_another_users_token_gets_no_deliveries(client: httpx.AsyncClient) -> None:
    creator, buyer, gig, package = await seller_and_buyer(client)
    _, stranger = await signed_up(client, "hybrid")
    order = await make_paid_order(client, buyer, gig, package)
    await _deliver(client, creator, order["id"], "done", "https://vimeo.com/1")

    response = await client.get(f"/v1/orders/{order['id']}", headers=stranger)
    assert (response.status_code, response.json()["error"]) == (404, "order_not_found")
    assert "deliveries" not in response.json()
    assert (await client.get(f"/v1/orders/{order['id']}")).status_code == 401
