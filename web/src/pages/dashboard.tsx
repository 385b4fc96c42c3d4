import { Link } from "react-router";
import { useBecomeHybrid } from "@/api/account";
import { errorMessage } from "@/api/errors";
import { useAuth } from "@/auth/auth-context";
import { EarningsSummary, MyGigs, OrdersToDeliver } from "@/components/creator/dashboard-sections";
import { Notice } from "@/components/creator/notice";
import { FormAlert } from "@/components/form-field";
import { useNotice } from "@/components/creator/use-notice";
import { PageLoading } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";

/** Creators and hybrids sell; a client becomes both in one step and keeps everything. */
function NotACreator() {
  const becomeHybrid = useBecomeHybrid();
  return (
    <Card className="max-w-2xl">
      <CardHeader>
        <h2 className="text-lg font-semibold">Your account is for hiring creators</h2>
        <CardDescription>
          The dashboard is where creators manage their gigs, the orders they deliver and their
          earnings.
        </CardDescription>
      </CardHeader>
      <CardContent className="flex flex-col gap-3 text-sm">
        <p>
          To sell your own video work too, make this account both: you keep your orders, messages
          and reviews as a client, and can list gigs and send proposals.
        </p>
        <FormAlert message={becomeHybrid.isError ? errorMessage(becomeHybrid.error) : null} />
        <Button
          className="self-start"
          disabled={becomeHybrid.isPending}
          onClick={() => becomeHybrid.mutate()}
        >
          Sell video work too
        </Button>
        <p className="text-muted-foreground">
          Or{" "}
          <Link
            to="/search"
            className="font-medium text-primary underline-offset-4 hover:underline"
          >
            find creators
          </Link>{" "}
          and follow{" "}
          <Link
            to="/orders"
            className="font-medium text-primary underline-offset-4 hover:underline"
          >
            your orders
          </Link>
          .
        </p>
      </CardContent>
    </Card>
  );
}

export function Component() {
  const { user } = useAuth();
  const notice = useNotice();
  if (!user) return <PageLoading />;
  const sells = user.role === "creator" || user.role === "hybrid";
  return (
    <div className="flex flex-col gap-8">
      <title>Dashboard · ReelByte</title>
      <div className="flex flex-col gap-1">
        <h1 className="text-2xl font-bold tracking-tight md:text-3xl">Dashboard</h1>
        <p className="text-muted-foreground">Welcome back, {user.full_name}.</p>
      </div>
      <Notice message={notice} />
      {sells ? (
        <div className="grid gap-8 lg:grid-cols-[1fr_22rem]">
          <div className="flex min-w-0 flex-col gap-8">
            <OrdersToDeliver userId={user.id} />
            <MyGigs userId={user.id} />
          </div>
          <aside aria-label="Earnings summary">
            <EarningsSummary />
          </aside>
        </div>
      ) : (
        <NotACreator />
      )}
    </div>
  );
}
Component.displayName = "DashboardPage";
