import { useState } from "react";
import type { DeliveryOut, OrderDetail } from "@/api/orders";
import {
  useApproveMilestone,
  useMilestones,
  useRejectMilestone,
  type MilestoneOut,
} from "@/api/projects";
import { useCommentsOf } from "@/api/review";
import { BundleComments } from "@/components/review/bundle-comments";
import { openThreads } from "@/components/review/review-model";
import { formatMoney } from "@/lib/format";
import { ConfirmDialog, ReasonDialog } from "./action-dialogs";
import { isLatestOfMilestone } from "./milestone-review-model";
import type { Side } from "./status-model";

/** The client's decision on a submitted milestone, next to its delivery's review: approve it
 * (its held money goes to the creator, its original downloads) or request changes, bundling the
 * open comments on the milestone's deliveries. */
function Decide({ order, milestone }: { order: OrderDetail; milestone: MilestoneOut }) {
  const approve = useApproveMilestone(order.id);
  const reject = useRejectMilestone(order.id);
  const ofMilestone = order.deliveries.filter((item) => item.milestone_id === milestone.id);
  const comments = useCommentsOf(ofMilestone.map((item) => item.id));
  const open = comments.reduce((count, result) => count + openThreads(result.data ?? []).length, 0);
  const [bundle, setBundle] = useState(true);
  return (
    <div className="flex flex-wrap gap-2">
      <ConfirmDialog
        trigger="Approve milestone"
        title={`Approve “${milestone.title}”?`}
        description={`The ${formatMoney(milestone.amount)} held for this milestone is released to the creator, and its originals can be downloaded. This cannot be undone.`}
        submit="Approve and release payment"
        onConfirm={() => approve.mutateAsync(milestone.id)}
      />
      <ReasonDialog
        trigger="Request changes"
        title={`Request changes to “${milestone.title}”`}
        description="The creator works on it again and submits anew; the money stays held."
        label="What should change"
        submit="Request changes"
        onSubmit={(reason) =>
          reject.mutateAsync({
            id: milestone.id,
            reason,
            includeOpenComments: open > 0 && bundle,
          })
        }
      >
        {open > 0 && <BundleComments count={open} checked={bundle} onCheckedChange={setBundle} />}
      </ReasonDialog>
    </div>
  );
}

/** What a milestone's submission says above its review: which milestone it hands in and, for
 * the client, the decision on it while it is the latest submission and awaits one. */
export function MilestoneReviewActions({
  order,
  side,
  delivery,
}: {
  order: OrderDetail;
  side: Side;
  delivery: DeliveryOut;
}) {
  const milestones = useMilestones(order.id);
  const milestone = milestones.data?.find((item) => item.id === delivery.milestone_id);
  if (!milestone) return null;
  const awaiting =
    side === "client" &&
    milestone.status === "submitted" &&
    isLatestOfMilestone(delivery, order.deliveries);
  return (
    <div className="flex flex-col gap-2">
      <p className="text-sm text-muted-foreground">
        For the milestone <span className="font-medium text-foreground">{milestone.title}</span>
        {milestone.status === "approved" ? " (approved)" : ""}
      </p>
      {awaiting && <Decide order={order} milestone={milestone} />}
    </div>
  );
}
