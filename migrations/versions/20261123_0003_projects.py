"""projects, invites and proposals

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 17:21:01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projects",
        sa.Column("client_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column("subcategory_id", sa.Integer(), nullable=True),
        sa.Column(
            "required_skills", postgresql.ARRAY(sa.String(length=50)), server_default="{}", nullable=False
        ),
        sa.Column("budget_min_minor", sa.Integer(), nullable=False),
        sa.Column("budget_max_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), server_default="EUR", nullable=False),
        sa.Column("deadline", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "attachments", postgresql.ARRAY(sa.String(length=2048)), server_default="{}", nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum("open", "in_progress", "completed", "cancelled", name="project_status"),
            server_default="open",
            nullable=False,
        ),
        sa.Column(
            "visibility",
            sa.Enum("public", "invite_only", name="project_visibility"),
            server_default="public",
            nullable=False,
        ),
        sa.Column("proposals_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("views_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("search_vector", postgresql.TSVECTOR(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint(
            "budget_min_minor > 0 AND budget_min_minor <= budget_max_minor",
            name=op.f("ck_projects_budget_range"),
        ),
        sa.CheckConstraint(
            "proposals_count >= 0 AND views_count >= 0", name=op.f("ck_projects_counts_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_projects_category_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["client_id"], ["users.id"], name=op.f("fk_projects_client_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["subcategory_id"],
            ["categories.id"],
            name=op.f("fk_projects_subcategory_id_categories"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_projects")),
    )
    op.create_index(op.f("ix_projects_client_id"), "projects", ["client_id"], unique=False)
    op.create_index(
        "ix_projects_open_budget",
        "projects",
        ["budget_max_minor"],
        unique=False,
        postgresql_where=sa.text("status = 'open' AND visibility = 'public'"),
    )
    op.create_index(
        "ix_projects_open_category",
        "projects",
        ["category_id", sa.literal_column("created_at DESC")],
        unique=False,
        postgresql_where=sa.text("status = 'open' AND visibility = 'public'"),
    )
    op.create_index(
        "ix_projects_open_newest",
        "projects",
        [sa.literal_column("created_at DESC")],
        unique=False,
        postgresql_where=sa.text("status = 'open' AND visibility = 'public'"),
    )
    op.create_index(
        "ix_projects_required_skills", "projects", ["required_skills"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_projects_search_vector", "projects", ["search_vector"], unique=False, postgresql_using="gin"
    )
    op.create_index(
        "ix_projects_status", "projects", ["status", sa.literal_column("created_at DESC")], unique=False
    )
    op.create_table(
        "project_invites",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("creator_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["creator_id"], ["users.id"], name=op.f("fk_project_invites_creator_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_invites_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", "creator_id", name=op.f("pk_project_invites")),
    )
    op.create_index(op.f("ix_project_invites_creator_id"), "project_invites", ["creator_id"], unique=False)
    op.create_table(
        "proposals",
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("creator_id", sa.Uuid(), nullable=False),
        sa.Column("cover_letter", sa.Text(), nullable=False),
        sa.Column("price_minor", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("delivery_days", sa.Integer(), nullable=False),
        sa.Column(
            "attachments", postgresql.ARRAY(sa.String(length=2048)), server_default="{}", nullable=False
        ),
        sa.Column(
            "status",
            sa.Enum("pending", "accepted", "rejected", "withdrawn", name="proposal_status"),
            server_default="pending",
            nullable=False,
        ),
        sa.Column("is_shortlisted", sa.Boolean(), server_default="false", nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("delivery_days BETWEEN 1 AND 365", name=op.f("ck_proposals_delivery_days_range")),
        sa.CheckConstraint("price_minor > 0", name=op.f("ck_proposals_price_positive")),
        sa.ForeignKeyConstraint(
            ["creator_id"], ["users.id"], name=op.f("fk_proposals_creator_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["project_id"], ["projects.id"], name=op.f("fk_proposals_project_id_projects"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_proposals")),
        sa.UniqueConstraint("project_id", "creator_id", name="uq_proposals_project_id_creator_id"),
    )
    op.create_index(op.f("ix_proposals_creator_id"), "proposals", ["creator_id"], unique=False)
    op.create_index(
        "uq_proposals_one_accepted_per_project",
        "proposals",
        ["project_id"],
        unique=True,
        postgresql_where=sa.text("status = 'accepted'"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_proposals_one_accepted_per_project",
        table_name="proposals",
        postgresql_where=sa.text("status = 'accepted'"),
    )
    op.drop_index(op.f("ix_proposals_creator_id"), table_name="proposals")
    op.drop_table("proposals")
    op.drop_index(op.f("ix_project_invites_creator_id"), table_name="project_invites")
    op.drop_table("project_invites")
    op.drop_index("ix_projects_status", table_name="projects")
    op.drop_index("ix_projects_search_vector", table_name="projects", postgresql_using="gin")
    op.drop_index("ix_projects_required_skills", table_name="projects", postgresql_using="gin")
    op.drop_index(
        "ix_projects_open_newest",
        table_name="projects",
        postgresql_where=sa.text("status = 'open' AND visibility = 'public'"),
    )
    op.drop_index(
        "ix_projects_open_category",
        table_name="projects",
        postgresql_where=sa.text("status = 'open' AND visibility = 'public'"),
    )
    op.drop_index(
        "ix_projects_open_budget",
        table_name="projects",
        postgresql_where=sa.text("status = 'open' AND visibility = 'public'"),
    )
    op.drop_index(op.f("ix_projects_client_id"), table_name="projects")
    op.drop_table("projects")
    sa.Enum(name="proposal_status").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="project_visibility").drop(op.get_bind(), checkfirst=True)
    sa.Enum(name="project_status").drop(op.get_bind(), checkfirst=True)
