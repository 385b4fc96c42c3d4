"""Helpers for driving projects and proposals through the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from reelbyte.core.db import get_database
from reelbyte.projects.models import Project, Proposal, ProposalStatus
from tests.helpers import signed_up


@dataclass(frozen=True)
class Actor:
    id: str
    headers: dict[str, str]
    role: str


async def actor(client: httpx.AsyncClient, role: str) -> Actor:
    user, headers = await signed_up(client, role)
    return Actor(id=user["id"], headers=headers, role=role)


def eur(value: str) -> dict[str, str]:
    return {"currency": "EUR", "value": value}


def in_days(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def project_body(category_id: int, /, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Cut a travel vlog",
        "description": "Two hours of GoPro footage from Lisbon.",
        "category_id": category_id,
        "required_skills": ["Premiere Pro", "Color Grading"],
        "budget_min": eur("200.00"),
        "budget_max": eur("450.00"),
        "deadline": in_days(30),
        "attachments": ["https://drive.example.com/brief.pdf"],
    }
    body.update(overrides)
    return body


def proposal_body(project_id: str, /, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "project_id": project_id,
        "cover_letter": "I cut travel vlogs every week.",
        "price": eur("300.00"),
        "delivery_days": 7,
        "attachments": ["https://vimeo.com/123456789"],
    }
    body.update(overrides)
    return body


async def post_project(
    client: httpx.AsyncClient, owner: Actor, category_id: int, /, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/projects", json=project_body(category_id, **overrides), headers=owner.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def post_proposal(
    client: httpx.AsyncClient, creator: Actor, project_id: str, /, **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        "/v1/proposals", json=proposal_body(project_id, **overrides), headers=creator.headers
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def invite(client: httpx.AsyncClient, owner: Actor, project_id: str, creator: Actor) -> None:
    response = await client.post(
        f"/v1/projects/{project_id}/invites", json={"creator_id": creator.id}, headers=owner.headers
    )
    assert response.status_code == 201, response.text


async def stored_project(project_id: str) -> Project | None:
    async with get_database().sessions() as session:
        return await session.get(Project, uuid.UUID(project_id))


async def stored_proposals(project_id: str) -> list[Proposal]:
    async with get_database().sessions() as session:
        rows = await session.scalars(
            select(Proposal).where(Proposal.project_id == uuid.UUID(project_id)).order_by(Proposal.created_at)
        )
        return list(rows)


async def project_invariants(project_id: str) -> None:
    """What must hold for a project whatever happened to it."""
    project = await stored_project(project_id)
    assert project is not None
    proposals = await stored_proposals(project_id)
    accepted = [p for p in proposals if p.status is ProposalStatus.ACCEPTED]
    assert len(accepted) <= 1
    standing = sum(1 for p in proposals if p.status is not ProposalStatus.WITHDRAWN)
    assert project.proposals_count == standing
    if accepted:
        assert project.status.value in ("in_progress", "completed")
        assert all(p.status is not ProposalStatus.PENDING for p in proposals)
    elif project.status.value != "open":
        assert all(p.status is not ProposalStatus.PENDING for p in proposals)


async def count_rows(model: Any) -> int:
    async with get_database().sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)
