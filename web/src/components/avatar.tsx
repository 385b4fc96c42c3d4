import { cn } from "@/lib/utils";

/** A person's picture, or their initial on a tint; decorative (the name is always beside it). */
export function Avatar({
  name,
  url,
  className,
}: {
  name: string;
  url: string | null | undefined;
  className?: string;
}) {
  if (url) {
    return (
      <img
        src={url}
        alt=""
        width={40}
        height={40}
        className={cn("size-10 shrink-0 rounded-full object-cover", className)}
      />
    );
  }
  return (
    <span
      aria-hidden="true"
      className={cn(
        "flex size-10 shrink-0 items-center justify-center rounded-full bg-accent font-semibold text-accent-foreground",
        className,
      )}
    >
      {name.trim().slice(0, 1).toUpperCase() || "?"}
    </span>
  );
}
