import { Link } from "react-router";
import { errorMessage, isApiError } from "@/api/errors";
import {
  isPlanLimit,
  useBillingPortal,
  usePlanCheckout,
  usePlans,
  type PlanOut,
} from "@/api/video-tools";
import { externalNavigation } from "@/components/order/external-navigation";
import { Spinner } from "@/components/states";
import { Button } from "@/components/ui/button";
import { formatMoney } from "@/lib/format";

function limitText(value: number | null, what: string): string {
  return value === null ? `unlimited ${what}` : `${value.toLocaleString()} ${what}`;
}

function planSummary(plan: PlanOut): string {
  return [
    limitText(plan.trims_per_period, "trims"),
    limitText(plan.hooks_per_period, "auto-hooks"),
    `sources up to ${Math.round(plan.max_source_seconds / 60)} min`,
  ].join(", ");
}

/** The paid plans above the current one, each with its checkout (the provider's page); with a
 * paid plan already, the provider's portal changes it. */
function UpgradeChoices({ current }: { current: string | null }) {
  const plans = usePlans(true);
  const checkout = usePlanCheckout();
  const portal = useBillingPortal();
  if (plans.isPending) {
    return (
      <p className="flex items-center gap-2">
        <Spinner className="size-4" /> Loading the plans…
      </p>
    );
  }
  if (plans.isError) return <p>{errorMessage(plans.error)}</p>;
  const paid = plans.data.filter((plan) => Number(plan.price.value) > 0 && plan.code !== current);
  const failure = checkout.error ?? portal.error;
  const subscribed = isApiError(checkout.error, "subscription_exists");
  return (
    <div className="flex flex-col gap-2">
      <ul className="flex flex-col gap-2">
        {paid.map((plan) => (
          <li key={plan.code} className="flex flex-wrap items-center justify-between gap-2">
            <span>
              <span className="font-medium">{plan.name}</span>, {formatMoney(plan.price)} a month:{" "}
              {planSummary(plan)}.
            </span>
            <Button
              size="sm"
              disabled={checkout.isPending}
              onClick={() =>
                checkout.mutate(plan.code, {
                  onSuccess: ({ checkout_url }) => externalNavigation.assign(checkout_url),
                })
              }
            >
              Upgrade to {plan.name}
            </Button>
          </li>
        ))}
      </ul>
      {failure && <p className="text-destructive">{errorMessage(failure)}</p>}
      {subscribed && (
        <Button
          size="sm"
          variant="outline"
          className="self-start"
          disabled={portal.isPending}
          onClick={() =>
            portal.mutate(undefined, { onSuccess: ({ url }) => externalNavigation.assign(url) })
          }
        >
          Change plan in the billing portal
        </Button>
      )}
    </div>
  );
}

/** The API's 402 as an upgrade prompt: why, and the plans that lift the limit. */
export function PlanLimitPrompt({ error, plan }: { error: unknown; plan: string | null }) {
  if (!isPlanLimit(error) || !isApiError(error)) return null;
  return (
    <div
      role="alert"
      className="flex flex-col gap-2 rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-950"
    >
      <p className="font-medium">
        {error.code === "source_too_long"
          ? "This video is longer than your plan processes."
          : "You have reached your plan’s limit for this period."}
      </p>
      <p>{error.message}</p>
      <UpgradeChoices current={plan} />
      <Link to="/billing" className="self-start font-medium underline">
        Compare all plans and your usage
      </Link>
    </div>
  );
}
