import { cn } from "@/lib/utils";

/** The check an admin gives a creator whose identity or portfolio they verified. */
export function VerifiedBadge({ verified, className }: { verified: boolean; className?: string }) {
  if (!verified) return null;
  return (
    <span
      title="Verified by ReelByte"
      className={cn(
        "inline-flex shrink-0 items-center gap-1 text-xs font-medium text-sky-700",
        className,
      )}
    >
      <svg viewBox="0 0 20 20" aria-hidden="true" className="size-4 fill-current">
        <path d="M10 1.5l2.2 1.6 2.7-.2.9 2.6 2.3 1.5-.8 2.6.8 2.6-2.3 1.5-.9 2.6-2.7-.2L10 18.5l-2.2-1.6-2.7.2-.9-2.6-2.3-1.5.8-2.6-.8-2.6 2.3-1.5.9-2.6 2.7.2L10 1.5zm-1.1 11.4l5-5-1.2-1.2-3.8 3.8-1.8-1.8-1.2 1.2 3 3z" />
      </svg>
      <span>Verified</span>
    </span>
  );
}
