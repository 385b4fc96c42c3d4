import { useState } from "react";
import { Link, useSearchParams } from "react-router";
import { useBalance } from "@/api/creator";
import { usePayoutMethods } from "@/api/payouts";
import { useAuth } from "@/auth/auth-context";
import { AddPayoutMethodForm, PayoutMethods } from "@/components/payouts/payout-methods";
import { ScheduleForm } from "@/components/payouts/schedule-form";
import { Statements } from "@/components/payouts/statements";
import { STATUS } from "@/components/payouts/status";
import { WithdrawPanel } from "@/components/payouts/withdraw-panel";
import { EmptyState, ErrorState } from "@/components/states";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { formatMoney } from "@/lib/format";

/** What the provider's page sent the creator back with (`?method=`, `?refresh=`, `?error=`). */
function ReturnNotice() {
  const [params] = useSearchParams();
  const methodId = params.get("method");
  const methods = usePayoutMethods(methodId ? 3000 : false);
  const refresh = params.get("refresh");
  const error = params.get("error");
  if (error)
    return (
      <p
        role="alert"
        className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900"
      >
        The provider&apos;s onboarding was not finished ({error}). Nothing changed: continue it from
        your payout methods when you are ready.
      </p>
    );
  if (refresh)
    return (
      <p role="status" className="rounded-md border bg-accent px-3 py-2 text-sm">
        That onboarding link has expired: choose &ldquo;Continue onboarding&rdquo; to get a new one.
      </p>
    );
  const method = methodId ? methods.data?.items.find((item) => item.id === methodId) : undefined;
  if (!method) return null;
  return (
    <p role="status" className="rounded-md border bg-accent px-3 py-2 text-sm">
      {method.label}: {STATUS[method.status].label.toLowerCase()}.
      {method.status === "verified" && " Withdrawals can now go there."}
    </p>
  );
}

function Withdraw() {
  const balance = useBalance();
  if (balance.isPending)
    return <Skeleton className="h-40" role="status" aria-label="Loading your balance" />;
  if (balance.isError)
    return (
      <ErrorState
        error={balance.error}
        title="Could not load your balance"
        onRetry={() => void balance.refetch()}
      />
    );
  return (
    <div className="flex flex-col gap-4">
      <p className="text-sm">
        Available: <span className="font-semibold">{formatMoney(balance.data.available)}</span>
        {" · "}in transit: {formatMoney(balance.data.in_transit)}
      </p>
      <WithdrawPanel key={balance.data.available.value} available={balance.data.available} />
    </div>
  );
}

export function Component() {
  const { user } = useAuth();
  const [notice, setNotice] = useState<string | null>(null);
  const sells = user?.role === "creator" || user?.role === "hybrid";

  return (
    <div className="flex flex-col gap-8">
      <title>Payouts · ReelByte</title>
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-bold tracking-tight md:text-3xl">Payouts</h1>
        <p className="text-muted-foreground">
          Where your earnings go, when they are paid out, and your monthly statements. See{" "}
          <Link to="/earnings" className="font-medium text-primary hover:underline">
            your earnings
          </Link>{" "}
          for every money movement.
        </p>
      </div>
      {!sells ? (
        <EmptyState title="Payouts are for creators">
          Payout methods and statements are for creators&apos; earnings.
        </EmptyState>
      ) : (
        <>
          <ReturnNotice />
          {notice && (
            <p role="status" className="rounded-md border bg-accent px-3 py-2 text-sm">
              {notice}
            </p>
          )}
          <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
            <section aria-labelledby="methods" className="flex flex-col gap-4">
              <h2 id="methods" className="text-xl font-semibold tracking-tight">
                Payout methods
              </h2>
              <PayoutMethods setNotice={setNotice} />
            </section>
            <Card id="add-method">
              <CardHeader>
                <h2 className="text-lg font-semibold">Add a payout method</h2>
                <CardDescription>
                  The provider checks the account; it is verified once they say so.
                </CardDescription>
              </CardHeader>
              <CardContent>
                <AddPayoutMethodForm setNotice={setNotice} />
              </CardContent>
            </Card>
          </div>
          <div className="grid gap-6 md:grid-cols-2 xl:grid-cols-3">
            <Card>
              <CardHeader>
                <h2 className="text-lg font-semibold">Withdraw</h2>
                <CardDescription>
                  The provider&apos;s fee is shown before you confirm.
                </CardDescription>
              </CardHeader>
              <CardContent>
                <Withdraw />
              </CardContent>
            </Card>
            <Card>
              <CardHeader>
                <h2 className="text-lg font-semibold">Payout schedule</h2>
                <CardDescription>
                  Automatic payouts of your whole available balance to your default method.
                </CardDescription>
              </CardHeader>
              <CardContent>
                <ScheduleForm />
              </CardContent>
            </Card>
            <Card>
              <CardHeader>
                <h2 className="text-lg font-semibold">Monthly statements</h2>
                <CardDescription>As PDF or CSV, from the ledger (UTC months).</CardDescription>
              </CardHeader>
              <CardContent>
                <Statements />
              </CardContent>
            </Card>
          </div>
        </>
      )}
    </div>
  );
}
Component.displayName = "PayoutsPage";
