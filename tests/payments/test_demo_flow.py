"""The offline money flow as a person meets it on `reelbyte serve --demo`: a client orders a demo
gig, pays on the sandbox page, the creator delivers, the client approves, and the creator's
balance shows the amount less 15 %. Everything goes over real HTTP to a real server process,
including the sandbox's webhook, sent by the server's own in-process worker."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from reelbyte.seed import DEMO_PASSWORD
from tests.test_serve import Server, _data_dir, _login

pytestmark = pytest.mark.slow


def _wait_for_status(http: httpx.Client, url: str, headers: dict[str, str], status: str) -> dict:  # type: ignore[type-arg]
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        order = http.get(url, headers=headers).json()
        if order["status"] == status:
            return dict(order)
        time.sleep(0.2)
    raise AssertionError(f"order never became {status}: {order}")


def test_order_pay_deliver_approve_on_the_demo_server(tmp_path: Path) -> None:
    with _data_dir() as data_dir, httpx.Client(timeout=10) as http:
        server = Server(data_dir, tmp_path)
        try:
            server.wait_ready(http)
            base = server.base
            ada = _login(http, base, "ada@example.com", DEMO_PASSWORD)
            maya = _login(http, base, "maya@example.com", DEMO_PASSWORD)
            gigs = http.get(f"{base}/v1/gigs", params={"sort_by": "newest"}).json()["items"]
            gig = next(g for g in gigs if g["title"].startswith("Cinematic wedding"))
            packages = http.get(f"{base}/v1/gigs/{gig['id']}/packages").json()
            basic = next(p for p in packages if p["tier"] == "basic")

            order = http.post(
                f"{base}/v1/orders",
                json={"gig_id": gig["id"], "package_id": basic["id"], "requirements": "Footage link inside"},
                headers=ada,
            ).json()
            payment = http.post(
                f"{base}/v1/payments/checkout", json={"order_id": order["id"]}, headers=ada
            ).json()
            page = http.get(payment["checkout_url"])
            assert page.status_code == 200
            assert "Pay" in page.text
            back = http.post(payment["checkout_url"], data={"action": "pay"}, follow_redirects=True)
            assert back.status_code == 200
            assert "Payment" in back.text

            order_url = f"{base}/v1/orders/{order['id']}"
            _wait_for_status(http, order_url, ada, "in_progress")  # the webhook arrived
            delivered = http.post(
                f"{order_url}/deliver", json={"message": "Your film is ready"}, headers=maya
            )
            assert delivered.status_code == 200, delivered.text
            approved = http.post(f"{order_url}/approve", headers=ada)
            assert approved.json()["status"] == "completed"

            balance = http.get(f"{base}/v1/payments/me/balance", headers=maya).json()
            assert balance["available"] == {"currency": "EUR", "value": "127.50"}  # 150.00 less 15 %
            invoice = http.get(f"{order_url}/invoice", headers=ada)
            assert invoice.content.startswith(b"%PDF")
            assert server.stop("ctrl-c") == 0
        finally:
            server.kill()
