import type { DeliverableOut, DeliveryOut, OrderDetail } from "@/api/orders";
import type { CommentThread, SpecItem } from "@/api/review";

/** Comments are written while the order is live; completed and cancelled orders are read-only. */
const COMMENTABLE = new Set(["in_progress", "delivered", "revision_requested", "disputed"]);

export function commentsOpen(order: Pick<OrderDetail, "status">): boolean {
  return COMMENTABLE.has(order.status);
}

/** A thread still to act on: not resolved, not deleted, not addressed by a later delivery. */
export function isOpenThread(thread: CommentThread): boolean {
  return !thread.resolved && !thread.deleted && thread.addressed_by_delivery_id === null;
}

export function openThreads(threads: CommentThread[]): CommentThread[] {
  return threads.filter(isOpenThread);
}

/** Who wrote a comment, as the viewer reads it. */
export function authorName(
  authorId: string,
  order: Pick<OrderDetail, "client_id" | "creator_id">,
  viewerId: string | undefined,
): string {
  if (authorId === viewerId) return "You";
  if (authorId === order.client_id) return "Client";
  if (authorId === order.creator_id) return "Creator";
  return "ReelByte";
}

/** The threads pinned near `ms` (within `windowMs`) that have a spot on the frame. */
export function pinsAt(threads: CommentThread[], ms: number, windowMs = 600): CommentThread[] {
  return threads.filter(
    (thread) =>
      thread.x !== null &&
      thread.y !== null &&
      !thread.deleted &&
      Math.abs(thread.timecode_ms - ms) <= windowMs,
  );
}

/** The comment ids the latest revision request bundled (its event's `data.comment_ids`). */
export function bundledCommentIds(order: Pick<OrderDetail, "events">): string[] {
  const event = order.events.findLast((item) => item.kind === "revision_requested");
  const ids = (event?.data as { comment_ids?: unknown } | undefined)?.comment_ids;
  return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
}

export type VideoDeliverable = DeliverableOut & { file: NonNullable<DeliverableOut["file"]> };

/** The video of a delivery that is reviewed: its first (comments belong to the delivery). */
export function reviewedVideo(delivery: DeliveryOut): VideoDeliverable | null {
  const item = delivery.deliverables.find((each) => each.file?.kind === "video");
  return item ? (item as VideoDeliverable) : null;
}

const CHECKS: Record<string, string> = {
  aspect_ratio: "Aspect ratio",
  resolution: "Resolution",
  duration: "Duration",
  frame_rate: "Frame rate",
  loudness: "Loudness",
  true_peak: "True peak",
  container: "Container",
  video_codec: "Video codec",
  black_start: "Black frames at the start",
  black_end: "Black frames at the end",
  frozen_start: "Frozen frames at the start",
  frozen_end: "Frozen frames at the end",
};

export function checkLabel(check: string): string {
  return CHECKS[check] ?? check.replaceAll("_", " ");
}

/** A measured value with its unit, rounded for reading. */
export function measuredText(item: Pick<SpecItem, "measured" | "unit">): string {
  if (item.measured === null) return "unknown";
  const value =
    typeof item.measured === "number"
      ? String(Math.round(item.measured * 100) / 100)
      : item.measured;
  return item.unit ? `${value} ${item.unit}` : value;
}
