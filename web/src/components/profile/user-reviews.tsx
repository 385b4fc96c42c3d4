import { useState } from "react";
import { useUserReviews, type ReviewSort } from "@/api/queries";
import { Pager } from "@/components/pager";
import { ReviewList, ReviewSortSelect } from "@/components/review-list";
import { Stars } from "@/components/stars";
import { EmptyState, ErrorState } from "@/components/states";
import { Skeleton } from "@/components/ui/skeleton";
import { plural } from "@/lib/format";

/** The published reviews a person received, with the summary; paged. */
export function UserReviews({ userId, name }: { userId: string; name: string }) {
  const [page, setPage] = useState(1);
  const [sort, setSort] = useState<ReviewSort>("newest");
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
              <ReviewSortSelect
                value={sort}
                onChange={(next) => {
                  setSort(next);
                  setPage(1);
                }}
              />
            </div>
          </div>
          <ReviewList
            reviews={reviews.data.items}
            replier={name}
            dimmed={reviews.isPlaceholderData}
          />
          <Pager
            label="Review pages"
            page={page}
            totalPages={reviews.data.total_pages}
            onPage={setPage}
            size="sm"
          />
        </>
      )}
    </section>
  );
}
