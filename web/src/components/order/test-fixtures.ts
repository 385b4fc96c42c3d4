/** Order bodies for the order pages' tests, typed by the generated schema. */
import type {
  DeliverableOut,
  DeliveryOut,
  OrderDetail,
  OrderEvent,
  PaymentOut,
} from "@/api/orders";
import { gigOut, privateProfile } from "@/test/fixtures";
import { json, tokens, type FakeApi } from "@/test/fake-api";

export const CLIENT_ID = "client-1";
export const CREATOR_ID = gigOut().creator.id;
export const ORDER_ID = "0b9f6a52-0000-4000-8000-0000000000aa";

const CREATED = "2026-11-20T10:00:00Z";
const PAID = "2026-11-20T10:05:00Z";
const DELIVERED = "2026-11-23T09:00:00Z";

export function event(overrides: Partial<OrderEvent>): OrderEvent {
  return {
    kind: "created",
    from_status: null,
    to_status: null,
    actor_id: CLIENT_ID,
    note: null,
    data: {},
    created_at: CREATED,
    ...overrides,
  };
}

const PLACED = [event({})];
const PAYMENT = [
  ...PLACED,
  event({
    kind: "paid",
    actor_id: null,
    from_status: "pending_payment",
    to_status: "in_progress",
    created_at: PAID,
  }),
];
const DELIVERY = [
  ...PAYMENT,
  event({
    kind: "delivered",
    actor_id: CREATOR_ID,
    from_status: "in_progress",
    to_status: "delivered",
    note: "Here is your film!",
    created_at: DELIVERED,
  }),
];
const APPROVAL = [
  ...DELIVERY,
  event({
    kind: "approved",
    from_status: "delivered",
    to_status: "completed",
    created_at: "2026-11-24T09:00:00Z",
  }),
];
const HISTORY: Record<string, OrderEvent[]> = {
  pending_payment: PLACED,
  in_progress: PAYMENT,
  delivered: DELIVERY,
  completed: APPROVAL,
};

/** The orders that were delivered have the one delivery (with its video) by default. */
const DELIVERED_STATES = new Set(["delivered", "completed"]);

export function orderDetail(overrides: Partial<OrderDetail> = {}): OrderDetail {
  const status = overrides.status ?? "delivered";
  const paid = status !== "pending_payment";
  const delivered = DELIVERED_STATES.has(status);
  return {
    id: ORDER_ID,
    status,
    client_id: CLIENT_ID,
    creator_id: CREATOR_ID,
    gig_id: "gig-wedding-highlight-film",
    package_id: "pkg-standard",
    proposal_id: null,
    title: "I will edit your wedding highlight film",
    package_tier: "standard",
    video_spec: null,
    requirements: "Footage: https://drive.test/wedding",
    amount: { currency: "EUR", value: "240.00" },
    platform_fee: { currency: "EUR", value: "24.00" },
    creator_earnings: { currency: "EUR", value: "216.00" },
    delivery_days: 5,
    revisions_allowed: 3,
    revisions_used: 0,
    uses_milestones: false,
    paid_at: paid ? PAID : null,
    delivery_date: paid ? "2026-11-25T10:05:00Z" : null,
    delivered_at: delivered ? DELIVERED : null,
    completed_at: status === "completed" ? "2026-11-24T09:00:00Z" : null,
    cancelled_at: null,
    cancellation_requested_by: null,
    created_at: CREATED,
    events: HISTORY[status] ?? PAYMENT,
    deliveries: delivered ? [delivery()] : [],
    ...overrides,
  };
}

export function delivery(overrides: Partial<DeliveryOut> = {}): DeliveryOut {
  return {
    id: "delivery-1",
    order_id: ORDER_ID,
    milestone_id: null,
    message: "Here is your film!",
    revision_number: 0,
    created_at: DELIVERED,
    deliverables: [videoDeliverable()],
    addresses_comment_ids: [],
    ...overrides,
  };
}

export function videoDeliverable(overrides: Partial<DeliverableOut> = {}): DeliverableOut {
  return {
    id: "deliverable-1",
    delivery_id: "delivery-1",
    milestone_id: null,
    url: null,
    title: "final-cut.mp4",
    created_at: DELIVERED,
    file: {
      upload_id: "upload-1",
      kind: "video",
      filename: "final-cut.mp4",
      content_type: "video/mp4",
      size: 52_428_800,
      probe: null,
      file: {
        url: "https://cdn.test/signed/final-cut.mp4",
        expires_at: null,
        content_type: "video/mp4",
      },
      derived: {
        poster: {
          url: "https://cdn.test/signed/final-cut-poster.jpg",
          expires_at: null,
          content_type: "image/jpeg",
        },
      },
    },
    ...overrides,
  };
}

export function payment(overrides: Partial<PaymentOut> = {}): PaymentOut {
  return {
    payment_id: "payment-1",
    order_id: ORDER_ID,
    milestone_id: null,
    status: "open",
    checkout_url: "https://pay.test/checkout/payment-1",
    amount: { currency: "EUR", value: "240.00" },
    provider: "sandbox",
    created_at: CREATED,
    paid_at: null,
    ...overrides,
  };
}

/** A logged-in client (Sam), or the gig's creator (Maya). */
export function loggedIn(api: FakeApi, as: "client" | "creator" = "client"): FakeApi {
  const me =
    as === "client"
      ? privateProfile()
      : privateProfile({
          id: CREATOR_ID,
          username: "maya-edits",
          full_name: "Maya Jensen",
          role: "creator",
          email: "maya@example.com",
        });
  return api
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, me));
}
