"""The CLI's account, report and analytics commands, run as real processes against the test database."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from reelbyte.core.config import Settings
from tests.factories import bearer, login, make_admin, make_paid_order, seller_and_buyer, signed_up

pytestmark = pytest.mark.slow

ADMIN_PASSWORD = "Adm1n!Password"


def _cli(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": settings.database_url or "", "REDIS_URL": settings.redis_url or ""}
    env["COLUMNS"] = "200"  # Rich wraps tables to the terminal width
    return subprocess.run(
        [sys.executable, "-m", "reelbyte.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


async def test_create_admin_makes_an_account_with_the_admin_role(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    args = ["users", "create-admin", "--email", "root@example.com", "--username", "root"]
    result = _cli(settings, *args, "--full-name", "Root", "--password", ADMIN_PASSWORD)
    assert result.returncode == 0, result.stderr
    tokens = await login(client, "root@example.com", ADMIN_PASSWORD)
    me = (await client.get("/v1/users/me", headers=bearer(tokens))).json()
    assert me["role"] == "admin"
    assert me["email_verified"] is True

    again = _cli(settings, *args, "--full-name", "Root", "--password", ADMIN_PASSWORD)
    assert again.returncode == 1
    assert "already taken" in again.stdout


def test_create_admin_refuses_a_weak_password(settings: Settings) -> None:
    result = _cli(
        settings,
        "users",
        "create-admin",
        "--email",
        "a@example.com",
        "--username",
        "adm",
        "--password",
        "weak",
    )
    assert result.returncode == 2
    assert "password" in result.stdout


async def test_seed_demo_is_idempotent(client: httpx.AsyncClient, settings: Settings) -> None:
    first = _cli(settings, "seed", "--demo")
    assert first.returncode == 0, first.stderr
    assert "maya@example.com" in first.stdout
    second = _cli(settings, "seed", "--demo")
    assert second.returncode == 0, second.stderr
    tokens = await login(client, "maya@example.com", "Demo!Passw0rd")
    me = (await client.get("/v1/users/me", headers=bearer(tokens))).json()
    portfolio = (await client.get(f"/v1/users/{me['id']}/portfolio")).json()
    assert len(portfolio) == 2  # loaded once, not twice


async def test_admins_suspend_verify_and_list_users_from_the_cli(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    admin = _cli(
        settings,
        "users",
        "create-admin",
        "--email",
        "ops@example.com",
        "--username",
        "ops",
        "--password",
        ADMIN_PASSWORD,
    )
    assert admin.returncode == 0, admin.stderr
    maya, headers = await signed_up(client, "creator")

    suspended = _cli(
        settings,
        "users",
        "suspend",
        maya["email"],
        "--reason",
        "Spam",
        "--until",
        "2099-01-31T12:00",
        "--admin",
        "ops",
    )
    assert suspended.returncode == 0, suspended.stderr
    assert "suspended until 2099-01-31" in suspended.stdout
    assert (await client.get("/v1/users/me", headers=headers)).status_code == 403  # account_suspended

    listed = _cli(settings, "users", "list", "--status", "suspended")
    assert maya["username"] in listed.stdout
    assert "1 of 1" in listed.stdout
    assert (
        _cli(
            settings, "users", "verify", maya["username"], "--kind", "portfolio", "--admin", "ops"
        ).returncode
        == 0
    )
    assert _cli(settings, "users", "unsuspend", maya["username"], "--admin", "ops").returncode == 0
    assert (await client.get(f"/v1/users/{maya['id']}")).json()["is_verified"] is True

    not_an_admin = _cli(settings, "users", "unsuspend", maya["username"], "--admin", maya["email"])
    assert not_an_admin.returncode == 1
    assert "is not an admin" in not_an_admin.stdout
    assert _cli(settings, "users", "list", "--status", "banned").returncode == 2
    assert (
        _cli(settings, "users", "suspend", "nobody@example.com", "--reason", "x", "--admin", "ops").returncode
        == 1
    )


def _table_row(output: str, label: str) -> list[str]:
    """The cells of the table row whose first cell is `label`."""
    for line in output.splitlines():
        cells = [cell.strip() for cell in line.strip("│ ").split("│")]
        if cells[0] == label:
            return cells
    raise AssertionError(f"no row {label!r} in:\n{output}")


async def test_analytics_prints_the_figures_the_api_answers(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    _, buyer, gig, package = await seller_and_buyer(client, price_minor=4250)
    await make_paid_order(client, buyer, gig, package)
    today = datetime.now(UTC).date()
    span = {"from": (today - timedelta(days=20)).isoformat(), "to": today.isoformat(), "interval": "week"}
    response = await client.get("/v1/admin/analytics", params=span, headers=await make_admin(client))
    assert response.status_code == 200, response.text
    totals = response.json()["totals"]

    args = ["--from", span["from"], "--to", span["to"], "--interval", "week"]
    result = _cli(settings, "analytics", *args, "--fresh")  # computed again, not read from the cache

    assert result.returncode == 0, result.stderr
    assert f"{span['from']} to {span['to']} by week" in result.stdout
    assert _table_row(result.stdout, "GMV")[1] == totals["gmv"]["value"] == "42.50"
    assert _table_row(result.stdout, "orders paid")[1] == str(totals["orders_paid"]) == "1"
    assert _table_row(result.stdout, "sign-ups creator/client/hybrid")[1] == "1/1/0"
    assert _table_row(result.stdout, "average order value")[1] == "42.50"
    assert _table_row(result.stdout, "1")[1:] == ["Video Editing", "1", "42.50"]  # the top category

    backwards = _cli(settings, "analytics", "--from", "2026-02-01", "--to", "2026-01-01")
    assert backwards.returncode == 1
    assert "The range starts after it ends." in backwards.stdout
    assert _cli(settings, "analytics", "--interval", "year").returncode == 2


async def test_reports_list_prints_the_queue(client: httpx.AsyncClient, settings: Settings) -> None:
    creator, _ = await signed_up(client, "creator")
    reporter, reporter_headers = await signed_up(client, "client")
    body = {"target_type": "user", "target_id": creator["id"], "reason": "Fake portfolio"}
    assert (await client.post("/v1/reports", json=body, headers=reporter_headers)).status_code == 201

    result = _cli(settings, "reports", "list")

    assert result.returncode == 0, result.stderr
    [line] = [line for line in result.stdout.splitlines() if creator["id"] in line]
    assert [cell.strip() for cell in line.strip("│ ").split("│")][1:] == [
        f"user {creator['id']}",
        f"{creator['username']} (Test Creator)",
        reporter["username"],
        "Fake portfolio",
        "1",
        "open",
    ]
    assert "1 of 1" in result.stdout
    assert "0 of 0" in _cli(settings, "reports", "list", "--status", "resolved", "--limit", "5").stdout
    assert _cli(settings, "reports", "list", "--status", "closed").returncode == 2
    assert _cli(settings, "reports", "list", "--target-type", "planet").returncode == 2
