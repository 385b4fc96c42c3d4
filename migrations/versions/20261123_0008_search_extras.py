"""search: the autocomplete dictionary (search_terms) kept by triggers; creator-search indexes

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-23 18:30:00

`search_state` holds the version that cached gig-search pages are keyed by: a statement trigger
moves it on with every change to what a gig hit shows, in the changing transaction.

`search_terms` holds every phrase a suggestion can complete to: 1- to 3-word phrases of listed
gig titles, listed gigs' tags, active category names and active creators' names, each with the
number of rows carrying it. Row triggers on gigs, categories and users add and remove counts in
the same transaction as the change; a btree with text_pattern_ops answers `LIKE 'prefix%'`.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Words a suggestion neither starts nor ends with ("your wedding", "edit a" are not phrases).
STOP_WORDS = [
    "a",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "by",
    "for",
    "from",
    "i",
    "i'll",
    "in",
    "into",
    "is",
    "it",
    "its",
    "me",
    "my",
    "of",
    "on",
    "or",
    "our",
    "so",
    "than",
    "that",
    "the",
    "their",
    "them",
    "then",
    "this",
    "to",
    "up",
    "we",
    "what",
    "who",
    "will",
    "with",
    "you",
    "your",
    "yours",
]
# The words as a PostgreSQL array literal quoted as a string ("i'll" → "i''ll").
STOP_ARRAY = "'{" + ",".join(STOP_WORDS).replace("'", "''") + "}'::text[]"

FUNCTIONS = [
    # The distinct 1- to 3-word phrases of a title (its words are lower-case runs of letters,
    # digits, inner hyphens and apostrophes) that neither start nor end with a stop word or a
    # single character. Window functions rather than array slicing: a few µs a title, so a
    # rebuild over 100,000 gigs takes about a second.
    f"""
    CREATE FUNCTION search_title_phrases(title text) RETURNS TABLE (phrase text)
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        WITH words AS (
            SELECT word,
                   lead(word, 1) OVER (ORDER BY n) AS word2,
                   lead(word, 2) OVER (ORDER BY n) AS word3
            FROM (
                SELECT btrim(part, '-''') AS word, n
                FROM regexp_split_to_table(lower(coalesce(title, '')), '[^[:alnum:]''-]+')
                     WITH ORDINALITY AS t(part, n)
            ) parts
            WHERE word <> ''
        )
        SELECT DISTINCT phrase FROM (
            SELECT word AS first, word AS last, word AS phrase FROM words
            UNION ALL
            SELECT word, word2, word || ' ' || word2 FROM words WHERE word2 IS NOT NULL
            UNION ALL
            SELECT word, word3, word || ' ' || word2 || ' ' || word3 FROM words WHERE word3 IS NOT NULL
        ) phrases
        WHERE length(first) > 1 AND length(last) > 1
          AND first <> ALL ({STOP_ARRAY}) AND last <> ALL ({STOP_ARRAY})
          AND length(phrase) <= 120
    $$
    """,
    """
    CREATE FUNCTION search_title_terms(title text) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(phrase ORDER BY phrase), '{}') FROM search_title_phrases(title)
    $$
    """,
    # Labels (tags, names) as terms: trimmed, single-spaced, lower-case, distinct.
    """
    CREATE FUNCTION search_label_terms(labels text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(DISTINCT label ORDER BY label), '{}')
        FROM (
            SELECT left(lower(regexp_replace(btrim(raw), '\\s+', ' ', 'g')), 120) AS label
            FROM unnest(labels) AS raw
        ) cleaned
        WHERE label <> ''
    $$
    """,
    # Move the counts of one source from the old set of terms to the new one.
    """
    CREATE FUNCTION search_terms_shift(p_source text, p_old text[], p_new text[]) RETURNS void
    LANGUAGE plpgsql AS $$
    DECLARE
        came text[];
        gone text[];
    BEGIN
        IF p_old = p_new THEN
            RETURN;
        END IF;
        SELECT coalesce(array_agg(t ORDER BY t), '{}') INTO came FROM unnest(p_new) t WHERE t <> ALL (p_old);
        SELECT coalesce(array_agg(t ORDER BY t), '{}') INTO gone FROM unnest(p_old) t WHERE t <> ALL (p_new);
        -- One statement, in term order: additions and removals take their row locks in the
        -- same order in every transaction, so two single-row changes cannot deadlock.
        INSERT INTO search_terms AS st (term, source, count)
        SELECT t, p_source, delta
        FROM (
            SELECT t, 1 AS delta FROM unnest(came) t
            UNION ALL
            SELECT t, -1 FROM unnest(gone) t
        ) changes
        ORDER BY t
        ON CONFLICT (term, source) DO UPDATE SET count = st.count + EXCLUDED.count;
        IF cardinality(gone) > 0 THEN
            DELETE FROM search_terms WHERE source = p_source AND term = ANY (gone) AND count <= 0;
        END IF;
    END
    $$
    """,
    # A gig counts while it is listed (active, with a package): the same rule as the lists.
    """
    CREATE FUNCTION gigs_search_terms_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_titles text[] := '{}';
        new_titles text[] := '{}';
        old_tags text[] := '{}';
        new_tags text[] := '{}';
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.is_active AND OLD.price_from_minor IS NOT NULL THEN
            old_titles := search_title_terms(OLD.title);
            old_tags := search_label_terms(OLD.tags);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.is_active AND NEW.price_from_minor IS NOT NULL THEN
            new_titles := search_title_terms(NEW.title);
            new_tags := search_label_terms(NEW.tags);
        END IF;
        PERFORM search_terms_shift('title', old_titles, new_titles);
        PERFORM search_terms_shift('tag', old_tags, new_tags);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION categories_search_terms_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_names text[] := '{}';
        new_names text[] := '{}';
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.is_active THEN
            old_names := search_label_terms(ARRAY[OLD.name]);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.is_active THEN
            new_names := search_label_terms(ARRAY[NEW.name]);
        END IF;
        PERFORM search_terms_shift('category', old_names, new_names);
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE FUNCTION users_search_terms_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
        old_names text[] := '{}';
        new_names text[] := '{}';
    BEGIN
        IF TG_OP <> 'INSERT' AND OLD.is_active AND OLD.role IN ('creator', 'hybrid') THEN
            old_names := search_label_terms(ARRAY[OLD.full_name]);
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.is_active AND NEW.role IN ('creator', 'hybrid') THEN
            new_names := search_label_terms(ARRAY[NEW.full_name]);
        END IF;
        PERFORM search_terms_shift('creator', old_names, new_names);
        RETURN NULL;
    END
    $$
    """,
    # A creator's skills as compared by the skills filter (any case): indexed with GIN.
    """
    CREATE FUNCTION search_lower_labels(labels text[]) RETURNS text[]
    LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT coalesce(array_agg(lower(label)), '{}') FROM unnest(labels) AS label
    $$
    """,
    # Gig search pages may be cached under this version; any change a hit can show moves it on.
    """
    CREATE FUNCTION search_state_bump() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO search_state AS s (id, gigs_version) VALUES (1, 1)
        ON CONFLICT (id) DO UPDATE SET gigs_version = s.gigs_version + 1;
        RETURN NULL;
    END
    $$
    """,
    # Recount everything from the source tables (after a bulk load with the triggers off).
    """
    CREATE FUNCTION search_terms_rebuild() RETURNS bigint LANGUAGE plpgsql AS $$
    DECLARE
        total bigint;
    BEGIN
        DELETE FROM search_terms;
        INSERT INTO search_terms (term, source, count)
        SELECT term, source, count(*) FROM (
            SELECT p.phrase AS term, 'title' AS source
            FROM gigs, LATERAL search_title_phrases(gigs.title) AS p
            WHERE gigs.is_active AND gigs.price_from_minor IS NOT NULL
            UNION ALL
            SELECT unnest(search_label_terms(tags)), 'tag'
            FROM gigs WHERE is_active AND price_from_minor IS NOT NULL
            UNION ALL
            SELECT unnest(search_label_terms(ARRAY[name])), 'category' FROM categories WHERE is_active
            UNION ALL
            SELECT unnest(search_label_terms(ARRAY[full_name])), 'creator'
            FROM users WHERE is_active AND role IN ('creator', 'hybrid')
        ) terms
        GROUP BY term, source;
        GET DIAGNOSTICS total = ROW_COUNT;
        RETURN total;
    END
    $$
    """,
]

TRIGGERS = [
    ("gigs", "gigs_search_terms", "title, tags, is_active, price_from_minor", "gigs_search_terms_sync"),
    ("categories", "categories_search_terms", "name, is_active", "categories_search_terms_sync"),
    ("users", "users_search_terms", "full_name, role, is_active", "users_search_terms_sync"),
]

# Statement triggers: what a gig hit shows (gig columns, and its creator's public fields). Not
# views_count: it changes with every page view (flushed in batches) and a view count a few
# minutes old in a cached page is harmless.
VERSION_TRIGGERS = [
    (
        "gigs",
        "gigs_search_state",
        "title, slug, description, category_id, subcategory_id, tags, thumbnail_url, video_preview_url, "
        "is_active, is_featured, price_from_minor, price_to_minor, currency, min_delivery_days, "
        "rating, total_reviews, orders_count, creator_level, creator_id, created_at",
    ),
    (
        "users",
        "users_search_state",
        "username, full_name, avatar_url, is_active, creator_level, rating, total_reviews",
    ),
]

FUNCTION_NAMES = [
    "search_lower_labels(text[])",
    "search_state_bump()",
    "search_terms_rebuild()",
    "users_search_terms_sync()",
    "categories_search_terms_sync()",
    "gigs_search_terms_sync()",
    "search_terms_shift(text, text[], text[])",
    "search_label_terms(text[])",
    "search_title_terms(text)",
    "search_title_phrases(text)",
]

CREATORS = sa.text("is_active AND role IN ('creator', 'hybrid')")


def upgrade() -> None:
    op.create_table(
        "search_terms",
        sa.Column("term", sa.String(length=120), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("count", sa.Integer(), server_default="1", nullable=False),
        sa.CheckConstraint(
            "source IN ('title', 'tag', 'category', 'creator')", name=op.f("ck_search_terms_source_known")
        ),
        sa.PrimaryKeyConstraint("term", "source", name=op.f("pk_search_terms")),
    )
    op.create_table(
        "search_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("gigs_version", sa.BigInteger(), server_default="0", nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_search_state_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_state")),
    )
    op.create_index(
        "ix_search_terms_prefix", "search_terms", ["term"], postgresql_ops={"term": "text_pattern_ops"}
    )
    op.create_index(
        "ix_users_creators_rating",
        "users",
        [sa.text("rating DESC"), sa.text("total_reviews DESC")],
        postgresql_where=CREATORS,
    )
    op.create_index(
        "ix_users_creators_popular", "users", [sa.text("total_orders DESC")], postgresql_where=CREATORS
    )
    op.create_index(
        "ix_users_creators_newest", "users", [sa.text("created_at DESC")], postgresql_where=CREATORS
    )
    for sql in FUNCTIONS:
        op.execute(sql)
    op.create_index(
        "ix_users_creators_skills",
        "users",
        [sa.text("search_lower_labels(skills)")],
        postgresql_using="gin",
        postgresql_where=CREATORS,
    )
    for table, trigger, columns, function in TRIGGERS:
        op.execute(f"""
            CREATE TRIGGER {trigger}
            AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}()
        """)
    for table, trigger, columns in VERSION_TRIGGERS:
        op.execute(f"""
            CREATE TRIGGER {trigger}
            AFTER INSERT OR DELETE OR UPDATE OF {columns} ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION search_state_bump()
        """)
    op.execute("INSERT INTO search_state (id, gigs_version) VALUES (1, 0)")
    op.execute("SELECT search_terms_rebuild()")


def downgrade() -> None:
    for table, trigger, _ in VERSION_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    for table, trigger, _, _ in TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
    op.execute("DROP INDEX IF EXISTS ix_users_creators_skills")
    for function in FUNCTION_NAMES:
        op.execute(f"DROP FUNCTION IF EXISTS {function}")
    op.drop_index("ix_users_creators_newest", table_name="users", postgresql_where=CREATORS)
    op.drop_index("ix_users_creators_popular", table_name="users", postgresql_where=CREATORS)
    op.drop_index("ix_users_creators_rating", table_name="users", postgresql_where=CREATORS)
    op.drop_index("ix_search_terms_prefix", table_name="search_terms")
    op.drop_table("search_terms")
    op.drop_table("search_state")
