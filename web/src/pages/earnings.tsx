import { useState } from "react";
import { Link } from "react-router";
import { useBalance, type BalanceOut } from "@/api/creator";
import { useAuth } from "@/auth/auth-context";
import { Transactions } from "@/components/creator/transactions";
import { WithdrawForm } from "@/components/creator/withdraw-form";
import { ErrorState } from "@/components/states";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { Skeleton } from "@/components/ui/skeleton";
import { formatMoney } from "@/lib/format";

function BalanceCards({ balance }: { balance: BalanceOut }) {
  const cards = [
    {
      label: "Available",
      money: balance.available,
      hint: "Yours to withdraw.",
    },
    {
      label: "In escrow",
      money: balance.pending,
      hint: "Held on orders under way, after fees; available once approved.",
    },
    {
      label: "In transit",
      money: balance.in_transit,
      hint: "Withdrawals on their way to you.",
    },
  ];
  return (
    <dl className="grid gap-3 sm:grid-cols-3">
      {cards.map((card) => (
        <div key={card.label} className="rounded-xl border bg-card p-4 shadow-sm">
          <dt className="text-sm text-muted-foreground">{card.label}</dt>
          <dd className="flex flex-col gap-1">
            <span className="text-2xl font-bold">{formatMoney(card.money)}</span>
            <span className="text-xs text-muted-foreground">{card.hint}</span>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function Balance() {
  const { user } = useAuth();
  const balance = useBalance();
  const [withdrawn, setWithdrawn] = useState<string | null>(null);
  const sells = user?.role === "creator" || user?.role === "hybrid";

  if (balance.isPending)
    return (
      <div
        className="grid gap-3 sm:grid-cols-3"
        role="status"
        aria-busy="true"
        aria-label="Loading your balance"
      >
        <Skeleton className="h-24" />
        <Skeleton className="h-24" />
        <Skeleton className="h-24" />
      </div>
    );
  if (balance.isError)
    return (
      <ErrorState
        error={balance.error}
        title="Could not load your balance"
        onRetry={() => void balance.refetch()}
      />
    );
  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
      <BalanceCards balance={balance.data} />
      <Card>
        <CardHeader>
          <h2 className="text-lg font-semibold">Withdraw</h2>
          <CardDescription>Paid out to your payout account by the next payout run.</CardDescription>
        </CardHeader>
        <CardContent>
          {sells ? (
            <div className="flex flex-col gap-4">
              {withdrawn && (
                <p role="status" className="rounded-md border bg-accent px-3 py-2 text-sm">
                  {withdrawn}
                </p>
              )}
              <WithdrawForm
                key={balance.data.available.value}
                available={balance.data.available}
                onWithdrawn={setWithdrawn}
              />
            </div>
          ) : (
            <p className="text-sm text-muted-foreground">
              Withdrawals are for creators&apos; earnings. See{" "}
              <Link to="/dashboard" className="font-medium text-primary hover:underline">
                your dashboard
              </Link>{" "}
              to learn more.
            </p>
          )}
        </CardContent>
      </Card>
    </div>
  );
}

export function Component() {
  return (
    <div className="flex flex-col gap-8">
      <title>Earnings · ReelByte</title>
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-bold tracking-tight md:text-3xl">Earnings</h1>
        <p className="text-muted-foreground">
          Your balance, withdrawals and every money movement. Payout methods, schedule and monthly
          statements are in{" "}
          <Link to="/settings/payouts" className="font-medium text-primary hover:underline">
            Payouts
          </Link>
          .
        </p>
      </div>
      <Balance />
      <section aria-labelledby="history" className="flex flex-col gap-4">
        <h2 id="history" className="text-xl font-semibold tracking-tight">
          History
        </h2>
        <Transactions />
      </section>
    </div>
  );
}
Component.displayName = "EarningsPage";
