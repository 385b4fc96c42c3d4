import { useId } from "react";
import type { ReviewOut } from "@/api/orders";
import type { ReviewSort } from "@/api/queries";
import { Avatar } from "@/components/avatar";
import { Stars } from "@/components/stars";
import { formatDate } from "@/lib/format";
import { cn } from "@/lib/utils";

const SORTS: { value: ReviewSort; label: string }[] = [
  { value: "newest", label: "Newest" },
  { value: "helpful", label: "Most helpful" },
  { value: "highest", label: "Highest rated" },
  { value: "lowest", label: "Lowest rated" },
];

/** The "Sort by" select of a list of reviews. */
export function ReviewSortSelect({
  value,
  onChange,
}: {
  value: ReviewSort;
  onChange: (sort: ReviewSort) => void;
}) {
  const id = useId();
  return (
    <div className="flex items-center gap-2">
      <label htmlFor={id} className="text-sm text-muted-foreground">
        Sort by
      </label>
      <select
        id={id}
        value={value}
        onChange={(event) => onChange(event.target.value as ReviewSort)}
        className="h-9 rounded-md border border-input bg-background px-2 text-sm"
      >
        {SORTS.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** Published reviews, each with its author, stars, date, text and the reply of `replier`. */
export function ReviewList({
  reviews,
  replier,
  dimmed = false,
}: {
  reviews: ReviewOut[];
  replier: string;
  dimmed?: boolean;
}) {
  return (
    <ol className={cn("flex flex-col divide-y", dimmed && "opacity-60")}>
      {reviews.map((review) => (
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
              <p className="font-medium">Reply from {replier}</p>
              <p className="whitespace-pre-line">{review.reply.text}</p>
            </div>
          )}
        </li>
      ))}
    </ol>
  );
}
