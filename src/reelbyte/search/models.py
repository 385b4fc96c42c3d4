"""Search's own tables and indexes.

`search_terms` is the autocomplete dictionary: every phrase a suggestion can complete to, with
how many listed gigs (or categories, or creators) carry it. Database triggers (migration 0008)
keep it current as gigs, categories and users change, in the same transaction as the change.
"""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, Index, Integer, String, func, text
from sqlalchemy.orm import Mapped, mapped_column

from reelbyte.core.db import Base
from reelbyte.identity.models import User


class TermSource(enum.StrEnum):
    TITLE = "title"  # a 1- to 3-word phrase of a listed gig's title
    TAG = "tag"  # a listed gig's tag
    CATEGORY = "category"  # an active category's name
    CREATOR = "creator"  # an active creator's full name


class SearchTerm(Base):
    __tablename__ = "search_terms"
    __table_args__ = (
        CheckConstraint("source IN ('title', 'tag', 'category', 'creator')", name="source_known"),
    )

    # Lower-case, single-spaced: what the user types is normalised the same way.
    term: Mapped[str] = mapped_column(String(120), primary_key=True)
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    # How many listed gigs (active creators, active categories) carry the term.
    count: Mapped[int] = mapped_column(Integer, default=1, server_default="1")


# `LIKE 'prefix%'` range scans whatever the database's collation (text_pattern_ops compares bytes).
Index("ix_search_terms_prefix", SearchTerm.term, postgresql_ops={"term": "text_pattern_ops"})

# Creator search sorts active creators by rating, orders and age: partial indexes over just them.
CREATORS = text("is_active AND role IN ('creator', 'hybrid')")
Index("ix_users_creators_rating", User.rating.desc(), User.total_reviews.desc(), postgresql_where=CREATORS)
Index("ix_users_creators_popular", User.total_orders.desc(), postgresql_where=CREATORS)
Index("ix_users_creators_newest", User.created_at.desc(), postgresql_where=CREATORS)
# The skills filter compares lower-cased skills (a function of migration 0008).
Index(
    "ix_users_creators_skills",
    func.search_lower_labels(User.skills),
    postgresql_using="gin",
    postgresql_where=CREATORS,
)
