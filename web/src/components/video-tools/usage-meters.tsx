import type { MetricUsage, UsageOut } from "@/api/video-tools";
import { Progress } from "@/components/ui/progress";
import { formatDate } from "@/lib/format";
import { cn } from "@/lib/utils";

const METRICS: Partial<Record<MetricUsage["metric"], string>> = {
  trim: "Trims",
  auto_hook: "Auto-hooks",
  processing_seconds: "Processing",
};

function amount(metric: MetricUsage["metric"], value: number): string {
  if (metric === "processing_seconds") return `${Math.round(value / 60).toLocaleString()} min`;
  return value.toLocaleString();
}

/** My use of the video tools this period against my plan's limits. */
export function UsageMeters({ usage }: { usage: UsageOut }) {
  const metrics = usage.metrics.filter((item) => METRICS[item.metric]);
  return (
    <div className="flex flex-col gap-3">
      <p className="text-sm text-muted-foreground">
        <span className="font-medium text-foreground capitalize">{usage.plan}</span> plan · until{" "}
        {formatDate(usage.period_end)}
      </p>
      <ul className="flex flex-col gap-3">
        {metrics.map((item) => {
          const label = METRICS[item.metric] ?? item.metric;
          const full = item.limit !== null && item.used >= item.limit;
          return (
            <li key={item.metric} className="flex flex-col gap-1 text-sm">
              <span className="flex justify-between gap-2">
                <span>{label}</span>
                <span className={cn("tabular-nums", full && "font-semibold text-destructive")}>
                  {amount(item.metric, item.used)}
                  {item.limit === null ? " (unlimited)" : ` of ${amount(item.metric, item.limit)}`}
                </span>
              </span>
              {item.limit !== null && (
                <Progress
                  aria-label={`${label} used`}
                  value={item.used}
                  max={Math.max(1, item.limit)}
                  className={full ? "[&>div]:bg-destructive" : undefined}
                />
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
