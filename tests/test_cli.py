"""The CLI's account commands, run as real processes against the test database."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from reelbyte.core.config import Settings
from tests.factories import bearer, login, signed_up

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
    assert (await client.get("/v1/users/me", headers=headers)).status_code == 401

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
