import type { PlanOut } from "@/api/video-tools";

function limit(value: number | null, what: string): string {
  return value === null ? `Unlimited ${what}` : `${value.toLocaleString()} ${what} a month`;
}

function storage(megabytes: number): string {
  return megabytes >= 1024
    ? `${(megabytes / 1024).toLocaleString(undefined, { maximumFractionDigits: 1 })} GB storage`
    : `${megabytes.toLocaleString()} MB storage`;
}

/** A plan's limits and features in words, the most important first. */
export function planFeatures(plan: PlanOut): string[] {
  const minutes = Math.round(plan.max_source_seconds / 60);
  return [
    limit(plan.trims_per_period, "trims"),
    limit(plan.hooks_per_period, "auto-hooks"),
    `Source videos up to ${minutes} min`,
    storage(plan.storage_quota_mb),
    `${Number(plan.marketplace_fee_percentage).toLocaleString()} % marketplace fee on sales`,
    ...(plan.priority_processing ? ["Priority processing"] : []),
    ...(plan.api_access ? ["API access"] : []),
    ...(plan.webhooks ? ["Webhooks"] : []),
  ];
}

/** A paid plan costs something each month. */
export function isPaid(plan: PlanOut): boolean {
  return Number(plan.price.value) > 0;
}
