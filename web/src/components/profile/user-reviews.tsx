import { useId, useState } from "react";
import { useUserReviews, type ReviewSort } from "@/api/queries";
import { Avatar } from "@/components/avatar";
import { Stars } from "@/components/stars";
import { EmptyState, ErrorState } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDate, plural } from "@/lib/format";
import { cn } from "@/lib/utils";

const SORTS: { value: ReviewSort; label: string }[] = [
  { value: "newest", label: "Newest" },
  { value: "helpful", label: "Most helpful" },
  { value: "highest", label: "Highest rated" },
  { value: "lowest", label: "Lowest rated" },
];

/** The published reviews a person received, with the summary; paged. */
export function UserReviews({ userId, name }: { userId: string; name: string }) {
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<ReviewSort>("newest");
  const sortId = useId();
  const reviews = useUserReviews(userId, page, sort);
  const summary = reviews.data?.summary;

  return (
    <section aria-labelledby="reviews" className="flex flex-col gap-4">
      <h2 id="reviews" className="text-xl font-semibold tracking-tight">
        Reviews
      </h2>
      {reviews.isPending ? (
        <div className="flex flex-col gap-3" aria-busy="true">
          <Skeleton className="h-20 w-full" />
          <Skeleton className="h-20 w-full" />
        </div>
      ) : reviews.isError ? (
        <ErrorState
          error={reviews.error}
          title="Could not load reviews"
          onRetry={() => void reviews.refetch()}
        />
      ) : !summary || summary.count === 0 ? (
        <EmptyState title="No reviews yet">Reviews appear here after completed orders.</EmptyState>
      ) : (
        <>
          <div className="flex flex-wrap items-center justify-between gap-3">
            <div className="flex items-center gap-3">
              <p className="text-3xl font-bold">{Number(summary.rating).toFixed(1)}</p>
              <div className="flex flex-col gap-0.5">
                <Stars rating={Number(summary.rating)} />
                <p className="text-sm text-muted-foreground">{plural(summary.count, "review")}</p>
              </div>
            </div>
            <div className="flex items-center gap-2">
              <label htmlFor={sortId} className="text-sm text-muted-foreground">
                Sort by
              </label>
              <select
                id={sortId}
                value={sort}
                onChange={(event) => {
                  setSort(event.target.value as ReviewSort);
                  setPage(1);
                }}
                className="h-9 rounded-md border border-input bg-background px-2 text-sm"
              >
                {SORTS.map((option) => (
                  <option key={option.value} value={option.value}>
                    {option.label}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <ol className={cn("flex flex-col divide-y", reviews.isPlaceholderData && "opacity-60")}>
            {reviews.data.items.map((review) => (
              <li key={review.id} className="flex flex-col gap-2 py-4">
                <div className="flex items-center gap-3">
                  <Avatar
                    name={review.reviewer.full_name}
                    url={review.reviewer.avatar_url}
                    className="size-9"
                  />
                  <div className="min-w-0">
                    <p className="truncate font-medium">{review.reviewer.full_name}</p>
                    <p className="flex items-center gap-2 text-xs text-muted-foreground">
                      <Stars rating={review.rating} className="[&_svg]:size-3.5" />
                      <time dateTime={review.published_at ?? review.created_at}>
                        {formatDate(review.published_at ?? review.created_at)}
                      </time>
                    </p>
                  </div>
                </div>
                <p className="text-sm whitespace-pre-line">{review.comment}</p>
                {review.reply && (
                  <div className="ml-4 rounded-md border-l-2 bg-muted px-3 py-2 text-sm">
                    <p className="font-medium">Reply from {name}</p>
                    <p className="whitespace-pre-line">{review.reply.text}</p>
                  </div>
                )}
              </li>
            ))}
          </ol>
          {reviews.data.total_pages > 1 && (
            <nav aria-label="Review pages" className="flex items-center justify-center gap-3">
              <Button
                variant="outline"
                size="sm"
                disabled={page <= 1}
                onClick={() => setPage(page - 1)}
              >
                Previous
              </Button>
              <span className="text-sm text-muted-foreground">
                Page {page} of {reviews.data.total_pages}
              </span>
              <Button
                variant="outline"
                size="sm"
                disabled={page >= reviews.data.total_pages}
                onClick={() => setPage(page + 1)}
              >
                Next
              </Button>
            </nav>
          )}
        </>
      )}
    </section>
  );
}
