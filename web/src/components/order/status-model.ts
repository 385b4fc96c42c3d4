import type { OrderOut, OrderStatus } from "@/api/orders";
import type { BadgeProps } from "@/components/ui/badge";

export const STATUSES: Record<OrderStatus, { label: string; variant: BadgeProps["variant"] }> = {
  pending_payment: { label: "Awaiting payment", variant: "warning" },
  in_progress: { label: "In progress", variant: "info" },
  delivered: { label: "Delivered", variant: "default" },
  revision_requested: { label: "Revision requested", variant: "warning" },
  completed: { label: "Completed", variant: "success" },
  cancelled: { label: "Cancelled", variant: "secondary" },
  disputed: { label: "Disputed", variant: "destructive" },
};

export const ORDER_STATUSES = Object.keys(STATUSES) as OrderStatus[];

export function isKnownStatus(status: string): status is OrderStatus {
  return status in STATUSES;
}

export function statusLabel(status: string): string {
  return isKnownStatus(status) ? STATUSES[status].label : status.replaceAll("_", " ");
}

export type Side = "client" | "creator" | null;

/** Which party of the order the viewer is (null: an admin reading it). */
export function sideOf(order: OrderOut, viewerId: string | undefined): Side {
  if (viewerId === order.client_id) return "client";
  if (viewerId === order.creator_id) return "creator";
  return null;
}
