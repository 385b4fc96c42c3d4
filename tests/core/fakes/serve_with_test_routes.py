"""`reelbyte serve` (given the arguments after this script's name) with two more routes, as a
test of what it sends to its collector and to Sentry needs them:

- `GET /v1/boom` fails with an unhandled error, as a bug would;
- `GET /v1/outgoing` calls OUTGOING_URL with httpx, as a provider's client would.

Telemetry is set up by the command itself."""

from __future__ import annotations

import os
import sys
from typing import Any

import httpx

import reelbyte.main
from reelbyte.cli import app

_create_app = reelbyte.main.create_app


async def boom() -> None:
    raise RuntimeError("boom: an unhandled error")


async def outgoing() -> dict[str, int]:
    async with httpx.AsyncClient() as client:
        response = await client.get(os.environ["OUTGOING_URL"])
    return {"status": response.status_code}


def create_app_with_test_routes(*args: Any, **kwargs: Any) -> Any:
    application = _create_app(*args, **kwargs)
    application.add_api_route("/v1/boom", boom)
    application.add_api_route("/v1/outgoing", outgoing)
    return application


if __name__ == "__main__":
    reelbyte.main.create_app = create_app_with_test_routes  # `serve` imports it when it runs
    app(["serve", *sys.argv[1:]])
