import { useId } from "react";
import { cn } from "@/lib/utils";

function Star({ fill, className }: { fill: number; className?: string }) {
  const id = useId();
  return (
    <svg viewBox="0 0 20 20" aria-hidden="true" className={cn("size-4", className)}>
      <defs>
        <linearGradient id={id}>
          <stop offset={`${fill * 100}%`} stopColor="currentColor" />
          <stop offset={`${fill * 100}%`} stopColor="currentColor" stopOpacity="0.25" />
        </linearGradient>
      </defs>
      <path
        fill={`url(#${id})`}
        d="M10 1.5l2.6 5.4 5.9.8-4.3 4.1 1 5.8L10 14.8l-5.2 2.8 1-5.8L1.5 7.7l5.9-.8z"
      />
    </svg>
  );
}

/** Five stars filled to `rating` (0–5), read out as "Rated 4.5 out of 5". */
export function Stars({ rating, className }: { rating: number; className?: string }) {
  const value = Math.max(0, Math.min(5, rating));
  return (
    <span
      role="img"
      aria-label={`Rated ${value.toFixed(1)} out of 5`}
      className={cn("inline-flex text-star", className)}
    >
      {[0, 1, 2, 3, 4].map((index) => (
        <Star key={index} fill={Math.max(0, Math.min(1, value - index))} />
      ))}
    </span>
  );
}

/** One star and the number: "★ 4.9 (128)". */
export function RatingBadge({ rating, reviews }: { rating: string; reviews: number }) {
  if (reviews === 0) return <span className="text-sm text-muted-foreground">No reviews yet</span>;
  return (
    <span className="inline-flex items-center gap-1 text-sm">
      <svg viewBox="0 0 20 20" aria-hidden="true" className="size-4 text-star">
        <path
          fill="currentColor"
          d="M10 1.5l2.6 5.4 5.9.8-4.3 4.1 1 5.8L10 14.8l-5.2 2.8 1-5.8L1.5 7.7l5.9-.8z"
        />
      </svg>
      <span className="font-semibold">{Number(rating).toFixed(1)}</span>
      <span className="text-muted-foreground">
        ({reviews.toLocaleString()}
        <span className="sr-only"> reviews</span>)
      </span>
    </span>
  );
}
