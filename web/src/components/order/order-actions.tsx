import { useState } from "react";
import type { OrderDetail } from "@/api/orders";
import { BundleComments } from "@/components/review/bundle-comments";
import { useOpenCommentCount } from "@/components/review/review-hooks";
import { useApproveOrder, useCancelOrder, useOpenDispute, useRequestRevision } from "@/api/orders";
import { formatMoney, plural } from "@/lib/format";
import { ConfirmDialog, ReasonDialog } from "./action-dialogs";
import type { Side } from "./status-model";

const PAID_STATES = new Set(["in_progress", "delivered", "revision_requested"]);

function latestNote(order: OrderDetail, kind: string): string | null {
  return order.events.findLast((event) => event.kind === kind)?.note ?? null;
}

/** The client cancels alone once the delivery date passed without a delivery. */
function isLate(order: OrderDetail): boolean {
  return (
    order.delivered_at === null &&
    order.delivery_date !== null &&
    Date.parse(order.delivery_date) < Date.now()
  );
}

function CancellationNotice({ order, side }: { order: OrderDetail; side: "client" | "creator" }) {
  const requester = order.cancellation_requested_by;
  if (!requester || !PAID_STATES.has(order.status)) return null;
  const other = side === "client" ? "creator" : "client";
  if (requester === (side === "client" ? order.client_id : order.creator_id)) {
    return (
      <p role="status" className="rounded-md border bg-muted px-3 py-2 text-sm">
        You asked to cancel this order. It is cancelled, and the client refunded, once the {other}{" "}
        accepts.
      </p>
    );
  }
  const reason = latestNote(order, "cancellation_requested");
  return (
    <div role="status" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm">
      <p className="font-medium text-amber-950">The {other} asked to cancel this order.</p>
      {reason && <p className="whitespace-pre-line text-amber-950">“{reason}”</p>}
      <p className="text-amber-950">
        Accepting cancels the order and refunds the client; you can also keep working on it or open
        a dispute.
      </p>
    </div>
  );
}

function CancelAction({ order, side }: { order: OrderDetail; side: "client" | "creator" }) {
  const cancel = useCancelOrder(order.id);
  const mine = side === "client" ? order.client_id : order.creator_id;
  const amount = formatMoney(order.amount);
  if (order.status === "pending_payment") {
    return (
      <ReasonDialog
        trigger="Cancel order"
        title="Cancel this order?"
        description="Nothing has been paid yet: the order is cancelled at once."
        submit="Cancel order"
        submitVariant="destructive"
        onSubmit={(reason) => cancel.mutateAsync(reason)}
      />
    );
  }
  if (!PAID_STATES.has(order.status) || order.cancellation_requested_by === mine) return null;
  if (order.cancellation_requested_by) {
    return (
      <ReasonDialog
        trigger="Accept cancellation"
        title="Accept the cancellation?"
        description={`The order is cancelled and the client is refunded ${amount}.`}
        submit="Cancel the order"
        submitVariant="destructive"
        onSubmit={(reason) => cancel.mutateAsync(reason)}
      />
    );
  }
  const late = side === "client" && isLate(order);
  return (
    <ReasonDialog
      trigger={late ? "Cancel order" : "Ask to cancel"}
      title={late ? "Cancel this late order?" : "Ask to cancel this order?"}
      description={
        late
          ? `The delivery date has passed without a delivery: the order is cancelled at once and you are refunded ${amount}.`
          : `A paid order is cancelled only when both sides agree: the ${side === "client" ? "creator" : "client"} is asked to accept. Once they do, the client is refunded ${amount}.`
      }
      submit={late ? "Cancel order" : "Ask to cancel"}
      submitVariant="destructive"
      onSubmit={(reason) => cancel.mutateAsync(reason)}
    />
  );
}

function DisputeAction({ order }: { order: OrderDetail }) {
  const dispute = useOpenDispute(order.id);
  if (!PAID_STATES.has(order.status)) return null;
  return (
    <ReasonDialog
      trigger="Open a dispute"
      triggerVariant="ghost"
      title="Open a dispute?"
      description="The order is frozen until ReelByte's team decides how the money held for it is split. Try to agree with the other side first."
      label="What went wrong"
      submit="Open a dispute"
      submitVariant="destructive"
      onSubmit={(reason) => dispute.mutateAsync(reason)}
    />
  );
}

function ReviewDeliveryActions({ order }: { order: OrderDetail }) {
  const approve = useApproveOrder(order.id);
  const revise = useRequestRevision(order.id);
  const open = useOpenCommentCount(order);
  const [bundle, setBundle] = useState(true);
  const left = order.revisions_allowed - order.revisions_used;
  const used = `You have used ${order.revisions_used} of ${plural(order.revisions_allowed, "revision")}.`;
  return (
    <>
      <ConfirmDialog
        trigger="Approve delivery"
        title="Approve the delivery?"
        description={`The order is completed and the ${formatMoney(order.amount)} held for it is released to the creator. This cannot be undone.`}
        submit="Approve and release payment"
        onConfirm={() => approve.mutateAsync(undefined)}
      />
      <ReasonDialog
        trigger="Request a revision"
        title="Request a revision"
        description={`Tell the creator what to change. ${used}`}
        label="What should change"
        submit="Request revision"
        disabled={left <= 0}
        onSubmit={(reason) =>
          revise.mutateAsync({ reason, includeOpenComments: open > 0 && bundle })
        }
      >
        {open > 0 && <BundleComments count={open} checked={bundle} onCheckedChange={setBundle} />}
      </ReasonDialog>
    </>
  );
}

/** What the viewer can do with the order now (the Deliver form and payment are apart). */
export function OrderActions({ order, side }: { order: OrderDetail; side: Side }) {
  if (side === null) return null;
  const reviewing = side === "client" && order.status === "delivered" && !order.uses_milestones;
  const noRevisions = order.revisions_used >= order.revisions_allowed;
  return (
    <div className="flex flex-col gap-3">
      <CancellationNotice order={order} side={side} />
      {reviewing && (
        <p className="text-sm">
          The work is delivered: approve it, or ask for changes.{" "}
          {noRevisions ? (
            <span className="text-muted-foreground">
              No revisions left: this order included {plural(order.revisions_allowed, "revision")},
              all used.
            </span>
          ) : (
            <span className="text-muted-foreground">
              {plural(order.revisions_allowed - order.revisions_used, "revision")} left of{" "}
              {order.revisions_allowed}.
            </span>
          )}
        </p>
      )}
      <div className="flex flex-wrap gap-2">
        {reviewing && <ReviewDeliveryActions order={order} />}
        <CancelAction order={order} side={side} />
        <DisputeAction order={order} />
      </div>
    </div>
  );
}
