/** API bodies for tests, typed by the generated schema so they cannot drift from the API. */
import type { MyGig } from "@/api/creator";
import type {
  CategoryNode,
  GigOut,
  GigSummary,
  PrivateProfile,
  PublicProfile,
  ReviewOut,
  ReviewPage,
} from "@/api/queries";

const NOW = "2026-11-20T10:00:00Z";

const creator: GigSummary["creator"] = {
  id: "6f1c1f8e-0000-4000-8000-000000000001",
  username: "maya-edits",
  full_name: "Maya Jensen",
  avatar_url: null,
  creator_level: "pro",
  rating: "4.86",
  total_reviews: 128,
  on_time_delivery_percent: 97,
  repeat_client_percent: 41,
  is_verified: true,
};

export function gigSummary(overrides: Partial<GigSummary> = {}): GigSummary {
  const slug = overrides.slug ?? "wedding-highlight-film";
  return {
    id: `gig-${slug}`,
    slug,
    title: "I will edit your wedding highlight film",
    creator,
    creator_level: "pro",
    category_id: 1,
    subcategory_id: null,
    tags: ["wedding", "premiere pro"],
    thumbnail_url: `https://cdn.test/${slug}.jpg`,
    video_preview_url: null,
    price_from: { currency: "EUR", value: "120.00" },
    price_to: { currency: "EUR", value: "480.00" },
    min_delivery_days: 3,
    stats: { views: 1200, orders: 54, rating: "4.86", total_reviews: 128 },
    is_featured: false,
    created_at: NOW,
    ...overrides,
  };
}

export function gigPage(items: GigSummary[]) {
  return {
    items,
    total: items.length,
    page: 1,
    page_size: 8,
    total_pages: items.length ? 1 : 0,
    next_cursor: null,
    total_is_exact: true,
  };
}

/** One of the creator's own gigs (GET /v1/users/me/gigs), listed unless told otherwise. */
export function myGig(overrides: Partial<MyGig> = {}): MyGig {
  return {
    ...gigSummary(overrides),
    is_active: true,
    is_listed: true,
    hidden_by_moderators: false,
    updated_at: NOW,
    ...overrides,
  };
}

function pkg(tier: "basic" | "standard" | "premium", name: string, value: string, days: number) {
  return {
    id: `pkg-${tier}`,
    gig_id: "gig-wedding-highlight-film",
    tier,
    name,
    description: `${name} edit of your wedding day.`,
    price: { currency: "EUR" as const, value },
    delivery_days: days,
    revisions: tier === "basic" ? 1 : 3,
    features: ["Colour grading", tier === "premium" ? "4K master" : "1080p master"],
    created_at: NOW,
    updated_at: NOW,
    video_spec: null,
  };
}

export function gigOut(overrides: Partial<GigOut> = {}): GigOut {
  return {
    ...gigSummary({ video_preview_url: "https://cdn.test/wedding-preview.mp4" }),
    description: "Cinematic highlight films, cut to music.",
    requirements: "Send your footage and your favourite song.",
    gallery_urls: ["https://cdn.test/still-1.jpg", "https://cdn.test/uploads/clip/preview.mp4"],
    gallery_uploads: [
      {
        upload_id: "7d0f3c52-0000-4000-8000-000000000009",
        kind: "video",
        url: "https://cdn.test/uploads/clip/preview.mp4",
        poster_url: "https://cdn.test/uploads/clip/poster.jpg",
        thumbnail_url: "https://cdn.test/uploads/clip/thumb.jpg",
      },
    ],
    video_preview_upload_id: null,
    category: { id: 1, name: "Video Editing", slug: "video-editing" },
    subcategory: { id: 7, name: "Wedding Films", slug: "wedding-films" },
    is_active: true,
    // Out of order on purpose: the page shows Basic, Standard, Premium.
    packages: [
      pkg("premium", "Premium", "480.00", 10),
      pkg("basic", "Basic", "120.00", 3),
      pkg("standard", "Standard", "240.00", 5),
    ],
    updated_at: NOW,
    ...overrides,
  };
}

export function publicProfile(overrides: Partial<PublicProfile> = {}): PublicProfile {
  return {
    id: creator.id,
    username: creator.username,
    full_name: creator.full_name,
    role: "creator",
    is_verified: creator.is_verified,
    bio: null,
    avatar_url: null,
    avatar_upload_id: null,
    timezone: "Europe/Amsterdam",
    language: "en",
    skills: [],
    hourly_rate: null,
    availability: null,
    website_url: null,
    youtube_url: null,
    instagram_url: null,
    stats: {
      rating: "4.86",
      total_reviews: 128,
      total_orders: 140,
      response_time_hours: 2,
      on_time_delivery_percent: 97,
      repeat_client_percent: 41,
    },
    creator_level: "pro",
    member_since: NOW,
    online: false,
    last_seen_at: null,
    ...overrides,
  };
}

export function review(overrides: Partial<ReviewOut> = {}): ReviewOut {
  return {
    id: "review-1",
    order_id: "order-1",
    gig_id: "gig-wedding-highlight-film",
    reviewee_id: creator.id,
    reviewer: { id: "client-1", username: "sam", full_name: "Sam Client", avatar_url: null },
    rating: 5,
    communication_rating: 5,
    quality_rating: 5,
    timeliness_rating: 4,
    comment: "Beautiful film, delivered early.",
    helpful_count: 3,
    reply: { text: "Thank you, Sam!", created_at: NOW },
    published: true,
    published_at: NOW,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

export function reviewPage(items: ReviewOut[]): ReviewPage {
  return {
    items,
    total: items.length,
    page: 1,
    page_size: 10,
    total_pages: 1,
    next_cursor: null,
    total_is_exact: true,
    summary: {
      rating: "4.50",
      count: 4,
      histogram: { "5": 3, "4": 0, "3": 1, "2": 0, "1": 0 },
      averages: { communication: "4.75", quality: "4.50", timeliness: "4.25" },
    },
  };
}

export const categories: CategoryNode[] = [
  {
    id: 1,
    parent_id: null,
    name: "Video Editing",
    slug: "video-editing",
    description: null,
    icon: null,
    display_order: 1,
    is_active: true,
    subcategories: [],
  },
  {
    id: 2,
    parent_id: null,
    name: "Social Media Reels",
    slug: "reels",
    description: null,
    icon: null,
    display_order: 2,
    is_active: true,
    subcategories: [],
  },
];

export function privateProfile(overrides: Partial<PrivateProfile> = {}): PrivateProfile {
  return {
    ...publicProfile({ id: "client-1", username: "sam", full_name: "Sam Client", role: "client" }),
    email: "sam@example.com",
    email_verified: true,
    must_verify_email: false,
    is_active: true,
    notification_preferences: {},
    last_login_at: null,
    ...overrides,
  };
}
