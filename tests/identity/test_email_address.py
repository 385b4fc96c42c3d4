"""The e-mail address: required verified before ordering, publishing, proposing and withdrawing
(configurable), and changed only through a link sent to the new address."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from reelbyte.core.config import Settings, get_settings
from reelbyte.main import create_app
from tests.conftest import Mailbox, link_in, run_jobs
from tests.factories import (
    TEST_PASSWORD,
    bearer,
    gig_body,
    login,
    make_project,
    proposal_body,
    register,
    seller_and_buyer,
    signed_up,
    unique_name,
    verify_email_of,
)

ME = "/v1/users/me"
CHANGE = f"{ME}/email"
CONFIRM = "/v1/auth/confirm-email"


def _token(link: str) -> str:
    return link.split("token=")[1]


def _path_of(link: str) -> str:
    parts = urlsplit(link)
    return f"{parts.path}?{parts.query}"


async def _me(client: httpx.AsyncClient, headers: dict[str, str]) -> dict[str, Any]:
    return dict((await client.get(ME, headers=headers)).json())


# --- verification required --------------------------------------------------------------------


def test_required_everywhere_but_in_development_unless_configured() -> None:
    assert Settings(environment="production", secret_key="k" * 40).email_verification_required
    assert Settings(environment="test").email_verification_required
    assert not Settings(environment="development").email_verification_required
    assert not Settings(
        environment="production", secret_key="k" * 40, require_verified_email=False
    ).email_verification_required
    assert Settings(environment="development", require_verified_email=True).email_verification_required


def _refused(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "email_not_verified"


async def test_an_unverified_creator_cannot_publish_propose_or_withdraw(client: httpx.AsyncClient) -> None:
    creator, headers = await signed_up(client, "creator", verified=False)
    _, owner = await signed_up(client, "client")
    project = await make_project(client, owner)

    _refused(await client.post("/v1/gigs", json=await gig_body(), headers=headers))
    _refused(await client.post("/v1/proposals", json=proposal_body(project["id"]), headers=headers))
    withdraw = {"amount": {"currency": "EUR", "value": "20.00"}}
    _refused(await client.post("/v1/payments/me/withdraw", json=withdraw, headers=headers))
    assert (await client.get(f"{ME}/gigs", headers=headers)).json()["total"] == 0

    await verify_email_of(creator["id"])
    assert (await client.post("/v1/gigs", json=await gig_body(), headers=headers)).status_code == 201
    response = await client.post("/v1/proposals", json=proposal_body(project["id"]), headers=headers)
    assert response.status_code == 201, response.text


async def test_an_unverified_client_cannot_order(client: httpx.AsyncClient) -> None:
    _, _, gig, package = await seller_and_buyer(client)
    buyer, headers = await signed_up(client, "client", verified=False)
    order = {"gig_id": str(gig.id), "package_id": str(package.id)}

    _refused(await client.post("/v1/orders", json=order, headers=headers))
    assert (await client.get("/v1/orders", headers=headers)).json()["total"] == 0

    await verify_email_of(buyer["id"])
    assert (await client.post("/v1/orders", json=order, headers=headers)).status_code == 201


async def test_browsing_and_messaging_need_no_verification(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "client", verified=False)
    assert (await client.get("/v1/gigs", headers=headers)).status_code == 200
    await make_project(client, headers)


async def test_the_requirement_can_be_switched_off(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "require_verified_email", False)
    _, headers = await signed_up(client, "creator", verified=False)
    assert (await client.post("/v1/gigs", json=await gig_body(), headers=headers)).status_code == 201


def test_the_refusal_is_documented_on_each_gated_route() -> None:
    openapi = create_app().openapi()
    gated = [("/v1/gigs", "post"), ("/v1/orders", "post"), ("/v1/proposals", "post")]
    gated.append(("/v1/payments/me/withdraw", "post"))
    for path, method in gated:
        forbidden = openapi["paths"][path][method]["responses"]["403"]
        codes = forbidden["content"]["application/json"]["schema"]["properties"]["error"]["enum"]
        assert "email_not_verified" in codes, path


# --- changing the address ---------------------------------------------------------------------


async def test_the_account_moves_when_the_new_address_confirms(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    user, headers = await signed_up(client, "creator")
    new_email = f"{unique_name('moved')}@example.com"

    response = await client.post(
        CHANGE, json={"new_email": new_email, "password": TEST_PASSWORD}, headers=headers
    )
    assert response.status_code == 202, response.text
    await run_jobs()
    [confirmation] = mailbox.to(new_email)
    assert "Confirm your new e-mail" in confirmation["Subject"]
    notice = mailbox.to(user["email"])[-1]  # after the verification e-mail of the sign-up
    assert "about to change" in notice["Subject"]
    assert new_email in notice.get_body(("plain",)).get_content()
    assert (await _me(client, headers))["email"] == user["email"]  # until the link is followed

    link = link_in(confirmation)
    assert link.startswith("http://testserver/account/confirm-email?token=")
    response = await client.post(CONFIRM, json={"token": _token(link)})
    assert response.status_code == 200, response.text
    assert (response.json()["email"], response.json()["email_verified"]) == (new_email, True)

    assert (await client.post(CONFIRM, json={"token": _token(link)})).status_code == 400
    assert (
        await client.post("/v1/auth/login", json={"email": user["email"], "password": TEST_PASSWORD})
    ).status_code == 401
    await login(client, new_email.upper())


async def test_the_confirmation_page_for_a_browser_without_the_web_app(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    _, headers = await signed_up(client, "client")
    new_email = f"{unique_name('page')}@example.com"
    await client.post(CHANGE, json={"new_email": new_email, "password": TEST_PASSWORD}, headers=headers)
    await run_jobs()
    link = link_in(mailbox.to(new_email)[0])

    page = await client.get(_path_of(link))
    assert page.status_code == 200
    assert new_email in page.text
    assert (await client.get(_path_of(link))).status_code == 400


async def test_a_new_address_verifies_an_unverified_account(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    _, headers = await signed_up(client, "creator", verified=False)
    new_email = f"{unique_name('fresh')}@example.com"
    await client.post(CHANGE, json={"new_email": new_email, "password": TEST_PASSWORD}, headers=headers)
    await run_jobs()
    await client.post(CONFIRM, json={"token": _token(link_in(mailbox.to(new_email)[0]))})
    assert (await _me(client, headers))["email_verified"] is True
    assert (await client.post("/v1/gigs", json=await gig_body(), headers=headers)).status_code == 201


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"password": "not-the-password"}, 403, "wrong_password"),
        ({"new_email": "SELF"}, 422, "same_email"),
        ({"new_email": "TAKEN"}, 409, "account_exists"),
        ({"new_email": "not an address"}, 422, "validation_error"),
    ],
)
async def test_refused_changes_change_nothing(
    client: httpx.AsyncClient, mailbox: Mailbox, body: dict[str, str], status: int, code: str
) -> None:
    user, headers = await signed_up(client, "creator")
    other = await register(client, "client")
    addresses = {"SELF": user["email"].upper(), "TAKEN": other["email"]}
    request = {"new_email": f"{unique_name('x')}@example.com", "password": TEST_PASSWORD, **body}
    request["new_email"] = addresses.get(request["new_email"], request["new_email"])

    response = await client.post(CHANGE, json=request, headers=headers)
    assert (response.status_code, response.json()["error"]) == (status, code)
    await run_jobs()
    assert not [mail for mail in mailbox.to(request["new_email"]) if "new e-mail" in mail["Subject"]]
    assert (await _me(client, headers))["email"] == user["email"]


async def test_an_address_taken_before_the_link_is_followed(
    client: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    user, headers = await signed_up(client, "creator")
    new_email = f"{unique_name('race')}@example.com"
    await client.post(CHANGE, json={"new_email": new_email, "password": TEST_PASSWORD}, headers=headers)
    await run_jobs()
    token = _token(link_in(mailbox.to(new_email)[0]))
    await register(client, "client", email=new_email)

    response = await client.post(CONFIRM, json={"token": token})
    assert (response.status_code, response.json()["error"]) == (409, "account_exists")
    assert (await _me(client, headers))["email"] == user["email"]


async def test_following_one_link_spends_the_others(client: httpx.AsyncClient, mailbox: Mailbox) -> None:
    _, headers = await signed_up(client, "creator")
    first, second = (f"{unique_name(n)}@example.com" for n in ("first", "second"))
    for address in (first, second):
        await client.post(CHANGE, json={"new_email": address, "password": TEST_PASSWORD}, headers=headers)
    await run_jobs()
    links = {address: _token(link_in(mailbox.to(address)[0])) for address in (first, second)}

    assert (await client.post(CONFIRM, json={"token": links[second]})).status_code == 200
    response = await client.post(CONFIRM, json={"token": links[first]})
    assert (response.status_code, response.json()["error"]) == (400, "invalid_link")
    assert (await _me(client, headers))["email"] == second


async def test_changing_the_address_needs_a_login(client: httpx.AsyncClient) -> None:
    response = await client.post(CHANGE, json={"new_email": "a@example.com", "password": TEST_PASSWORD})
    assert response.status_code == 401
    other = bearer(await login(client, (await register(client, "client"))["email"]))
    assert (await client.post(CONFIRM, json={"token": "x" * 43}, headers=other)).status_code == 400
