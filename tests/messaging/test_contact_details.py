"""Contact details in messages before an order: masked in what is stored and delivered, and the
conversation flagged for review; left alone once the two have an order, or with the setting off.

The detection itself (messaging/contact_details.py) is tested as a pure function first: many
realistic ways of writing an address, a number or a handle, and the traps that must stay (prices,
dates, resolutions, ids, video links)."""

from __future__ import annotations

import re
import time

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from redis.asyncio.client import PubSub

from reelbyte.core.config import Settings
from reelbyte.core.db import get_database
from reelbyte.messaging.contact_details import HIDDEN, Masked, mask_contact_details
from reelbyte.messaging.models import Conversation, Message
from reelbyte.messaging.schemas import MAX_MESSAGE_CHARS
from tests.factories import get_row, gig_for_sale, make_order, pair, send_message, start_conversation
from tests.messaging.conftest import frames, listen

# --- the pure function --------------------------------------------------------------------

# (message, what is delivered)
MASKED = [
    # e-mail addresses
    ("mail me at maya@gmail.com please", f"mail me at {HIDDEN} please"),
    ("maya.edits+work@mail.yahoo.co.uk.", f"{HIDDEN}."),
    ("maya_edits@outlook.com", HIDDEN),
    ("MAYA@GMAIL.COM", HIDDEN),
    ("maya @ gmail.com", HIDDEN),
    ("maya @ gmail . com", HIDDEN),
    ("maya at gmail dot com", HIDDEN),
    ("MAYA AT GMAIL DOT COM", HIDDEN),
    ("write to maya [at] gmail [dot] com", f"write to {HIDDEN}"),
    ("maya(at)gmail.com", HIDDEN),
    ("maya (at) gmail (dot) com", HIDDEN),
    ("maya{at}studio{dot}io", HIDDEN),
    ("maya(@)gmail.com", HIDDEN),
    ("maya@gmail[.]com", HIDDEN),
    ("maya at gmail.com", HIDDEN),
    ("maya at mayaedits dot com", HIDDEN),
    ("reach me: maya dot edits at gmail dot com", f"reach me: {HIDDEN}"),
    ("maya@gmail", HIDDEN),
    ("m a y a @ g m a i l . c o m", HIDDEN),
    ("line one\nmaya@gmail.com\nline three", f"line one\n{HIDDEN}\nline three"),
    # phone numbers
    ("+44 7700 900123", HIDDEN),
    ("call (555) 123-4567 tomorrow", f"call {HIDDEN} tomorrow"),
    ("+1-555-123-4567", HIDDEN),
    ("1-800-555-0199", HIDDEN),
    ("555.123.4567", HIDDEN),
    ("0 6 1 2 3 4 5 6 7 8", HIDDEN),
    ("06.12.34.56.78", HIDDEN),
    ("tel +33 6 12 34 56 78", f"tel {HIDDEN}"),
    ("+44 (0) 20 7946 0958", HIDDEN),
    ("+49 (0)30 12345678", HIDDEN),
    ("call me on 07700 900 123", f"call me on {HIDDEN}"),
    ("my number is 0612345678.", f"my number is {HIDDEN}."),
    ("whatsapp +31612345678", f"whatsapp {HIDDEN}"),
    ("".join(chr(0xFF10 + int(d)) for d in "0612345678"), HIDDEN),  # full-width digits are digits
    # payment and chat links and handles
    ("paypal.me/mayaedits", HIDDEN),
    ("pay at https://www.paypal.com/paypalme/maya thanks", f"pay at {HIDDEN} thanks"),
    ("paypal: maya@x.com", f"paypal: {HIDDEN}"),
    ("paypal @maya", f"paypal {HIDDEN}"),
    ("venmo @maya-edits", f"venmo {HIDDEN}"),
    ("venmo me at @maya_edits", f"venmo me at {HIDDEN}"),
    ("my cashapp is $MayaEdits", f"my cashapp is {HIDDEN}"),
    ("Cash App: $maya.edits", f"Cash App: {HIDDEN}"),
    ("cash.app/$maya", HIDDEN),
    ("revolut.me/maya123", HIDDEN),
    ("wise.com/pay/me/mayae", HIDDEN),
    ("my wise is @mayae12", f"my wise is {HIDDEN}"),
    ("zelle 555 123 4567", f"zelle {HIDDEN}"),
    ("zelle maya@x.com", f"zelle {HIDDEN}"),
    ("https://wa.me/447700900123?text=hi", HIDDEN),
    ("t.me/mayaedits", HIDDEN),
    ("telegram @mayaedits", f"telegram {HIDDEN}"),
    # several, next to each other: one marker
    ("maya@gmail.com / +44 7700 900123", HIDDEN),
    ("phone: 0612345678, email: maya@gmail.com", f"phone: {HIDDEN}, email: {HIDDEN}"),
]

KEPT = [
    "I use gmail for work",
    "Gmail, Outlook, whatever you like",
    "The price is $150 for 2 revisions in 4K at 1080p",
    "budget $1,500.00 or €1.200, or 10000000.01",
    "1 500 000 views in 3 days",
    "delivery in 3 days, 2 revisions, 60 fps, 24 fps",
    "resolution 1920x1080, 3840x2160",
    "deadline 12.05.2024, or 2024-05-12, or 12/05/2024",
    "shooting 12.05.2024 - 14.05.2024",
    "footage from 2019-2024",
    "2020 2021 2022",
    "see you at 10:30, 12:00 or 14:00",
    "timecode 00:01:23:12",
    "meet at 5.30 tomorrow",
    "Thanks @ 5pm. see you",
    "order 12345678 is late",
    "order #12345678",
    "invoice RB-2024-1234567890",
    "order 3f2a1b0c-1234-5678-9012-123456789012",
    "upload 12345678-1234-1234-1234-123456789012 is ready",
    "DSC01234567.MOV and GX010123.MP4",
    "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "https://youtu.be/dQw4w9WgXcQ?t=12345678",
    "https://vimeo.com/123456789",
    "vimeo.com/123456789/abcdef1234",
    "https://drive.google.com/file/d/1AbC123456789xyz/view?usp=sharing",
    "my channel: https://www.youtube.com/@mayaedits",
    "youtube.com/@mayaedits has my reel",
    "I saw it at vimeo.com yesterday",
    "look at the dot com bubble",
    "I'll be at home. Dot me a line",
    "she works at yahoo",
    "otherwise it's fine, wise choice",
    "my venmo is broken, see vimeo.com/12345678",
    "ping me @maya",
    "server 203.0.113.7",
    "a@b and x@y.z and user@localhost",
    HIDDEN,
    f"{HIDDEN} and {HIDDEN}",
]


@pytest.mark.parametrize(("text", "delivered"), MASKED)
def test_contact_details_are_masked(text: str, delivered: str) -> None:
    assert mask_contact_details(text) == Masked(delivered, True)


@pytest.mark.parametrize("text", KEPT)
def test_what_is_not_a_contact_detail_stays(text: str) -> None:
    assert mask_contact_details(text) == Masked(text, False)


def test_the_worst_case_message_is_masked_quickly() -> None:
    """The patterns start at token boundaries and do not backtrack badly: a full-length message
    of what looks almost like an address or a number takes milliseconds."""
    units = ("a", "a.", "a dot ", "a . ", "a [dot] ", "a@a dot ", "1 ", "1-", "1.", "1 (", "maya at ")
    for unit in (*units, "venmo x ", "venmo @ab ", "m a y a ", "m a y a @ ", "(1) ", "a@b", "x at y dot "):
        text = (unit * MAX_MESSAGE_CHARS)[:MAX_MESSAGE_CHARS]
        started = time.perf_counter()
        mask_contact_details(text)
        assert time.perf_counter() - started < 1.0, unit


# --- properties ---------------------------------------------------------------------------

_WORDS = st.sampled_from(
    ["maya", "at", "dot", "gmail", "com", "@", ".", " ", "-", "+44", "7700", "900123", "(555)", "123-4567",
     "venmo", "$maya", "paypal.me/x", "https://vimeo.com/123456789", "4K", "1080p", "$150", "2024-05-12",
     "[at]", "(dot)", "\n", ",", "0", "6", HIDDEN]
)  # fmt: skip
_MESSAGES = st.one_of(st.text(max_size=300), st.lists(_WORDS, max_size=40).map("".join))


@settings(max_examples=400, deadline=None)
@given(_MESSAGES)
def test_masking_is_idempotent(text: str) -> None:
    once = mask_contact_details(text)
    assert mask_contact_details(once.text) == Masked(once.text, False)


_SPELLED = re.compile(r"\b(?:at|dot)\b", re.IGNORECASE)


@settings(max_examples=400, deadline=None)
@given(
    st.text(
        alphabet=st.characters(blacklist_categories=("Nd", "Cs"), blacklist_characters="@$/"), max_size=300
    ).filter(lambda text: not _SPELLED.search(text))
)
def test_text_without_digits_at_signs_or_spelled_at_and_dot_is_unchanged(text: str) -> None:
    assert mask_contact_details(text) == Masked(text, False)


_PHONES = (
    st.builds(
        lambda plus, digits, seps: (
            ("+" if plus else "") + "".join(map("".join, zip(digits, seps, strict=False)))
        ),
        st.booleans(),
        st.lists(st.sampled_from("0123456789"), min_size=10, max_size=13),
        st.lists(st.sampled_from(["", "", " ", "-", "."]), min_size=13, max_size=13),
    )
    .map(lambda built: built.rstrip(" -."))
    # What is left alone on purpose (see KEPT): dates, years, IP addresses, amounts with cents.
    .filter(lambda phone: not re.search(r"\d{1,2}[.-]\d{1,2}[.-]\d{4}|\d{4}[.-]\d{1,2}[.-]\d{1,2}", phone))
    .filter(lambda phone: not re.fullmatch(r"\+?(?:(?:19|20)\d\d[ .-]*)+", phone))
    .filter(lambda phone: not re.fullmatch(r"\+?\d+(?:\.\d+){3}|\+?\d+\.\d\d?", phone))
)
_EMAILS = st.from_regex(
    r"[a-z][a-z0-9._]{0,15}@[a-z][a-z0-9-]{0,10}\.(com|net|org|io|co\.uk|de)", fullmatch=True
)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["call me on {}", "{}", "my number: {} thanks", "{}\nbye"]), _PHONES)
def test_any_phone_number_is_hidden(template: str, phone: str) -> None:
    result = mask_contact_details(template.format(phone))
    assert result == Masked(template.format(HIDDEN), True), phone


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["mail {} please", "{}", "paypal: {}", "({})"]), _EMAILS)
def test_any_email_address_is_hidden(template: str, email: str) -> None:
    result = mask_contact_details(template.format(email))
    assert result == Masked(template.format(HIDDEN), True), email


# --- through the API ----------------------------------------------------------------------

CONTACT = "Let's skip the fees: maya@gmail.com or +44 7700 900123, venmo @maya-edits"
DELIVERED = f"Let's skip the fees: {HIDDEN} or {HIDDEN}, venmo {HIDDEN}"


async def _contents(client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str) -> list[str]:
    page = await client.get(f"/v1/conversations/{conversation_id}/messages", headers=headers)
    assert page.status_code == 200, page.text
    return [m["content"] for m in page.json()["items"]]


async def _flagged(conversation_id: str) -> bool:
    conversation = await _conversation(conversation_id)
    return conversation.flagged_at is not None


async def _conversation(conversation_id: str) -> Conversation:
    conversation = await get_row(Conversation, conversation_id)
    assert conversation is not None
    return conversation


async def test_before_an_order_contact_details_are_masked_for_both_and_the_conversation_flagged(
    client: httpx.AsyncClient, subscriber: PubSub
) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"], message="Hi! Is the teaser still $150?")
    assert not await _flagged(conversation["id"])
    await listen(subscriber, b["id"])

    sent = await send_message(client, a_h, conversation["id"], CONTACT)
    assert sent["content"] == DELIVERED  # the sender sees what was delivered
    [published] = await frames(subscriber)
    assert (published["type"], published["data"]["content"]) == ("message", DELIVERED)
    for headers in (a_h, b_h):
        assert (await _contents(client, headers, conversation["id"]))[0] == DELIVERED
    listed = (await client.get("/v1/conversations", headers=b_h)).json()["items"]
    assert listed[0]["last_message"]["content"] == DELIVERED
    # The original is not kept anywhere.
    message = await get_message(sent["id"])
    assert message.content == DELIVERED

    flagged_at = (await _conversation(conversation["id"])).flagged_at
    assert flagged_at is not None
    # Flagged once: a later message with contact details leaves the first time as it was.
    await send_message(client, b_h, conversation["id"], "mine is leo at hotmail dot com")
    assert (await _contents(client, a_h, conversation["id"]))[0] == f"mine is {HIDDEN}"
    assert (await _conversation(conversation["id"])).flagged_at == flagged_at


async def test_the_first_message_of_a_new_conversation_is_masked_too(client: httpx.AsyncClient) -> None:
    _a, a_h, b, b_h = await pair(client)
    started = await client.post(
        "/v1/conversations", json={"participant_id": b["id"], "message": CONTACT}, headers=a_h
    )
    assert started.status_code == 201, started.text
    assert started.json()["last_message"]["content"] == DELIVERED
    assert await _contents(client, b_h, started.json()["id"]) == [DELIVERED]
    assert await _flagged(started.json()["id"])


async def test_a_message_without_contact_details_does_not_flag(client: httpx.AsyncClient) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    text = "A 60-second cut in 4K, 2 revisions, $150: https://vimeo.com/123456789 is the style"
    assert (await send_message(client, a_h, conversation["id"], text))["content"] == text
    assert await _contents(client, b_h, conversation["id"]) == [text]
    assert not await _flagged(conversation["id"])


async def test_edits_are_masked_the_same_way(client: httpx.AsyncClient, subscriber: PubSub) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    sent = await send_message(client, a_h, conversation["id"], "Looking forward to it")
    assert not await _flagged(conversation["id"])
    await listen(subscriber, b["id"])

    edited = await client.put(f"/v1/messages/{sent['id']}", json={"content": CONTACT}, headers=a_h)
    assert edited.status_code == 200, edited.text
    assert (edited.json()["content"], edited.json()["edited"]) == (DELIVERED, True)
    [published] = await frames(subscriber)
    assert (published["type"], published["data"]["content"]) == ("edit", DELIVERED)
    assert await _contents(client, b_h, conversation["id"]) == [DELIVERED]
    assert await _flagged(conversation["id"])


async def test_once_an_order_exists_between_them_nothing_is_masked(client: httpx.AsyncClient) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    gig, package = await gig_for_sale(b["id"])
    await make_order(client, a_h, gig, package)  # waiting for payment is enough

    # Either side, in the conversation without a context, and in an edit.
    assert (await send_message(client, a_h, conversation["id"], CONTACT))["content"] == CONTACT
    reply = await send_message(client, b_h, conversation["id"], "leo at hotmail dot com")
    assert reply["content"] == "leo at hotmail dot com"
    edited = await client.put(f"/v1/messages/{reply['id']}", json={"content": CONTACT}, headers=b_h)
    assert edited.json()["content"] == CONTACT
    assert await _contents(client, a_h, conversation["id"]) == [CONTACT, CONTACT]
    assert not await _flagged(conversation["id"])


async def test_an_order_with_someone_else_does_not_count(client: httpx.AsyncClient) -> None:
    _a, a_h, b, _b_h = await pair(client)
    _c, c_h, _d, _ = await pair(client)
    gig, package = await gig_for_sale(b["id"])
    await make_order(client, c_h, gig, package)  # b sells to c, not to a
    conversation = await start_conversation(client, a_h, b["id"])
    assert (await send_message(client, a_h, conversation["id"], CONTACT))["content"] == DELIVERED
    assert await _flagged(conversation["id"])


async def test_with_the_setting_off_nothing_is_masked_or_flagged(
    client: httpx.AsyncClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "mask_contact_details", False)
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"], message=CONTACT)
    sent = await send_message(client, a_h, conversation["id"], CONTACT)
    edited = await client.put(f"/v1/messages/{sent['id']}", json={"content": CONTACT}, headers=a_h)
    assert (sent["content"], edited.json()["content"]) == (CONTACT, CONTACT)
    assert await _contents(client, b_h, conversation["id"]) == [CONTACT, CONTACT]
    assert not await _flagged(conversation["id"])


async def test_sending_again_with_the_same_client_id_finds_the_masked_message(
    client: httpx.AsyncClient,
) -> None:
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    body = {"content": CONTACT, "client_id": "masked-1"}
    path = f"/v1/conversations/{conversation['id']}/messages"
    first = await client.post(path, json=body, headers=a_h)
    again = await client.post(path, json=body, headers=a_h)
    assert (first.status_code, again.status_code) == (201, 201), (first.text, again.text)
    assert again.json() == first.json()
    assert first.json()["content"] == DELIVERED
    other = await client.post(path, json={"content": "something else", "client_id": "masked-1"}, headers=a_h)
    assert other.status_code == 409, other.text
    assert await _contents(client, b_h, conversation["id"]) == [DELIVERED]


async def test_masking_never_makes_a_message_too_long(client: httpx.AsyncClient) -> None:
    """Markers are longer than what they hide: a full-length message of handles is cut to the
    longest message, not refused by the database."""
    _a, a_h, b, b_h = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    text = ("venmo @ab " * MAX_MESSAGE_CHARS)[:MAX_MESSAGE_CHARS]
    sent = await send_message(client, a_h, conversation["id"], text)
    assert len(sent["content"]) == MAX_MESSAGE_CHARS
    assert sent["content"].startswith(f"venmo {HIDDEN} venmo {HIDDEN}")
    assert "@ab" not in sent["content"]
    assert await _contents(client, b_h, conversation["id"]) == [sent["content"]]


async def test_other_users_cannot_see_or_edit_masked_messages(client: httpx.AsyncClient) -> None:
    _a, a_h, b, _b_h = await pair(client)
    _c, c_h, _d, _ = await pair(client)
    conversation = await start_conversation(client, a_h, b["id"])
    sent = await send_message(client, a_h, conversation["id"], CONTACT)
    listed = await client.get(f"/v1/conversations/{conversation['id']}/messages", headers=c_h)
    assert listed.status_code == 404
    edit = await client.put(f"/v1/messages/{sent['id']}", json={"content": "hi"}, headers=c_h)
    assert edit.status_code == 404
    assert set(edit.json()) == {"error", "message", "details"}
    blank = await client.put(f"/v1/messages/{sent['id']}", json={"content": ""}, headers=a_h)
    assert blank.status_code == 422
    assert (await get_message(sent["id"])).content == DELIVERED


async def get_message(message_id: int) -> Message:
    """A message row by its (integer) id, read in a session of its own."""
    async with get_database().sessions() as session:
        message = await session.get(Message, message_id)
    assert message is not None
    return message
