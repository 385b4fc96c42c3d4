import type { PlanOut } from "@/api/video-tools";
import { Badge } from "@/components/ui/badge";
import type { ReactNode } from "react";
import { formatMoney } from "@/lib/format";
import { planFeatures } from "./plan-features";

/** One plan: its price and limits, and what the viewer can do with it (`action`). */
export function PlanCard({
  plan,
  current,
  action,
}: {
  plan: PlanOut;
  current: boolean;
  action: ReactNode;
}) {
  return (
    <li
      aria-label={`${plan.name} plan`}
      className="flex flex-col gap-4 rounded-xl border bg-card p-5 shadow-sm data-[current=true]:border-primary"
      data-current={current}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h3 className="text-lg font-semibold">{plan.name}</h3>
        {current && <Badge variant="secondary">Your plan</Badge>}
      </div>
      <p>
        <span className="text-2xl font-bold">{formatMoney(plan.price)}</span>
        <span className="text-sm text-muted-foreground"> a month</span>
      </p>
      <ul className="flex flex-1 flex-col gap-1 text-sm">
        {planFeatures(plan).map((feature) => (
          <li key={feature}>{feature}</li>
        ))}
      </ul>
      {action}
    </li>
  );
}
