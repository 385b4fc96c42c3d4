"""catalog data: the video-work taxonomy (categories and subcategories)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 17:35:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, slug, icon, description, [(subcategory name, slug, description), ...]); frozen here so
# that this migration loads the same data whatever the code says later.
TAXONOMY = [
    (
        "Video Editing",
        "video-editing",
        "scissors",
        "Cutting raw footage into a finished film.",
        [
            ("YouTube Videos", "youtube-videos", "Edits paced for YouTube: hooks, b-roll, captions."),
            ("Wedding Films", "wedding-films", "Teasers, highlights and full ceremony films."),
            ("Podcast Editing", "podcast-editing", "Multi-camera video podcasts and clips."),
            ("Event Videos", "event-videos", "Conferences, concerts and parties."),
        ],
    ),
    (
        "Short-Form & Social",
        "short-form-social",
        "smartphone",
        "Vertical video for social feeds.",
        [
            ("Instagram Reels", "instagram-reels", "Reels that stop the scroll."),
            ("TikTok Videos", "tiktok-videos", "Trends, hooks and native captions."),
            ("YouTube Shorts", "youtube-shorts", "Shorts cut from long videos or shot for the feed."),
        ],
    ),
    (
        "Motion Graphics",
        "motion-graphics",
        "sparkles",
        "Animated design for brands and explainers.",
        [
            ("Logo Animation", "logo-animation", "Logo stings and intros."),
            ("Explainer Videos", "explainer-videos", "Animated product and service explainers."),
            ("Kinetic Typography", "kinetic-typography", "Animated type and lyric videos."),
        ],
    ),
    (
        "Animation",
        "animation",
        "film",
        "Character and scene animation.",
        [
            ("2D Animation", "2d-animation", "Frame-by-frame and rigged 2D."),
            ("3D Animation", "3d-animation", "Modelling, rendering and 3D product shots."),
            ("Whiteboard Animation", "whiteboard-animation", "Hand-drawn explainers."),
        ],
    ),
    (
        "Commercial & Corporate",
        "commercial-corporate",
        "briefcase",
        "Video that sells and informs.",
        [
            ("Product Videos", "product-videos", "Product demos and ads."),
            ("Testimonial Videos", "testimonial-videos", "Customer stories and interviews."),
            ("Training Videos", "training-videos", "Courses, onboarding and how-tos."),
        ],
    ),
    (
        "Post-Production",
        "post-production",
        "sliders",
        "Finishing: colour, sound, effects, text.",
        [
            ("Color Grading", "color-grading", "Correction and creative grades."),
            ("Sound Design", "sound-design", "Mixing, clean-up, music and effects."),
            ("Visual Effects", "visual-effects", "Compositing, tracking and clean-up."),
            ("Subtitles & Captions", "subtitles-captions", "Subtitles, captions and translations."),
        ],
    ),
    (
        "Documentary",
        "documentary",
        "camera",
        "Long-form and short documentary work.",
        [
            ("Documentary Editing", "documentary-editing", "Story editing of interviews and footage."),
            ("Mini Documentaries", "mini-documentaries", "Short brand and personal documentaries."),
        ],
    ),
    (
        "Music Video",
        "music-video",
        "music",
        "Music videos from concept to grade.",
        [
            ("Performance Videos", "performance-videos", "Band and artist performance cuts."),
            ("Lyric Videos", "lyric-videos", "Typography-led lyric videos."),
        ],
    ),
]

categories = sa.table(
    "categories",
    sa.column("id", sa.Integer),
    sa.column("parent_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("slug", sa.String),
    sa.column("icon", sa.String),
    sa.column("description", sa.Text),
    sa.column("display_order", sa.Integer),
)


def upgrade() -> None:
    bind = op.get_bind()
    for order, (name, slug, icon, description, children) in enumerate(TAXONOMY):
        parent_id = bind.execute(
            sa.insert(categories)
            .values(name=name, slug=slug, icon=icon, description=description, display_order=order)
            .returning(categories.c.id)
        ).scalar_one()
        op.bulk_insert(
            categories,
            [
                {
                    "parent_id": parent_id,
                    "name": child,
                    "slug": child_slug,
                    "description": text,
                    "display_order": i,
                }
                for i, (child, child_slug, text) in enumerate(children)
            ],
        )


def downgrade() -> None:
    slugs = [slug for _, slug, *_ in TAXONOMY]
    op.execute(sa.delete(categories).where(categories.c.parent_id.isnot(None)))
    op.execute(sa.delete(categories).where(categories.c.slug.in_(slugs)))
