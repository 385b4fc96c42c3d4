"""How a notification reaches the user: the row, the live push after commit, the e-mail;
the user's preferences; and nothing at all for a change that rolled back."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from reelbyte.core.db import get_database, transaction
from reelbyte.core.redis import get_redis
from reelbyte.messaging.hub import CHANNEL_PREFIX
from reelbyte.notifications import service
from reelbyte.notifications.models import Notification
from reelbyte.orders import service as orders
from reelbyte.orders.models import Order, OrderStatus
from tests.conftest import Mailbox, run_jobs
from tests.factories import (
    gig_for_sale,
    make_paid_order,
    notification_types,
    seller_and_buyer,
    set_notification_preferences,
    signed_up,
)


class Refused(RuntimeError):
    """The change that caused a notification fails later in its unit of work."""


def _with_subject(mailbox: Mailbox, address: str, subject: str) -> list[Any]:
    return [m for m in mailbox.to(address) if m["Subject"] == subject]


async def test_order_paid_e_mail_arrives_through_smtp(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    creator, _ = await signed_up(client, "creator")
    _, client_headers = await signed_up(client, "client")
    gig, package = await gig_for_sale(creator["id"])
    order = await make_paid_order(client, client_headers, gig, package)
    await run_jobs()
    [message] = _with_subject(mailbox, creator["email"], "ReelByte: Order paid")
    body = message.get_body(("plain",)).get_content()
    assert "was paid" in body
    assert f"/orders/{order['id']}" in body
    assert "Order paid" in message.get_body(("html",)).get_content()


async def test_preferences_switch_e_mail_and_in_app_off(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    creator, creator_headers = await signed_up(client, "creator")
    client_user, client_headers = await signed_up(client, "client")
    await set_notification_preferences(
        client, creator_headers, {"order_paid": {"in_app": True, "email": False}}
    )
    await set_notification_preferences(
        client, client_headers, {"order_delivered": {"in_app": False, "email": True}}
    )
    gig, package = await gig_for_sale(creator["id"])
    order = await make_paid_order(client, client_headers, gig, package)
    response = await client.post(
        f"/v1/orders/{order['id']}/deliver", json={"message": "done"}, headers=creator_headers
    )
    assert response.status_code == 200, response.text
    await run_jobs()

    assert await notification_types(client, creator_headers) == ["order_paid"]  # in-app still on
    assert _with_subject(mailbox, creator["email"], "ReelByte: Order paid") == []
    assert await notification_types(client, client_headers) == []  # in-app off
    assert len(_with_subject(mailbox, client_user["email"], "ReelByte: Order delivered")) == 1


async def test_e_mail_is_off_by_default_outside_orders_and_payments(client: httpx.AsyncClient) -> None:
    user, _ = await signed_up(client, "client")
    await run_jobs()  # the verification e-mail
    await transaction(
        lambda session: service.notify(
            session, uuid.UUID(user["id"]), "proposal_received", "Proposal received", "Hi"
        )
    )
    async with get_database().sessions() as session:
        tasks = list(await session.scalars(text("SELECT task_name FROM procrastinate_jobs ORDER BY id")))
    assert "send_email" not in tasks
    assert "notifications.push" in tasks


async def test_the_live_frame_is_pushed_only_after_commit(client: httpx.AsyncClient) -> None:
    user, _ = await signed_up(client, "client")
    pubsub = get_redis().pubsub()
    await pubsub.subscribe(f"{CHANNEL_PREFIX}{user['id']}")
    try:
        await pubsub.get_message(timeout=1.0)  # the subscribe confirmation
        notification = await transaction(
            lambda session: service.notify(
                session, uuid.UUID(user["id"]), "order_paid", "Order paid", "Paid", link="/orders/1"
            )
        )
        assert notification is not None
        notification_id = notification.id
        assert await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.3) is None
        await run_jobs()
        message = None
        for _ in range(20):
            message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=0.5)
            if message is not None:
                break
            await asyncio.sleep(0.05)
        assert message is not None
        frame = json.loads(message["data"])
        assert frame["type"] == "notification"
        assert frame["data"]["id"] == notification_id
        assert frame["data"]["title"] == "Order paid"
        assert frame["data"]["link"] == "/orders/1"
    finally:
        await pubsub.unsubscribe()
        await pubsub.aclose()


async def test_a_rolled_back_change_leaves_no_notification_and_no_job(client: httpx.AsyncClient) -> None:
    user, _ = await signed_up(client, "creator")
    await run_jobs()  # the verification e-mail

    async def notify_then_fail(session: AsyncSession) -> None:
        await service.notify(session, uuid.UUID(user["id"]), "order_paid", "Order paid", "Paid")
        raise Refused("the change that caused it failed")

    with pytest.raises(Refused):
        await transaction(notify_then_fail)
    async with get_database().sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Notification)) == 0
        jobs = await session.scalar(text("SELECT count(*) FROM procrastinate_jobs"))
        assert jobs == 0


async def test_a_rolled_back_order_event_notifies_nobody(client: httpx.AsyncClient) -> None:
    """The order signal's handler writes in the order's transaction: a rollback takes it back."""
    creator_headers, client_headers, gig, package = await seller_and_buyer(client)
    order = await make_paid_order(client, client_headers, gig, package)
    await run_jobs()

    async def deliver_then_fail(session: AsyncSession) -> None:
        locked = await session.get(Order, uuid.UUID(order["id"]), with_for_update=True)
        assert locked is not None
        await orders.transition(session, locked, OrderStatus.DELIVERED, actor=None, kind="delivered")
        assert await session.scalar(select(func.count()).select_from(Notification)) == 2  # + delivered
        raise Refused("the delivery failed later")

    with pytest.raises(Refused):
        await transaction(deliver_then_fail)
    assert await notification_types(client, client_headers) == []
    assert await notification_types(client, creator_headers) == ["order_paid"]
    async with get_database().sessions() as session:
        assert (
            await session.scalar(text("SELECT count(*) FROM procrastinate_jobs WHERE status = 'todo'")) == 0
        )
