from __future__ import annotations

import httpx

from reelbyte.catalog.models import Gig
from tests.factories import get_row, make_gig, signed_up


async def test_a_deactivated_creators_gigs_leave_the_lists(client: httpx.AsyncClient) -> None:
    _, headers = await signed_up(client, "creator")
    gig = await make_gig(client, headers)
    listed = (await client.get("/v1/gigs")).json()["items"]
    assert [item["id"] for item in listed] == [gig["id"]]

    assert (await client.delete("/v1/users/me", headers=headers)).status_code == 204
    assert (await client.get("/v1/gigs")).json()["items"] == []
    assert (await client.get(f"/v1/gigs/{gig['id']}")).status_code == 404
    row = await get_row(Gig, gig["id"])
    assert row is not None  # kept, only hidden
    assert row.is_active is False
