import { useState } from "react";
import { Link } from "react-router";
import {
  useCancelSubscription,
  useResumeSubscription,
  useSubscription,
  type SubscriptionOut,
} from "@/api/billing";
import { errorMessage, isApiError } from "@/api/errors";
import { useBillingPortal, usePlanCheckout, usePlans, useUsage } from "@/api/video-tools";
import { PlanCard } from "@/components/billing/plan-card";
import { isPaid } from "@/components/billing/plan-features";
import { externalNavigation } from "@/components/order/external-navigation";
import { ErrorState, Spinner } from "@/components/states";
import { Badge, type BadgeProps } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { UsageMeters } from "@/components/video-tools/usage-meters";
import { formatDate, formatMoney } from "@/lib/format";

const STATUS: Record<SubscriptionOut["status"], { label: string; variant: BadgeProps["variant"] }> =
  {
    free: { label: "Free", variant: "secondary" },
    incomplete: { label: "Payment not completed", variant: "warning" },
    active: { label: "Active", variant: "success" },
    past_due: { label: "Payment failed", variant: "destructive" },
  };

function PortalButton({ label = "Open the billing portal" }: { label?: string }) {
  const portal = useBillingPortal();
  return (
    <div className="flex flex-col gap-1">
      <Button
        variant="outline"
        className="self-start"
        disabled={portal.isPending}
        onClick={() =>
          portal.mutate(undefined, { onSuccess: ({ url }) => externalNavigation.assign(url) })
        }
      >
        {portal.isPending && <Spinner className="size-3" />}
        {label}
      </Button>
      {portal.isError && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(portal.error)}
        </p>
      )}
    </div>
  );
}

/** The plan in effect, its period and state, and cancel / resume. */
function CurrentPlan({ subscription }: { subscription: SubscriptionOut }) {
  const cancel = useCancelSubscription();
  const resume = useResumeSubscription();
  const [confirming, setConfirming] = useState(false);
  const status = STATUS[subscription.status];
  const paid = subscription.status === "active" || subscription.status === "past_due";
  const until = subscription.current_period_end
    ? formatDate(subscription.current_period_end)
    : null;
  const failure = cancel.error ?? resume.error;

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-xl font-semibold">{subscription.plan.name}</span>
        <Badge variant={status.variant}>{status.label}</Badge>
        {subscription.cancel_at_period_end && <Badge variant="warning">Ends {until}</Badge>}
      </div>
      <p className="text-sm text-muted-foreground">
        {formatMoney(subscription.plan.price)} a month
        {paid && until && !subscription.cancel_at_period_end && ` · renews ${until}`}
      </p>
      {subscription.status === "past_due" && (
        <p
          role="alert"
          className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-900"
        >
          The last renewal could not be charged. Update your payment details in the billing portal
          {subscription.grace_ends_at
            ? ` before ${formatDate(subscription.grace_ends_at)}, when the plan would return to Free`
            : ""}
          .
        </p>
      )}
      {subscription.pending_plan && (
        <p className="text-sm">
          A checkout for {subscription.pending_plan} is not paid yet: choose the plan again to
          retry.
        </p>
      )}
      {subscription.cancel_at_period_end && (
        <p className="text-sm">
          Your subscription ends on {until}; you keep {subscription.plan.name} until then and return
          to Free after.
        </p>
      )}
      {paid && (
        <div className="flex flex-wrap gap-2">
          {subscription.cancel_at_period_end ? (
            <Button disabled={resume.isPending} onClick={() => resume.mutate()}>
              {resume.isPending && <Spinner className="size-3" />}
              Keep my subscription
            </Button>
          ) : confirming ? (
            <>
              <Button
                variant="destructive"
                disabled={cancel.isPending}
                onClick={() => cancel.mutate(undefined, { onSettled: () => setConfirming(false) })}
              >
                {cancel.isPending && <Spinner className="size-3" />}
                Cancel at the end of the period
              </Button>
              <Button variant="ghost" onClick={() => setConfirming(false)}>
                Keep it
              </Button>
            </>
          ) : (
            <Button variant="outline" onClick={() => setConfirming(true)}>
              Cancel subscription
            </Button>
          )}
          <PortalButton />
        </div>
      )}
      {failure && (
        <p role="alert" className="text-sm text-destructive">
          {errorMessage(failure)}
        </p>
      )}
    </div>
  );
}

function Plans({ subscription }: { subscription: SubscriptionOut }) {
  const plans = usePlans(true);
  const checkout = usePlanCheckout();
  const [chosen, setChosen] = useState<string | null>(null);
  const subscribed = subscription.status === "active" || subscription.status === "past_due";

  if (plans.isPending)
    return (
      <div role="status" aria-label="Loading the plans" className="grid gap-4 md:grid-cols-3">
        <Skeleton className="h-72" />
        <Skeleton className="h-72" />
        <Skeleton className="h-72" />
      </div>
    );
  if (plans.isError)
    return (
      <ErrorState
        error={plans.error}
        title="Could not load the plans"
        onRetry={() => void plans.refetch()}
      />
    );
  return (
    <div className="flex flex-col gap-3">
      {checkout.isError && (
        <div
          role="alert"
          className="flex flex-col gap-2 rounded-md border border-destructive/40 bg-destructive/10 px-3 py-2 text-sm text-destructive"
        >
          {errorMessage(checkout.error)}
          {isApiError(checkout.error, "subscription_exists") && (
            <PortalButton label="Change plan in the billing portal" />
          )}
        </div>
      )}
      <ul className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
        {plans.data.map((plan) => {
          const current = plan.code === subscription.plan.code;
          let action;
          if (current) action = <p className="text-sm font-medium">Your current plan</p>;
          else if (!isPaid(plan))
            action = (
              <p className="text-sm text-muted-foreground">
                {subscribed ? "Cancel your subscription to return to Free." : "Included."}
              </p>
            );
          else if (subscribed) action = <PortalButton label={`Switch to ${plan.name}`} />;
          else
            action = (
              <Button
                disabled={checkout.isPending}
                onClick={() => {
                  setChosen(plan.code);
                  checkout.mutate(plan.code, {
                    onSuccess: ({ checkout_url }) => externalNavigation.assign(checkout_url),
                  });
                }}
              >
                {checkout.isPending && chosen === plan.code && <Spinner className="size-3" />}
                Upgrade to {plan.name}
              </Button>
            );
          return <PlanCard key={plan.code} plan={plan} current={current} action={action} />;
        })}
      </ul>
    </div>
  );
}

function Usage() {
  const usage = useUsage();
  if (usage.isPending)
    return <Skeleton className="h-32" role="status" aria-label="Loading your usage" />;
  if (usage.isError)
    return (
      <ErrorState
        error={usage.error}
        title="Could not load your usage"
        onRetry={() => void usage.refetch()}
      />
    );
  return <UsageMeters usage={usage.data} />;
}

export function Component() {
  const subscription = useSubscription();
  return (
    <div className="flex flex-col gap-8">
      <title>Billing · ReelByte</title>
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-bold tracking-tight md:text-3xl">Billing</h1>
        <p className="text-muted-foreground">
          Your plan, its limits and this period&apos;s usage. API keys and webhooks are in{" "}
          <Link to="/settings/developers" className="font-medium text-primary hover:underline">
            Developers
          </Link>
          .
        </p>
      </div>
      {subscription.isPending ? (
        <Skeleton className="h-40" role="status" aria-label="Loading your subscription" />
      ) : subscription.isError ? (
        <ErrorState
          error={subscription.error}
          title="Could not load your subscription"
          onRetry={() => void subscription.refetch()}
        />
      ) : (
        <>
          <div className="grid gap-6 md:grid-cols-2">
            <Card>
              <CardHeader>
                <h2 className="text-lg font-semibold">Current plan</h2>
              </CardHeader>
              <CardContent>
                <CurrentPlan subscription={subscription.data} />
              </CardContent>
            </Card>
            <Card>
              <CardHeader>
                <h2 className="text-lg font-semibold">Usage this period</h2>
                <CardDescription>The counts start again when the period ends.</CardDescription>
              </CardHeader>
              <CardContent>
                <Usage />
              </CardContent>
            </Card>
          </div>
          <section aria-labelledby="plans" className="flex flex-col gap-4">
            <h2 id="plans" className="text-xl font-semibold tracking-tight">
              Plans
            </h2>
            <Plans subscription={subscription.data} />
          </section>
        </>
      )}
    </div>
  );
}
Component.displayName = "BillingPage";
