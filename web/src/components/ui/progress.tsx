import * as ProgressPrimitive from "@radix-ui/react-progress";
import type { ComponentProps } from "react";
import { cn } from "@/lib/utils";

/** A progress bar (role="progressbar" with aria-valuenow/min/max); give it an `aria-label`.
 * `value` null shows an indeterminate bar. */
export function Progress({
  className,
  value,
  max = 100,
  ...props
}: ComponentProps<typeof ProgressPrimitive.Root>) {
  const clamped = value === null || value === undefined ? null : Math.min(max, Math.max(0, value));
  const share = clamped === null ? null : clamped / max;
  return (
    <ProgressPrimitive.Root
      value={clamped}
      max={max}
      className={cn("relative h-2 w-full overflow-hidden rounded-full bg-muted", className)}
      {...props}
    >
      <ProgressPrimitive.Indicator
        className={cn(
          "h-full bg-primary transition-transform duration-200",
          share === null && "w-1/3 animate-pulse",
        )}
        style={share === null ? undefined : { transform: `translateX(-${100 - share * 100}%)` }}
      />
    </ProgressPrimitive.Root>
  );
}
