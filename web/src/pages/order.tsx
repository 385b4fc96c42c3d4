import { useEffect, useState, type ReactNode } from "react";
import { Link, useLocation, useParams, useSearchParams } from "react-router";
import {
  useDeliveryDrafts,
  useOrder,
  useOrderReviews,
  usePayment,
  type OrderDetail,
} from "@/api/orders";
import { useCommentStream } from "@/api/review";
import { useAuth } from "@/auth/auth-context";
import { DeliverForm } from "@/components/order/deliver-form";
import { DeliveryList } from "@/components/order/deliveries";
import { InvoiceButton } from "@/components/order/invoice-button";
import { LoadingBlock } from "@/components/order/loading-block";
import { MilestoneReviewActions } from "@/components/order/milestone-review-actions";
import { OrderActions } from "@/components/order/order-actions";
import { PaymentPanel, type Confirmation } from "@/components/order/payment";
import { ReviewForm, ReviewView } from "@/components/order/review-form";
import { StatusBadge } from "@/components/order/status";
import { sideOf, type Side } from "@/components/order/status-model";
import { MessageButton } from "@/components/messages/message-button";
import { OrderTimeline } from "@/components/order/timeline";
import { MilestonesPanel } from "@/components/project/milestones-panel";
import { ErrorState, LoadFailure, PageLoading } from "@/components/states";
import { formatDate, formatMoney, plural } from "@/lib/format";

const POLL_MS = 2000;
/** How long to wait for the provider's confirmation before saying it takes longer. */
const CONFIRM_TIMEOUT_MS = 60_000;
const UNPAID_PAYMENTS = new Set(["failed", "canceled", "expired"]);
const WORKING_STATES = new Set(["in_progress", "revision_requested"]);
const ACTIONABLE_STATES = new Set([...WORKING_STATES, "pending_payment", "delivered"]);

/** What order-new leaves in the history entry when the payment could not be started. */
interface ArrivalState {
  checkoutError?: string;
}

function Section({ title, id, children }: { title: string; id: string; children: ReactNode }) {
  return (
    <section aria-labelledby={id} className="flex flex-col gap-3">
      <h2 id={id} className="text-lg font-semibold tracking-tight">
        {title}
      </h2>
      {children}
    </section>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-col">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="font-medium">{children}</dd>
    </div>
  );
}

function OrderFacts({ order, side }: { order: OrderDetail; side: Side }) {
  return (
    <dl className="grid grid-cols-2 gap-3 text-sm sm:grid-cols-4">
      <Fact label="Amount">{formatMoney(order.amount)}</Fact>
      {side === "creator" && <Fact label="You earn">{formatMoney(order.creator_earnings)}</Fact>}
      <Fact label="Due">
        {order.delivery_date
          ? formatDate(order.delivery_date)
          : `${plural(order.delivery_days, "day")} after payment`}
      </Fact>
      <Fact label="Revisions">
        {order.revisions_used} of {order.revisions_allowed} used
      </Fact>
      <Fact label="Ordered">{formatDate(order.created_at)}</Fact>
    </dl>
  );
}

type Party = NonNullable<Side>;

/** What each party is asked when the order is completed. */
const REVIEW_PROMPT: Record<Party, string> = {
  client: "How did it go? Your review helps other clients choose.",
  creator: "How was working with this client? Your review helps other creators.",
};

/** The other party of the order: the one the viewer reviews, and who reviews them. */
function otherParty(side: Party): Party {
  return side === "client" ? "creator" : "client";
}

/** A party's own review of a completed order (or the form to write it), and the other party's
 * review of them once it is published (reviews are double-blind). */
function ReviewSections({ order, side }: { order: OrderDetail; side: Party }) {
  const reviews = useOrderReviews(order.id);
  const other = otherParty(side);

  if (reviews.isPending) {
    return (
      <Section title="Your review" id="review">
        <LoadingBlock label="Loading the reviews" className="h-32" />
      </Section>
    );
  }
  if (reviews.isError) {
    return (
      <Section title="Your review" id="review">
        <ErrorState
          error={reviews.error}
          title="Could not load the reviews"
          onRetry={() => void reviews.refetch()}
        />
      </Section>
    );
  }
  const { mine, theirs } = reviews.data;
  return (
    <>
      <Section title="Your review" id="review">
        {mine ? (
          <ReviewView review={mine} reviewee={other} byViewer />
        ) : theirs ? (
          // Published without one from the viewer: the review period is over.
          <p className="text-sm text-muted-foreground">Reviews for this order are closed.</p>
        ) : (
          <>
            <p className="text-sm text-muted-foreground">{REVIEW_PROMPT[side]}</p>
            <ReviewForm orderId={order.id} reviewee={other} />
          </>
        )}
      </Section>
      {theirs && (
        <Section title={`The ${other}’s review of you`} id="their-review">
          <ReviewView review={theirs} reviewee={side} byViewer={false} />
        </Section>
      )}
    </>
  );
}

function DeliveriesSection({ order, side }: { order: OrderDetail; side: Side }) {
  const { user } = useAuth();
  useCommentStream(order.id, { enabled: side !== null && order.deliveries.length > 0 });
  const creatorWorking =
    side === "creator" && WORKING_STATES.has(order.status) && !order.uses_milestones;
  const drafts = useDeliveryDrafts(order.id, creatorWorking);
  const revisionReason =
    order.status === "revision_requested"
      ? order.events.findLast((event) => event.kind === "revision_requested")?.note
      : null;

  return (
    <>
      {creatorWorking && (
        <Section title="Deliver work" id="deliver">
          {revisionReason && (
            <div className="rounded-md border bg-muted px-3 py-2 text-sm">
              <p className="font-medium">The client asked for changes:</p>
              <p className="whitespace-pre-line">{revisionReason}</p>
            </div>
          )}
          {drafts.isError ? (
            <ErrorState
              error={drafts.error}
              title="Could not load the files added for this delivery"
              onRetry={() => void drafts.refetch()}
            />
          ) : (
            <DeliverForm order={order} drafts={drafts.data ?? []} />
          )}
        </Section>
      )}
      {order.deliveries.length > 0 && (
        <Section title="Deliveries" id="deliveries">
          <DeliveryList
            deliveries={order.deliveries}
            review={{ order, side, viewerId: user?.id }}
            aside={(delivery) =>
              delivery.milestone_id && (
                <MilestoneReviewActions order={order} side={side} delivery={delivery} />
              )
            }
          />
        </Section>
      )}
    </>
  );
}

/** Where the payment the client came back from stands (`?payment=` from the provider). */
function confirmationOf(
  order: OrderDetail,
  side: Side,
  paymentId: string | null,
  paymentStatus: string | undefined,
  timedOut: boolean,
): Confirmation {
  if (!paymentId || side !== "client" || order.status !== "pending_payment") return null;
  if (paymentStatus && UNPAID_PAYMENTS.has(paymentStatus)) {
    return { state: "unpaid", paymentStatus };
  }
  return timedOut ? { state: "timed_out" } : { state: "confirming" };
}

export function Component() {
  const { orderId = "" } = useParams();
  const { user } = useAuth();
  const [params] = useSearchParams();
  const arrival = (useLocation().state ?? {}) as ArrivalState;
  const paymentId = params.get("payment");
  const [timedOut, setTimedOut] = useState(false);

  useEffect(() => {
    if (!paymentId) return;
    const timer = setTimeout(() => setTimedOut(true), CONFIRM_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [paymentId]);

  const payment = usePayment(paymentId, !timedOut && POLL_MS);
  const unpaid = payment.data !== undefined && UNPAID_PAYMENTS.has(payment.data.status);
  const order = useOrder(orderId, { pollMs: paymentId && !timedOut && !unpaid ? POLL_MS : false });

  if (order.isPending) return <PageLoading label="Loading the order" />;
  if (order.isError) {
    return (
      <LoadFailure
        error={order.error}
        onRetry={() => void order.refetch()}
        what="this order"
        notFound={{
          pageTitle: "Order not found",
          title: "This order is not here",
          children: (
            <>
              It may belong to someone else.{" "}
              <Link to="/orders" className="underline">
                See your orders
              </Link>
              .
            </>
          ),
        }}
      />
    );
  }

  const data = order.data;
  const side = sideOf(data, user?.id);
  const confirmation = confirmationOf(data, side, paymentId, payment.data?.status, timedOut);
  const justPaid = paymentId !== null && side === "client" && data.paid_at !== null;

  return (
    <article className="mx-auto flex w-full max-w-4xl flex-col gap-8">
      <title>{`${data.title} · Order · ReelByte`}</title>
      <header className="flex flex-col gap-3">
        <nav aria-label="Breadcrumb" className="text-sm text-muted-foreground">
          <Link to="/orders" className="hover:underline">
            Your orders
          </Link>
        </nav>
        <div className="flex flex-wrap items-start justify-between gap-3">
          <div className="flex min-w-0 flex-col gap-1">
            <h1 className="text-2xl font-bold tracking-tight md:text-3xl">{data.title}</h1>
            <p className="flex flex-wrap items-center gap-2 text-sm text-muted-foreground">
              <StatusBadge status={data.status} />
              {data.package_tier && <span className="capitalize">{data.package_tier} package</span>}
              <span>
                {side === "client" ? "You are buying" : side === "creator" ? "You are selling" : ""}
              </span>
            </p>
          </div>
          <div className="flex flex-wrap gap-2">
            {side !== null && (
              <MessageButton
                participantId={side === "client" ? data.creator_id : data.client_id}
                orderId={data.id}
                label={side === "client" ? "Message the creator" : "Message the client"}
              />
            )}
            {data.paid_at && side !== null && <InvoiceButton orderId={data.id} />}
          </div>
        </div>
        <OrderFacts order={data} side={side} />
      </header>

      {justPaid && (
        <p
          role="status"
          className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-950"
        >
          Thank you: your payment arrived. The money is held by ReelByte until you approve the work.
        </p>
      )}
      {side === "client" && data.status === "pending_payment" && !data.uses_milestones && (
        <PaymentPanel
          order={data}
          confirmation={confirmation}
          checkoutError={arrival.checkoutError ?? null}
        />
      )}

      {data.status === "disputed" && (
        <p role="status" className="rounded-md border bg-muted px-3 py-2 text-sm">
          A dispute is open: the order is on hold until ReelByte&apos;s team decides how the money
          held for it is split.
        </p>
      )}
      {(data.uses_milestones || (data.proposal_id && data.status === "pending_payment")) && (
        <Section title="Milestones" id="milestones">
          <MilestonesPanel order={data} side={side} paymentId={paymentId} />
        </Section>
      )}

      {side !== null && ACTIONABLE_STATES.has(data.status) && (
        <Section title="Actions" id="actions">
          <OrderActions order={data} side={side} />
        </Section>
      )}

      <DeliveriesSection order={data} side={side} />

      {side !== null && data.status === "completed" && <ReviewSections order={data} side={side} />}

      <Section title="Requirements" id="requirements">
        {data.requirements ? (
          <p className="text-sm whitespace-pre-line">{data.requirements}</p>
        ) : (
          <p className="text-sm text-muted-foreground">No requirements were given.</p>
        )}
      </Section>

      <Section title="History" id="history">
        <OrderTimeline order={data} viewerId={user?.id} />
      </Section>
    </article>
  );
}
Component.displayName = "OrderPage";
