"""Fixtures of the projects tests: users of each role, and what must hold for any project."""

from __future__ import annotations

import uuid

import httpx
import pytest
from sqlalchemy import select

from reelbyte.core.db import get_database
from reelbyte.projects.models import Project, Proposal, ProposalStatus
from tests.factories import Actor, actor, get_row


@pytest.fixture
async def owner(client: httpx.AsyncClient) -> Actor:
    """A client who posts projects."""
    return await actor(client, "client")


@pytest.fixture
async def creator(client: httpx.AsyncClient) -> Actor:
    return await actor(client, "creator")


@pytest.fixture
async def other_creator(client: httpx.AsyncClient) -> Actor:
    return await actor(client, "creator")


@pytest.fixture
async def stranger(client: httpx.AsyncClient) -> Actor:
    """Another client: owns nothing here."""
    return await actor(client, "client")


async def stored_proposals(project_id: str) -> list[Proposal]:
    """The project's proposals as stored, oldest first."""
    async with get_database().sessions() as session:
        rows = await session.scalars(
            select(Proposal).where(Proposal.project_id == uuid.UUID(project_id)).order_by(Proposal.created_at)
        )
        return list(rows)


async def project_invariants(project_id: str) -> None:
    """What must hold for a project whatever happened to it."""
    project = await get_row(Project, project_id)
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
