"""Does a login for an unknown e-mail cost the same as one with a wrong password?

Run: uv run python -m bench.login_timing [rounds]
Interleaves the two kinds of failed login (and a successful one for scale) through the whole
API and reports the median time of each and their ratio.
"""

from __future__ import annotations

import asyncio
import random
import sys
import time

import httpx

from bench._common import asgi_client, bench_settings, machine, median, write_section

PASSWORD = "Bench!Passw0rd"


async def timed(client: httpx.AsyncClient, email: str, password: str, expect: int) -> float:
    started = time.perf_counter()
    response = await client.post("/v1/auth/login", json={"email": email, "password": password})
    elapsed = time.perf_counter() - started
    assert response.status_code == expect, response.text
    return elapsed * 1000


async def main(rounds: int) -> None:
    with bench_settings() as settings:
        async with asgi_client(settings) as client:
            email = "timing@example.com"
            response = await client.post(
                "/v1/auth/register",
                json={
                    "email": email,
                    "username": "timing",
                    "password": PASSWORD,
                    "full_name": "T",
                    "role": "client",
                },
            )
            assert response.status_code in (201, 409), response.text
            unknown: list[float] = []
            wrong: list[float] = []
            right: list[float] = []
            for _ in range(rounds):
                kinds = [
                    (unknown, "nobody@example.com", PASSWORD, 401),
                    (wrong, email, "Wr0ng!Password", 401),
                    (right, email, PASSWORD, 200),
                ]
                random.shuffle(kinds)  # no kind always follows the same other kind
                for samples, who, password, expect in kinds:
                    samples.append(await timed(client, who, password, expect))
    ratio = median(unknown) / median(wrong)
    body = f"""
Command: `uv run python -m bench.login_timing {rounds}` ({machine()}, embedded PostgreSQL).
The three kinds of login are interleaved in random order, {rounds} rounds, through the whole ASGI app.

| login | median ms |
| --- | --- |
| unknown e-mail | {median(unknown):.1f} |
| known e-mail, wrong password | {median(wrong):.1f} |
| right password (also writes a session) | {median(right):.1f} |

Unknown ÷ wrong password: **{ratio:.2f}** (1.00 means indistinguishable by time).
"""
    print(body)
    write_section("Login timing", body)


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40))
