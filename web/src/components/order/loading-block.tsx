import { Skeleton } from "@/components/ui/skeleton";
import { cn } from "@/lib/utils";

/** Placeholder shapes while something loads, announced once as `label`. */
export function LoadingBlock({
  label,
  rows = 1,
  className,
}: {
  label: string;
  rows?: number;
  className?: string;
}) {
  return (
    <div role="status" className="flex flex-col gap-3">
      <span className="sr-only">{label}…</span>
      {Array.from({ length: rows }, (_, index) => (
        <Skeleton key={index} className={cn("h-20 w-full", className)} />
      ))}
    </div>
  );
}
