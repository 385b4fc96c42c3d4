"""/metrics is served only to METRICS_ALLOWED_IPS (loopback by default) or with the
METRICS_TOKEN bearer; anyone else gets 403 `metrics_forbidden` in the standard format."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI

from reelbyte.core.config import Settings

Peer = Callable[[str], AbstractAsyncContextManager[httpx.AsyncClient]]


@pytest.fixture
def peer(app: FastAPI) -> Peer:
    """A client connecting from `address`."""

    @asynccontextmanager
    async def connect(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http

    return connect


def _forbidden(response: httpx.Response) -> None:
    assert response.status_code == 403, response.text
    assert response.json()["error"] == "metrics_forbidden"
    assert "reelbyte_http_requests_total" not in response.text


def test_the_default_is_loopback_only() -> None:
    fields = Settings.model_fields
    assert fields["metrics_allowed_ips"].get_default(call_default_factory=True) == ["127.0.0.0/8", "::1"]
    assert fields["metrics_token"].get_default() is None


@pytest.mark.parametrize("address", ["127.0.0.1", "127.9.9.9", "::1", "::ffff:127.0.0.1"])
async def test_loopback_clients_read_the_metrics(peer: Peer, address: str) -> None:
    async with peer(address) as http:
        response = await http.get("/metrics")
    assert response.status_code == 200, response.text
    assert "reelbyte_http_requests_total" in response.text


async def test_other_clients_are_refused_even_with_a_forged_forwarded_for(
    peer: Peer, settings: Settings
) -> None:
    assert settings.trusted_proxies == []
    async with peer("203.0.113.9") as http:
        _forbidden(await http.get("/metrics"))
        _forbidden(await http.get("/metrics", headers={"X-Forwarded-For": "127.0.0.1"}))
        _forbidden(await http.get("/metrics", headers={"Authorization": "Bearer anything"}))


async def test_allowed_networks_are_configurable(
    peer: Peer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "metrics_allowed_ips", ["10.0.0.0/8"])
    async with peer("10.1.2.3") as http:
        assert (await http.get("/metrics")).status_code == 200
    async with peer("127.0.0.1") as http:
        _forbidden(await http.get("/metrics"))


async def test_the_metrics_token_opens_them_to_any_address(
    peer: Peer, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "metrics_token", "scrape-me-7f3a")
    async with peer("198.51.100.4") as http:
        assert (
            await http.get("/metrics", headers={"Authorization": "Bearer scrape-me-7f3a"})
        ).status_code == 200
        _forbidden(await http.get("/metrics", headers={"Authorization": "Bearer scrape-me-7f3b"}))
        _forbidden(await http.get("/metrics", headers={"Authorization": "Basic scrape-me-7f3a"}))
        _forbidden(await http.get("/metrics"))
