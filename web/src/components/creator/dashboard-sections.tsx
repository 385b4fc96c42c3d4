import { useState } from "react";
import { Link } from "react-router";
import {
  useBalance,
  useMyGigs,
  useOrdersToDeliver,
  useSetGigActive,
  type MyGig,
  type OrderOut,
} from "@/api/creator";
import { errorMessage } from "@/api/errors";
import { FormAlert } from "@/components/form-field";
import { RatingBadge } from "@/components/stars";
import { EmptyState, ErrorState } from "@/components/states";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Skeleton } from "@/components/ui/skeleton";
import { formatDate, formatMoney, plural } from "@/lib/format";
import { cn } from "@/lib/utils";

function SectionHeading({ id, children }: { id: string; children: string }) {
  return (
    <h2 id={id} className="text-xl font-semibold tracking-tight">
      {children}
    </h2>
  );
}

function ListSkeleton({ label }: { label: string }) {
  return (
    <div className="grid gap-3 sm:grid-cols-2" role="status" aria-busy="true" aria-label={label}>
      <Skeleton className="h-28 w-full" />
      <Skeleton className="h-28 w-full" />
    </div>
  );
}

function ListingBadge({ gig }: { gig: MyGig }) {
  if (gig.hidden_by_moderators) return <Badge variant="destructive">Hidden by moderators</Badge>;
  if (gig.is_listed) return <Badge variant="success">Listed</Badge>;
  if (!gig.is_active) return <Badge variant="secondary">Paused</Badge>;
  return <Badge variant="warning">Needs a package</Badge>;
}

function MyGigCard({ gig }: { gig: MyGig }) {
  const setActive = useSetGigActive();
  const pauseLabel = gig.is_active ? "Pause" : "Resume";
  return (
    <article className="flex h-full gap-3 rounded-xl border bg-card p-3 shadow-sm">
      <div className="aspect-video w-28 shrink-0 overflow-hidden rounded-md bg-muted sm:w-36">
        {gig.thumbnail_url && (
          <img src={gig.thumbnail_url} alt="" loading="lazy" className="size-full object-cover" />
        )}
      </div>
      <div className="flex min-w-0 flex-1 flex-col gap-1">
        <h3 className="line-clamp-2 font-medium">{gig.title}</h3>
        <p className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-muted-foreground">
          <ListingBadge gig={gig} />
          {gig.price_from && <span>From {formatMoney(gig.price_from)}</span>}
          <span>{plural(gig.stats.orders, "order")}</span>
          <RatingBadge rating={gig.stats.rating} reviews={gig.stats.total_reviews} />
        </p>
        <FormAlert message={setActive.isError ? errorMessage(setActive.error) : null} />
        <div className="mt-auto flex flex-wrap gap-2 pt-1">
          <Button asChild size="sm" variant="outline">
            <Link to={`/dashboard/gigs/${gig.id}/edit`} aria-label={`Edit ${gig.title}`}>
              Edit
            </Link>
          </Button>
          {!gig.hidden_by_moderators && (
            <Button
              size="sm"
              variant="ghost"
              aria-label={`${pauseLabel} ${gig.title}`}
              disabled={setActive.isPending}
              onClick={() => setActive.mutate({ gigId: gig.id, active: !gig.is_active })}
            >
              {pauseLabel}
            </Button>
          )}
          <Button asChild size="sm" variant="ghost">
            <Link to={`/gigs/${gig.slug}`} aria-label={`View ${gig.title}`}>
              View
            </Link>
          </Button>
        </div>
      </div>
    </article>
  );
}

export function MyGigs({ userId }: { userId: string }) {
  const gigs = useMyGigs(userId);
  return (
    <section aria-labelledby="my-gigs" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <SectionHeading id="my-gigs">Your gigs</SectionHeading>
        <Button asChild>
          <Link to="/dashboard/gigs/new">New gig</Link>
        </Button>
      </div>
      {gigs.isPending ? (
        <ListSkeleton label="Loading your gigs" />
      ) : gigs.isError ? (
        <ErrorState
          error={gigs.error}
          title="Could not load your gigs"
          onRetry={() => void gigs.refetch()}
        />
      ) : gigs.data.items.length === 0 ? (
        <EmptyState title="No gigs listed yet">
          Create a gig with at least one package and clients can find and order it.
        </EmptyState>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2">
          {gigs.data.items.map((gig) => (
            <li key={gig.id}>
              <MyGigCard gig={gig} />
            </li>
          ))}
        </ul>
      )}
      <p className="text-xs text-muted-foreground">
        Clients find only listed gigs: a paused gig, or one without a package, stays here for you to
        finish or resume.
      </p>
    </section>
  );
}

const STATUS_LABELS: Record<string, string> = {
  in_progress: "In progress",
  revision_requested: "Revision requested",
};

function dueText(order: OrderOut, now: number): { text: string; late: boolean } {
  if (!order.delivery_date) return { text: "No due date", late: false };
  const due = Date.parse(order.delivery_date);
  const late = due < now;
  return { text: `${late ? "Was due" : "Due"} ${formatDate(order.delivery_date)}`, late };
}

export function OrdersToDeliver({ userId }: { userId: string }) {
  const orders = useOrdersToDeliver(userId);
  const [now] = useState(() => Date.now());
  return (
    <section aria-labelledby="to-deliver" className="flex flex-col gap-4">
      <SectionHeading id="to-deliver">Orders to deliver</SectionHeading>
      {orders.isPending ? (
        <ListSkeleton label="Loading your orders" />
      ) : orders.isError ? (
        <ErrorState
          error={orders.error}
          title="Could not load your orders"
          onRetry={() => void orders.refetch()}
        />
      ) : orders.data.items.length === 0 ? (
        <EmptyState title="Nothing to deliver">
          Orders that clients have paid for show here until you deliver them.
        </EmptyState>
      ) : (
        <ul className="flex flex-col divide-y rounded-xl border">
          {orders.data.items.map((order) => {
            const due = dueText(order, now);
            return (
              <li key={order.id} className="flex flex-wrap items-center justify-between gap-2 p-3">
                <div className="min-w-0">
                  <Link
                    to={`/orders/${order.id}`}
                    className="font-medium underline-offset-4 hover:underline"
                  >
                    {order.title}
                  </Link>
                  <p className="text-sm text-muted-foreground">
                    {STATUS_LABELS[order.status] ?? order.status} ·{" "}
                    {formatMoney(order.creator_earnings)} to you
                  </p>
                </div>
                <span
                  className={cn(
                    "text-sm font-medium",
                    due.late ? "text-destructive" : "text-muted-foreground",
                  )}
                >
                  {due.text}
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}

export function EarningsSummary() {
  const balance = useBalance();
  return (
    <section aria-labelledby="earnings-summary" className="flex flex-col gap-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <SectionHeading id="earnings-summary">Earnings</SectionHeading>
        <Link
          to="/earnings"
          className="text-sm font-medium text-primary underline-offset-4 hover:underline"
        >
          Earnings and withdrawals
        </Link>
      </div>
      {balance.isPending ? (
        <Skeleton className="h-20 w-full" role="status" aria-label="Loading your balance" />
      ) : balance.isError ? (
        <ErrorState
          error={balance.error}
          title="Could not load your balance"
          onRetry={() => void balance.refetch()}
        />
      ) : (
        <dl className="grid grid-cols-2 gap-3 rounded-xl border p-4">
          <div>
            <dt className="text-sm text-muted-foreground">Available</dt>
            <dd className="text-2xl font-bold">{formatMoney(balance.data.available)}</dd>
          </div>
          <div>
            <dt className="text-sm text-muted-foreground">In escrow</dt>
            <dd className="text-2xl font-bold">{formatMoney(balance.data.pending)}</dd>
          </div>
        </dl>
      )}
    </section>
  );
}
