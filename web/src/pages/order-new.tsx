import { Link, useSearchParams } from "react-router";
import { useGig } from "@/api/queries";
import { EmptyState, ErrorState, PageLoading } from "@/components/states";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardDescription, CardHeader } from "@/components/ui/card";
import { formatMoney, plural } from "@/lib/format";

/** The first step of ordering (behind log-in): the chosen package. Requirements and checkout
 * are the next slice. */
export function Component() {
  const [params] = useSearchParams();
  const slug = params.get("gig") ?? "";
  const packageId = params.get("package");
  const gig = useGig(slug);

  if (!slug) return <EmptyState title="Choose a package on a gig's page first" />;
  if (gig.isPending) return <PageLoading label="Loading your order" />;
  if (gig.isError)
    return (
      <ErrorState
        error={gig.error}
        title="Could not load the gig"
        onRetry={() => void gig.refetch()}
      />
    );
  const pkg = gig.data.packages.find((item) => item.id === packageId);
  if (!pkg) {
    return (
      <EmptyState title="That package is not on this gig">
        <Link to={`/gigs/${gig.data.slug}`} className="underline">
          Back to the gig
        </Link>
      </EmptyState>
    );
  }
  return (
    <div className="mx-auto flex w-full max-w-xl flex-col gap-4">
      <title>Your order · ReelByte</title>
      <h1 className="text-2xl font-bold tracking-tight">Your order</h1>
      <Card>
        <CardHeader>
          <h2 className="text-lg font-semibold">
            {pkg.name} — {gig.data.title}
          </h2>
          <CardDescription>
            {formatMoney(pkg.price)} · {plural(pkg.delivery_days, "day")} delivery ·{" "}
            {plural(pkg.revisions, "revision")}
          </CardDescription>
        </CardHeader>
        <CardContent className="flex flex-col gap-3 text-sm">
          <p>Requirements and checkout are coming to the web app soon.</p>
          <Button asChild variant="outline" className="self-start">
            <Link to={`/gigs/${gig.data.slug}`}>Back to the gig</Link>
          </Button>
        </CardContent>
      </Card>
    </div>
  );
}
Component.displayName = "NewOrderPage";
