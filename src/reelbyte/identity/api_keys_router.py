"""HTTP routes of API keys (under /v1): create, list, revoke. Managed with an access token
only: a key cannot make or revoke keys (these routes declare no scope)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Response, status

from reelbyte.core.errors import error_responses
from reelbyte.core.pagination import Page, PageParams, page_params
from reelbyte.core.routing import APIRouter, SessionDep
from reelbyte.identity import api_keys, errors, schemas
from reelbyte.identity.deps import CurrentUser

api_keys_router = APIRouter(prefix="/api-keys", tags=["api-keys"])


@api_keys_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=schemas.ApiKeyCreated,
    responses=error_responses(errors.PlanHasNoApiAccess, errors.ApiKeyExpiryInPast),
)
async def create_api_key(
    data: schemas.ApiKeyCreate, user: CurrentUser, session: SessionDep, response: Response
) -> schemas.ApiKeyCreated:
    """Make a key for a third party (Pro and Premium plans): `key` is shown this once only.
    Send it as `Authorization: Bearer <key>` or `X-API-Key: <key>`; it may do what its scopes
    allow and nothing else."""
    api_key, key = await api_keys.create(session, user, data.name, data.scopes, data.expires_at)
    response.headers["Cache-Control"] = "no-store"
    return schemas.ApiKeyCreated.of(api_key, api_access=True, key=key)


@api_keys_router.get("", response_model=Page[schemas.ApiKeyOut])
async def list_api_keys(
    user: CurrentUser, session: SessionDep, params: Annotated[PageParams, Depends(page_params)]
) -> Page[schemas.ApiKeyOut]:
    """My keys (never the keys themselves), newest first: expired and disabled ones too, until
    deleted."""
    keys, total = await api_keys.list_keys(session, user.id, params)
    api_access = await api_keys.has_api_access(session, user)
    return Page.of([schemas.ApiKeyOut.of(key, api_access=api_access) for key in keys], total, params)


@api_keys_router.delete(
    "/{key_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(errors.ApiKeyNotFound)
)
async def delete_api_key(key_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> None:
    """Revoke a key: it stops working at once (401 `invalid_api_key`)."""
    await api_keys.revoke(session, user.id, key_id)
