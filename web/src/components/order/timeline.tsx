import type { OrderDetail, OrderEvent } from "@/api/orders";
import { formatDateTime } from "./dates";
import { StatusBadge } from "./status";

const KINDS: Record<string, string> = {
  created: "Order placed",
  paid: "Payment received: work started",
  delivered: "Work delivered",
  revision_requested: "Revision requested",
  approved: "Delivery approved: order completed",
  auto_completed: "Completed automatically",
  cancellation_requested: "Cancellation requested",
  cancellation_accepted: "Cancellation accepted",
  cancelled: "Order cancelled",
  cancelled_late_delivery: "Cancelled: the delivery was late",
  disputed: "Dispute opened",
  dispute_resolved: "Dispute resolved",
  milestones_planned: "Milestones planned",
  milestone_funded: "Milestone funded",
  milestone_submitted: "Milestone submitted",
  milestone_approved: "Milestone approved",
  milestone_rejected: "Milestone sent back",
};

function describe(event: OrderEvent): string {
  return KINDS[event.kind] ?? event.kind.replaceAll("_", " ");
}

function actorOf(order: OrderDetail, event: OrderEvent, viewerId: string | undefined): string {
  if (event.actor_id === null) return "ReelByte";
  if (event.actor_id === viewerId) return "You";
  if (event.actor_id === order.client_id) return "The client";
  if (event.actor_id === order.creator_id) return "The creator";
  return "ReelByte";
}

/** The order's history, oldest first: what happened, who did it, when, and why when given. */
export function OrderTimeline({
  order,
  viewerId,
}: {
  order: OrderDetail;
  viewerId: string | undefined;
}) {
  return (
    <ol className="flex flex-col">
      {order.events.map((event, index) => (
        <li
          key={`${event.created_at}-${index}`}
          className="relative flex gap-3 pb-5 last:pb-0 before:absolute before:top-3 before:bottom-0 before:left-[5px] before:w-px before:bg-border last:before:hidden"
        >
          <span
            aria-hidden="true"
            className="mt-1.5 size-[11px] shrink-0 rounded-full border-2 border-primary bg-background"
          />
          <div className="flex min-w-0 flex-col gap-1">
            <p className="flex flex-wrap items-center gap-2 text-sm font-medium">
              {describe(event)}
              {event.to_status && <StatusBadge status={event.to_status} />}
            </p>
            <p className="text-xs text-muted-foreground">
              {actorOf(order, event, viewerId)} ·{" "}
              <time dateTime={event.created_at}>{formatDateTime(event.created_at)}</time>
            </p>
            {event.note && event.kind !== "delivered" && (
              <p className="text-sm whitespace-pre-line">{event.note}</p>
            )}
          </div>
        </li>
      ))}
    </ol>
  );
}
