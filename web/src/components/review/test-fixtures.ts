/** Review threads for the review's tests, typed by the generated schema. */
import type { CommentThread } from "@/api/review";

export function thread(overrides: Partial<CommentThread> = {}): CommentThread {
  return {
    id: "comment-1",
    order_id: "order-1",
    delivery_id: "delivery-1",
    author_id: "client-1",
    parent_id: null,
    text: "Cut a beat earlier here.",
    timecode_ms: 5000,
    x: 0.4,
    y: 0.6,
    resolved: false,
    resolved_at: null,
    resolved_by: null,
    deleted: false,
    edited_at: null,
    addressed_by_delivery_id: null,
    created_at: "2026-11-20T10:00:00Z",
    replies: [],
    ...overrides,
  };
}
