import { cn } from "@/lib/utils";

/** The green dot on an avatar of someone online (the text says it for screen readers). */
export function OnlineDot({ online, className }: { online: boolean; className?: string }) {
  if (!online) return null;
  return (
    <span
      className={cn(
        "absolute right-0 bottom-0 size-3 rounded-full border-2 border-background bg-green-600",
        className,
      )}
      aria-hidden="true"
    />
  );
}
