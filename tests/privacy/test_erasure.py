"""Erasing an account (GDPR art. 17): personal data anonymised, while orders, reviews' ratings,
payments and the ledger stay for the legal record; refused, changing nothing, while an order is
not finished or money is still the account's. Without `erase`, DELETE /v1/users/me deactivates
as it always did."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select, text

from reelbyte.core.db import get_database, transaction
from reelbyte.identity.service import ERASED_NAME
from reelbyte.media.models import Upload
from reelbyte.media.storage import get_storage
from reelbyte.messaging.service import ERASED_MESSAGE
from reelbyte.orders.models import Order
from reelbyte.payments.ledger_check import check as ledger_check
from reelbyte.payments.models import LedgerEntry, PayoutMethod
from reelbyte.privacy.models import DataExport
from reelbyte.projects.models import Project, Proposal
from tests.conftest import run_jobs
from tests.factories import (
    TEST_PASSWORD,
    Headers,
    balance_of,
    bearer,
    can_withdraw,
    get_row,
    gig_for_sale,
    login,
    make_order,
    make_paid_order,
    make_project,
    make_proposal,
    register,
    send_message,
    signed_up,
    start_conversation,
)
from tests.media import clips
from tests.media.uploading import uploaded
from tests.privacy.conftest import ask_for_export
from tests.reviews.conftest import completed_order, review_body

ERASE = "/v1/users/me?erase=true"


async def _person(client: httpx.AsyncClient, role: str) -> tuple[dict[str, Any], Headers, str]:
    """A user with a name of their own: (the user, auth headers, the name)."""
    name = f"Zelda Q{uuid.uuid4().hex[:8]}"
    user = await register(client, role, full_name=name)
    return user, bearer(await login(client, user["email"])), name


def _traces(user: dict[str, Any], name: str) -> list[str]:
    """What would identify the person, lower-cased: e-mail, username, each word of the name."""
    return [user["email"].lower(), user["username"].lower(), *name.lower().split()]


async def _row_text(table: str, where: str, **params: Any) -> str:
    """The rows of `table` matching `where`, every column, as lower-cased JSON text."""
    query = text(f"SELECT coalesce(json_agg(t)::text, '') FROM {table} t WHERE {where}")
    async with get_database().sessions() as session:
        return str(await session.scalar(query, params)).lower()


async def _ledger_entries() -> int:
    async with get_database().sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(LedgerEntry)) or 0)


async def test_erasing_a_client_anonymises_them_and_keeps_the_record(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    user, headers, name = await _person(client, "client")
    creator, creator_headers = await signed_up(client, "creator")
    deal = await completed_order(client, creator=(creator, creator_headers), buyer=(user, headers))
    review = await client.post(
        "/v1/reviews", json=review_body(deal.order["id"], 5, comment="Lovely work"), headers=headers
    )
    assert review.status_code == 201, review.text
    theirs = await client.post("/v1/reviews", json=review_body(deal.order["id"], 4), headers=creator_headers)
    assert theirs.status_code == 201, theirs.text  # both are in: both are shown
    conversation = await start_conversation(client, headers, creator["id"])
    await send_message(client, headers, conversation["id"], f"Call me at home, {name}")
    project = await make_project(client, headers)
    proposal = await make_proposal(client, creator_headers, project["id"])
    avatar = await uploaded(client, headers, clips.make_png(tmp_path / "me.png"), "avatar")
    assert (
        await client.put("/v1/users/me", json={"avatar_upload_id": avatar["id"]}, headers=headers)
    ).is_success
    await ask_for_export(client, headers)
    await run_jobs()
    (export_key,) = [e.storage_key for e in await _exports_of(user["id"])]
    entries_before = await _ledger_entries()
    assert name.lower() in await _row_text("notifications", "true")  # "New message from …"

    response = await client.delete(ERASE, headers=headers)
    assert response.status_code == 204, response.text
    await run_jobs()

    # No personal field is left on the account or in its messages.
    account = await _row_text("users", "id = :id", id=user["id"])
    messages = await _row_text("messages", "sender_id = :id", id=user["id"])
    notices = await _row_text("notifications", "true")  # the creator's, of the message
    for trace in _traces(user, name):
        assert trace not in account
        assert trace not in messages
        assert trace not in notices
    assert f'"email":"erased-{uuid.UUID(user["id"]).hex}@erased.invalid"' in account
    assert '"erased_at":null' not in account
    assert '"is_active":false' in account
    assert '"avatar_url":null' in account
    assert messages.count(f'"content":"{ERASED_MESSAGE}"') == 1
    # Login is refused, the old token is dead, the profile is gone.
    refused = await client.post("/v1/auth/login", json={"email": user["email"], "password": TEST_PASSWORD})
    assert refused.status_code == 401, refused.text
    assert (await client.get("/v1/users/me", headers=headers)).status_code == 401
    assert (await client.get(f"/v1/users/{user['id']}")).status_code == 404
    # The legal record stays: the order, the review's rating and text (under the erased name),
    # every ledger entry, and the ledger still balances.
    order = await get_row(Order, deal.order["id"])
    assert order is not None
    assert order.status.value == "completed"
    shown = (await client.get(f"/v1/reviews/{review.json()['id']}")).json()
    assert (shown["rating"], shown["comment"]) == (5, "Lovely work")
    assert shown["reviewer"]["full_name"] == ERASED_NAME
    assert await _ledger_entries() == entries_before
    assert await transaction(ledger_check) == []
    # Out of the market and out of storage.
    project_row = await get_row(Project, project["id"])
    proposal_row = await get_row(Proposal, proposal["id"])
    assert project_row is not None
    assert proposal_row is not None
    assert (project_row.status.value, proposal_row.status.value) == ("cancelled", "rejected")
    assert await get_row(Upload, avatar["id"]) is None
    assert await _exports_of(user["id"]) == []
    assert export_key is not None
    assert await get_storage().stat(export_key) is None


async def test_a_creator_erases_once_the_money_is_paid_out(client: httpx.AsyncClient, tmp_path: Path) -> None:
    user, headers, name = await _person(client, "creator")
    buyer, buyer_headers = await signed_up(client, "client")
    deal = await completed_order(client, creator=(user, headers), buyer=(buyer, buyer_headers))
    handed_in = await uploaded(
        client, headers, clips.make_pdf(tmp_path / "cut.pdf", pages=1), "deliverable", deal.order["id"]
    )
    elsewhere = await make_project(client, buyer_headers)
    proposal = await make_proposal(client, headers, elsewhere["id"])
    account_before = await _row_text("users", "id = :id", id=user["id"])

    # Earnings still on the balance: refused, nothing changed.
    refused = await client.delete(ERASE, headers=headers)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"] == "balance_not_empty"
    assert refused.json()["details"]["available"] == {"currency": "EUR", "value": "42.50"}
    assert await _row_text("users", "id = :id", id=user["id"]) == account_before
    assert (await client.get("/v1/users/me", headers=headers)).status_code == 200

    method = await can_withdraw(client, headers)
    withdrawn = await client.post(
        "/v1/payments/me/withdraw", json={"amount": {"currency": "EUR", "value": "42.50"}}, headers=headers
    )
    assert withdrawn.status_code == 201, withdrawn.text
    # Paid out yet? Until then the money is on its way out, and still refused.
    assert (await client.delete(ERASE, headers=headers)).json()["error"] == "balance_not_empty"
    await run_jobs()
    assert await balance_of(client, headers) == {"available": "0.00", "pending": "0.00", "in_transit": "0.00"}

    response = await client.delete(ERASE, headers=headers)
    assert response.status_code == 204, response.text
    await run_jobs()

    account = await _row_text("users", "id = :id", id=user["id"])
    for trace in _traces(user, name):
        assert trace not in account
    assert (await client.get(f"/v1/gigs/{deal.gig_id}")).status_code == 404
    proposal_row = await get_row(Proposal, proposal["id"])
    assert proposal_row is not None
    assert proposal_row.status.value == "withdrawn"
    # A file uploaded for the order stays with it (the client sees it once it is delivered).
    kept = await get_row(Upload, handed_in["id"])
    assert kept is not None
    assert kept.state.value == "ready"
    erased_method = await get_row(PayoutMethod, method.id)
    assert erased_method is not None  # the withdrawal keeps pointing at it
    assert (erased_method.provider_account_id, erased_method.label) == (None, "erased")
    assert erased_method.deleted_at is not None
    assert await transaction(ledger_check) == []


async def test_erasure_is_refused_while_an_order_is_open(client: httpx.AsyncClient) -> None:
    buyer, buyer_headers, _ = await _person(client, "client")
    seller, seller_headers, _ = await _person(client, "creator")
    gig, package = await gig_for_sale(seller["id"])
    under_way = await make_paid_order(client, buyer_headers, gig, package)
    unpaid = await make_order(client, buyer_headers, gig, package)
    conversation = await start_conversation(client, buyer_headers, seller["id"])
    await send_message(client, buyer_headers, conversation["id"], "Any news?")
    before = {
        who["id"]: (
            await _row_text("users", "id = :id", id=who["id"]),
            await _row_text("messages", "sender_id = :id", id=who["id"]),
        )
        for who in (buyer, seller)
    }

    response = await client.delete(ERASE, headers=buyer_headers)
    assert response.status_code == 409, response.text
    assert response.json()["error"] == "open_orders"
    assert sorted(response.json()["details"]["orders"], key=lambda o: o["status"]) == [
        {"id": under_way["id"], "status": "in_progress", "role": "client"},
        {"id": unpaid["id"], "status": "pending_payment", "role": "client"},
    ]
    response = await client.delete(ERASE, headers=seller_headers)
    assert response.status_code == 409, response.text
    assert {(o["id"], o["role"]) for o in response.json()["details"]["orders"]} == {
        (under_way["id"], "creator"),
        (unpaid["id"], "creator"),
    }

    for who, headers in ((buyer, buyer_headers), (seller, seller_headers)):
        assert (
            await _row_text("users", "id = :id", id=who["id"]),
            await _row_text("messages", "sender_id = :id", id=who["id"]),
        ) == before[who["id"]]
        assert (await client.get("/v1/users/me", headers=headers)).status_code == 200
    assert (await client.get(f"/v1/gigs/{gig.id}")).status_code == 200


async def test_without_erase_the_account_is_deactivated_and_its_data_kept(client: httpx.AsyncClient) -> None:
    user, headers, name = await _person(client, "creator")
    await ask_for_export(client, headers)
    await run_jobs()

    response = await client.delete("/v1/users/me", headers=headers)
    assert response.status_code == 204, response.text

    account = await _row_text("users", "id = :id", id=user["id"])
    assert user["email"].lower() in account
    assert name.lower() in account
    assert '"erased_at":null' in account
    assert '"is_active":false' in account
    assert await _exports_of(user["id"]) != []
    # Logging in again says why it is refused.
    relogin = await client.post("/v1/auth/login", json={"email": user["email"], "password": TEST_PASSWORD})
    assert relogin.json()["error"] == "account_deactivated"


async def _exports_of(user_id: str) -> list[DataExport]:
    async with get_database().sessions() as session:
        return list(await session.scalars(select(DataExport).where(DataExport.user_id == uuid.UUID(user_id))))
