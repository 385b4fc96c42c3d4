import { useState } from "react";
import { useDecideReview, useFlaggedReviews, type FlaggedReview } from "@/api/admin";
import { errorMessage } from "@/api/errors";
import { FormAlert, TextareaField } from "@/components/form-field";
import { Pager } from "@/components/pager";
import { Stars } from "@/components/stars";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { formatDateTime, plural } from "@/lib/format";

const PAGE_SIZE = 10;
const DEFAULT_REASON = "Hidden: it breaks the review rules.";

function FlaggedReviewCard({ item }: { item: FlaggedReview }) {
  const decide = useDecideReview();
  const [reason, setReason] = useState("");
  const { review } = item;
  const reviewId = review.id;
  return (
    <li
      className="flex flex-col gap-3 rounded-xl border p-4"
      aria-label={`Review by @${review.reviewer.username}`}
    >
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <Stars rating={review.rating} />
        <span className="text-muted-foreground">
          by @{review.reviewer.username}, flagged since {formatDateTime(item.first_flagged_at)}
        </span>
        <Badge variant="warning">{plural(item.flags, "flag")}</Badge>
        {item.hidden && <Badge variant="outline">Hidden</Badge>}
      </div>
      <blockquote className="border-l-2 pl-3 text-sm whitespace-pre-line">
        {review.comment || <span className="text-muted-foreground">(no comment)</span>}
      </blockquote>
      <div className="text-sm">
        <p className="font-medium">Why it was flagged</p>
        <ul className="list-disc pl-5 text-muted-foreground">
          {item.reasons.map((flag) => (
            <li key={`${flag.created_at}-${flag.reason}`}>{flag.reason}</li>
          ))}
        </ul>
      </div>
      {!item.hidden && (
        <TextareaField
          label="Reason for hiding"
          hint="Kept on record with the review. Optional: a standard reason is used otherwise."
          value={reason}
          maxLength={2000}
          rows={2}
          onChange={(event) => setReason(event.target.value)}
        />
      )}
      <FormAlert message={decide.isError ? errorMessage(decide.error) : null} />
      <div className="flex flex-wrap gap-2">
        <Button
          variant="outline"
          disabled={decide.isPending}
          onClick={() => decide.mutate({ reviewId, decision: "keep" })}
        >
          Keep it
        </Button>
        {item.hidden ? (
          <Button
            disabled={decide.isPending}
            onClick={() => decide.mutate({ reviewId, decision: "restore" })}
          >
            Show it again
          </Button>
        ) : (
          <Button
            variant="destructive"
            disabled={decide.isPending}
            onClick={() =>
              decide.mutate({
                reviewId,
                decision: "hide",
                reason: reason.trim() || DEFAULT_REASON,
              })
            }
          >
            Hide it
          </Button>
        )}
      </div>
    </li>
  );
}

/** Reviews users flagged, the longest waiting first: keep, hide or show again. */
export function FlaggedReviews() {
  const [page, setPage] = useState(1);
  const flagged = useFlaggedReviews(page, PAGE_SIZE);
  if (flagged.isPending) return <PageLoading />;
  if (flagged.isError)
    return <ErrorState error={flagged.error} onRetry={() => flagged.refetch()} />;
  const { items, total_pages: totalPages } = flagged.data;
  if (items.length === 0) {
    return <EmptyState title="No flagged reviews">Nothing is waiting for a decision.</EmptyState>;
  }
  return (
    <div className="flex flex-col gap-4">
      <ul aria-label="Flagged reviews" className="flex flex-col gap-3">
        {items.map((item) => (
          <FlaggedReviewCard key={item.review.id} item={item} />
        ))}
      </ul>
      <Pager label="Flagged review pages" page={page} totalPages={totalPages} onPage={setPage} />
    </div>
  );
}
