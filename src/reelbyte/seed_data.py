"""What `reelbyte seed --scale` draws from: names, the services sold per category, the phrases
that titles, descriptions and project briefs are built from, and the pools of prices, budgets and
states that rows pick from.

Only data lives here; `reelbyte.seed_scale` draws from it. `--random-seed` repeats a catalog only
as long as these stay the same: adding, removing or reordering an entry changes every pick after it.
"""

from __future__ import annotations

from typing import NamedTuple


class CategoryWords(NamedTuple):
    """What a top-level category sells (used in titles) and the tags that go with it."""

    services: tuple[str, ...]
    tags: tuple[str, ...]


class PackageTier(NamedTuple):
    """One package level of a seeded gig: its tier, length of finished video, revisions, features."""

    tier: str
    minutes: int
    revisions: int
    features: tuple[str, ...]


FIRST_NAMES: tuple[str, ...] = (
    "Maya",
    "Leo",
    "Ada",
    "Noah",
    "Emma",
    "Liam",
    "Olivia",
    "Lucas",
    "Sofia",
    "Mateo",
    "Mia",
    "Hugo",
    "Zoe",
    "Elias",
    "Nora",
    "Felix",
    "Ines",
    "Omar",
    "Lea",
    "Ivan",
    "Chloe",
    "Tariq",
    "Ana",
    "Jonas",
    "Freya",
    "Rafael",
    "Yara",
    "Milan",
    "Aisha",
    "Theo",
    "Clara",
    "Kenji",
    "Amara",
    "Diego",
    "Lina",
    "Sami",
    "Rosa",
    "Pablo",
    "Hana",
    "Viktor",
    "Lucia",
    "Arjun",
    "Elena",
    "Malik",
    "Isla",
    "Tomas",
    "Julia",
    "Ravi",
    "Greta",
    "Nico",
    "Selin",
    "Oscar",
    "Priya",
    "Marco",
    "Alba",
    "Emil",
)
LAST_NAMES: tuple[str, ...] = (
    "Jensen",
    "Martins",
    "Okafor",
    "Silva",
    "Novak",
    "Rossi",
    "Dubois",
    "Kowalski",
    "Haddad",
    "Tanaka",
    "Moreau",
    "Berg",
    "Costa",
    "Nguyen",
    "Fischer",
    "Santos",
    "Ibrahim",
    "Larsen",
    "Murphy",
    "Kaur",
    "Petrov",
    "Alvarez",
    "Schmidt",
    "Sato",
    "Hughes",
    "Romero",
    "Mensah",
    "Lindqvist",
    "Varga",
    "Ortiz",
    "Meyer",
    "Kim",
    "Bianchi",
    "Andersen",
    "Yilmaz",
    "Reyes",
    "Walsh",
    "Dimitrov",
    "Chen",
    "Moretti",
    "Nowak",
    "Park",
    "Lopez",
    "Keller",
    "Farah",
    "Holm",
)

# Per top-level category (by slug): the services sold, and the tags that go with them.
SERVICES: dict[str, CategoryWords] = {
    "video-editing": CategoryWords(
        services=(
            "video editing",
            "youtube video editing",
            "wedding video editing",
            "wedding film",
            "vlog editing",
            "podcast video editing",
            "event highlight video",
            "travel video editing",
            "gaming video editing",
        ),
        tags=(
            "video editing",
            "youtube",
            "wedding video",
            "wedding videography",
            "wedding film",
            "vlog",
            "podcast",
            "premiere pro",
            "final cut pro",
            "davinci resolve",
            "b-roll",
            "highlight reel",
            "event video",
            "jump cuts",
            "travel video",
            "gaming",
        ),
    ),
    "short-form-social": CategoryWords(
        services=(
            "instagram reels",
            "tiktok video editing",
            "youtube shorts",
            "vertical video editing",
            "social media video ads",
            "ugc video editing",
            "short form content",
        ),
        tags=(
            "instagram reels",
            "tiktok",
            "youtube shorts",
            "vertical video",
            "social media",
            "ugc",
            "captions",
            "viral video",
            "short form",
            "facebook ads",
        ),
    ),
    "motion-graphics": CategoryWords(
        services=(
            "logo animation",
            "explainer video",
            "kinetic typography",
            "animated intro",
            "lower thirds",
            "title sequence",
            "motion graphics",
        ),
        tags=(
            "motion graphics",
            "logo animation",
            "explainer video",
            "after effects",
            "kinetic typography",
            "intro",
            "outro",
            "lower thirds",
            "animated logo",
            "typography",
        ),
    ),
    "animation": CategoryWords(
        services=(
            "2d animation",
            "3d animation",
            "whiteboard animation",
            "character animation",
            "3d product animation",
            "cartoon explainer",
        ),
        tags=(
            "2d animation",
            "3d animation",
            "whiteboard",
            "character animation",
            "blender",
            "cinema 4d",
            "cartoon",
            "product render",
            "animated explainer",
        ),
    ),
    "commercial-corporate": CategoryWords(
        services=(
            "product video",
            "testimonial video",
            "training video",
            "corporate video",
            "real estate video",
            "brand film",
            "promo video",
        ),
        tags=(
            "product video",
            "commercial",
            "corporate video",
            "testimonial",
            "training video",
            "real estate",
            "brand film",
            "promo video",
            "advertising",
            "e-commerce",
        ),
    ),
    "post-production": CategoryWords(
        services=(
            "color grading",
            "sound design",
            "visual effects",
            "subtitles and captions",
            "audio mixing",
            "green screen compositing",
            "rotoscoping",
            "video restoration",
        ),
        tags=(
            "color grading",
            "color correction",
            "sound design",
            "audio mixing",
            "vfx",
            "visual effects",
            "subtitles",
            "captions",
            "green screen",
            "rotoscoping",
            "compositing",
            "davinci resolve",
        ),
    ),
    "documentary": CategoryWords(
        services=(
            "documentary editing",
            "mini documentary",
            "interview editing",
            "story editing",
            "docuseries",
        ),
        tags=(
            "documentary",
            "mini documentary",
            "interview",
            "storytelling",
            "archival footage",
            "docuseries",
            "brand documentary",
        ),
    ),
    "music-video": CategoryWords(
        services=("music video", "lyric video", "performance video", "music visualizer", "concert video"),
        tags=(
            "music video",
            "lyric video",
            "performance",
            "visualizer",
            "concert",
            "hip hop",
            "band",
            "artist",
        ),
    ),
}
# A category missing above (the taxonomy grew): generic video work.
DEFAULT_SERVICES = CategoryWords(
    services=("video editing", "video production"), tags=("video", "editing", "video production")
)

# What fills the phrase slots {adj}, {audience}, {extra}, {software}, {role} and {camera}.
ADJECTIVES: tuple[str, ...] = (
    "cinematic",
    "professional",
    "creative",
    "engaging",
    "viral",
    "stunning",
    "premium",
    "clean",
    "dynamic",
    "emotional",
    "epic",
    "modern",
    "polished",
    "fast",
    "affordable",
    "high-end",
    "minimalist",
    "bold",
)
AUDIENCES: tuple[str, ...] = (
    "youtube channel",
    "brand",
    "business",
    "wedding",
    "startup",
    "podcast",
    "event",
    "online course",
    "instagram",
    "real estate listing",
    "restaurant",
    "band",
    "fitness brand",
    "saas product",
    "nonprofit",
)
EXTRAS: tuple[str, ...] = (
    "motion graphics",
    "captions",
    "color grading",
    "sound design",
    "licensed music",
    "fast delivery",
    "unlimited revisions",
    "b-roll",
    "subtitles",
    "thumbnails",
    "4k export",
)
SOFTWARE: tuple[str, ...] = (
    "Premiere Pro",
    "After Effects",
    "DaVinci Resolve",
    "Final Cut Pro",
    "Blender",
    "Cinema 4D",
    "Avid",
)
ROLES: tuple[str, ...] = (
    "video editor",
    "motion designer",
    "colorist",
    "animator",
    "filmmaker",
    "post-production artist",
)
CAMERAS: tuple[str, ...] = (
    "a Sony FX3",
    "an iPhone 15 Pro",
    "a Canon R5",
    "a GoPro",
    "a DJI drone",
    "a BMPCC 6K",
)

# Gig titles and descriptions; a capitalised slot ({Adj}, {Service}) is capitalised.
TITLE_TEMPLATES: tuple[str, ...] = (
    "{Adj} {service}",
    "{Adj} {service} for your {audience}",
    "I will do {adj} {service} for your {audience}",
    "{Service} for {audience} videos",
    "{Adj} {service} with {extra}",
    "{Service} in 4k with {extra}",
    "{Service} and {service2}",
)
DESCRIPTION_SENTENCES: tuple[str, ...] = (
    "I am a {role} with {years} years of experience and more than {projects} delivered projects.",
    "Send me your raw footage and a reference you like; I deliver a {adj} {service} that fits your {audience}.",
    "Every package includes {extra} and {extra2}, exported for the platforms you need.",
    "I work in {software} and {software2}, with a calibrated monitor and licensed fonts and music.",
    "Clients come back for the pacing, the clean cuts and the {adj} look of the final film.",
    "Tell me about your {audience} before ordering so that we agree on style, length and deadline.",
    "Revisions are quick: comment on the timeline and I turn them around within a day.",
    "Need something custom? Message me and I will send an offer for your {service}.",
)
# The first few are about the person: creator bios draw from these only.
BIO_SENTENCES = DESCRIPTION_SENTENCES[:4]

# Projects (a client's brief): the title, and the sentences of the description, all of them in order.
PROJECT_TEMPLATES: tuple[str, ...] = (
    "Need {service} for our {audience}",
    "Looking for a {adj} {service} editor",
    "{Service} for a product launch",
    "Ongoing {service}: {count} videos a month",
    "{Service} for a {audience} campaign",
)
PROJECT_SENTENCES: tuple[str, ...] = (
    "We are a small team and need help with {service} for our {audience}.",
    "We have about {hours} hours of footage shot on {camera}.",
    "The style should be {adj}, similar to the references we will share.",
    "Please include {extra} and deliver in 16:9 and 9:16.",
    "Tell us about similar work you have done and your usual turnaround.",
)

# Creators' profiles.
HOURLY_RATES_MINOR: tuple[int, ...] = (2500, 3500, 4500, 6000, 8000, 12000)
AVAILABILITY: tuple[str, ...] = (
    "full-time",
    "part-time",
    "part-time",
    "unavailable",
)  # part-time twice as often
RESPONSE_TIME_HOURS: tuple[int, ...] = (1, 2, 4, 8, 24)
# "{years} years of experience and more than {projects} delivered projects".
DELIVERED_PROJECTS: tuple[int, ...] = (50, 120, 300, 500, 1000)

# Projects: the lower end of the budget in euros (the upper end is 1 to 4 times it), and how
# many of them are in each state.
PROJECT_BUDGET_MIN_EUR: tuple[int, ...] = (100, 250, 500, 1000, 2500, 5000)
PROJECT_STATUSES: tuple[str, ...] = ("open", "in_progress", "completed", "cancelled")
PROJECT_STATUS_WEIGHTS: tuple[int, ...] = (80, 10, 6, 4)

# A gig has the first 1, 2 or 3 of these, in this order; the weights say how many gigs have 1, 2, 3.
PACKAGE_COUNT_WEIGHTS: tuple[int, ...] = (25, 15, 60)
PACKAGE_TIERS: tuple[PackageTier, ...] = (
    PackageTier("basic", minutes=3, revisions=1, features=("HD export",)),
    PackageTier("standard", minutes=8, revisions=3, features=("4K export", "subtitles")),
    PackageTier("premium", minutes=20, revisions=5, features=("4K export", "subtitles", "source files")),
)
