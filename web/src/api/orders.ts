/**
 * Orders, their payment, delivery and review: one hook per read and per action.
 *
 * The rules live in src/reelbyte/orders/service.py (the state machine), payments/router.py
 * (checkout with an Idempotency-Key, the invoice PDF) and reviews/router.py. Every action
 * invalidates the order queries, so lists and the order page show the new state.
 */
import {
  keepPreviousData,
  useMutation,
  useQuery,
  useQueries,
  useQueryClient,
} from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import { ApiError } from "./errors";
import type { components, operations } from "./schema";

type Schemas = components["schemas"];
export type OrderOut = Schemas["OrderOut"];
export type OrderDetail = Schemas["OrderDetail"];
export type OrderEvent = Schemas["OrderEventOut"];
export type OrderStatus = Schemas["OrderStatus"];
export type OrderCreate = Schemas["OrderCreate"];
export type DeliverableOut = Schemas["DeliverableOut"];
export type DeliveryOut = Schemas["DeliveryOut"];
export type DeliverRequest = Schemas["DeliverRequest"];
export type AttachedFile = Schemas["AttachedFile"];
export type PaymentOut = Schemas["PaymentOut"];
export type ReviewCreate = Schemas["ReviewCreate"];
export type ReviewOut = Schemas["ReviewOut"];
export type OrderReviews = Schemas["OrderReviews"];
export type UploadOut = Schemas["UploadOut"];
export type OrderListQuery = NonNullable<
  operations["list_orders_v1_orders_get"]["parameters"]["query"]
>;

export const orderKeys = {
  all: ["orders"] as const,
  list: (query: OrderListQuery) => ["orders", "list", query] as const,
  detail: (orderId: string) => ["orders", "detail", orderId] as const,
  deliverables: (orderId: string) => ["orders", "deliverables", orderId] as const,
  payment: (paymentId: string) => ["orders", "payment", paymentId] as const,
  reviews: (orderId: string) => ["orders", "reviews", orderId] as const,
  upload: (uploadId: string) => ["orders", "upload", uploadId] as const,
};

export function useOrders(query: OrderListQuery) {
  const { client } = useApi();
  return useQuery({
    queryKey: orderKeys.list(query),
    queryFn: ({ signal }) => unwrap(client.GET("/v1/orders", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

/** The order with its history and its deliveries (each with its files); `pollMs` asks again that often while the order awaits payment
 * (the provider's webhook starts it). */
export function useOrder(orderId: string, options: { pollMs?: number | false } = {}) {
  const { client } = useApi();
  const { pollMs = false } = options;
  return useQuery({
    queryKey: orderKeys.detail(orderId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/orders/{order_id}", { params: { path: { order_id: orderId } }, signal }),
      ),
    refetchInterval: (query) =>
      pollMs && query.state.data?.status === "pending_payment" ? pollMs : false,
  });
}

/** The files the creator added while working: they go out with the next delivery (the
 * delivered ones come with the order, in `deliveries`). */
export function useDeliveryDrafts(orderId: string, enabled: boolean) {
  const { client } = useApi();
  return useQuery({
    queryKey: orderKeys.deliverables(orderId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/orders/{order_id}/deliverables", {
          params: { path: { order_id: orderId } },
          signal,
        }),
      ),
    select: (items) =>
      items.filter((item) => item.delivery_id === null && item.milestone_id === null),
    enabled,
  });
}

const UNSETTLED_PAYMENTS = new Set(["open", "pending"]);

/** A payment the provider sent the payer back from, asked again while it is not settled. */
export function usePayment(paymentId: string | null, pollMs: number | false) {
  const { client } = useApi();
  return useQuery({
    queryKey: orderKeys.payment(paymentId ?? ""),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/payments/{payment_id}", {
          params: { path: { payment_id: paymentId ?? "" } },
          signal,
        }),
      ),
    enabled: paymentId !== null,
    refetchInterval: (query) =>
      pollMs &&
      query.state.status !== "error" &&
      (!query.state.data || UNSETTLED_PAYMENTS.has(query.state.data.status))
        ? pollMs
        : false,
  });
}

/** Invalidate every order query (lists, details, deliverables) after an action. */
function useInvalidateOrders() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: orderKeys.all });
}

export function useCreateOrder() {
  const { client } = useApi();
  const invalidate = useInvalidateOrders();
  return useMutation({
    mutationFn: (body: OrderCreate) => unwrap(client.POST("/v1/orders", { body })),
    onSuccess: () => invalidate(),
  });
}

export interface CheckoutAttempt {
  orderId: string;
  /** One per attempt (a click on "Pay"); a retry of the same attempt sends the same key. */
  idempotencyKey: string;
}

export function checkoutAttempt(orderId: string): CheckoutAttempt {
  return { orderId, idempotencyKey: crypto.randomUUID() };
}

/** Start paying an order: the answer's `checkout_url` is the provider's page. */
export function useCheckout() {
  const { client } = useApi();
  return useMutation({
    mutationFn: ({ orderId, idempotencyKey }: CheckoutAttempt) =>
      unwrap(
        client.POST("/v1/payments/checkout", {
          params: { header: { "Idempotency-Key": idempotencyKey } },
          body: { order_id: orderId },
        }),
      ),
    // The request may have reached the API: the same key makes asking again safe.
    retry: (failures, error) => failures < 2 && error instanceof ApiError && error.status === 0,
  });
}

/** An action answering the updated order: it replaces the cached one, and lists refresh. */
function useOrderAction<Variables>(
  orderId: string,
  send: (variables: Variables) => Promise<OrderDetail>,
) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSuccess: async (order) => {
      queryClient.setQueryData(orderKeys.detail(orderId), order);
      await queryClient.invalidateQueries({ queryKey: orderKeys.all });
    },
  });
}

export function useApproveOrder(orderId: string) {
  const { client } = useApi();
  return useOrderAction(orderId, () =>
    unwrap(
      client.POST("/v1/orders/{order_id}/approve", { params: { path: { order_id: orderId } } }),
    ),
  );
}

/** A revision request; `includeOpenComments` bundles every open review thread with it. */
export function useRequestRevision(orderId: string) {
  const { client } = useApi();
  return useOrderAction(
    orderId,
    ({ reason, includeOpenComments = false }: { reason: string; includeOpenComments?: boolean }) =>
      unwrap(
        client.POST("/v1/orders/{order_id}/request-revision", {
          params: { path: { order_id: orderId } },
          body: { reason, comment_ids: [], include_open_comments: includeOpenComments },
        }),
      ),
  );
}

/** Before payment this cancels; after it, it asks the other party, or accepts their request
 * (`cancellation_requested_by`), or cancels at once for a client whose delivery is late. */
export function useCancelOrder(orderId: string) {
  const { client } = useApi();
  return useOrderAction(orderId, (reason: string) =>
    unwrap(
      client.POST("/v1/orders/{order_id}/cancel", {
        params: { path: { order_id: orderId } },
        body: { reason },
      }),
    ),
  );
}

export function useOpenDispute(orderId: string) {
  const { client } = useApi();
  const invalidate = useInvalidateOrders();
  return useMutation({
    mutationFn: (reason: string) =>
      unwrap(
        client.POST("/v1/orders/{order_id}/dispute", {
          params: { path: { order_id: orderId } },
          body: { reason },
        }),
      ),
    onSuccess: () => invalidate(),
  });
}

/** The creator hands the work over: a message and files uploaded for this order (the review
 * threads it addresses are marked so: they are read again too). */
export function useDeliver(orderId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const invalidate = () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: orderKeys.all }),
      queryClient.invalidateQueries({ queryKey: ["review"] }),
    ]);
  return useMutation({
    mutationFn: (body: DeliverRequest) =>
      unwrap(
        client.POST("/v1/orders/{order_id}/deliver", {
          params: { path: { order_id: orderId } },
          body,
        }),
      ),
    onSuccess: () => invalidate(),
  });
}

/** Uploaded files, each asked again every `pollMs` while it is still being processed (the
 * API takes only ready files in a delivery). */
export function useUploadStates(uploads: UploadOut[], pollMs = 2000) {
  const { client } = useApi();
  return useQueries({
    queries: uploads.map((upload) => ({
      queryKey: orderKeys.upload(upload.id),
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        unwrap(
          client.GET("/v1/uploads/{upload_id}", {
            params: { path: { upload_id: upload.id } },
            signal,
          }),
        ),
      initialData: upload,
      refetchInterval: (query: { state: { data?: UploadOut } }) =>
        query.state.data && ["pending", "processing"].includes(query.state.data.state)
          ? pollMs
          : false,
    })),
  });
}

function filenameOf(response: Response, fallback: string): string {
  const disposition = response.headers.get("Content-Disposition") ?? "";
  return /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallback;
}

/** The invoice PDF, fetched with the session (a plain link would not send the token). */
export function useInvoice(orderId: string) {
  const { client } = useApi();
  return useMutation({
    mutationFn: async () => {
      const call = client.GET("/v1/orders/{order_id}/invoice", {
        params: { path: { order_id: orderId } },
        parseAs: "blob",
      });
      const blob = (await unwrap(call)) as Blob;
      const { response } = await call;
      return { blob, filename: filenameOf(response, `invoice-${orderId}.pdf`) };
    },
  });
}

/** The viewer's own review of the order (published or not) and the other party's review of
 * them once it is published: reviews are double-blind. For the order's two parties only. */
export function useOrderReviews(orderId: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: orderKeys.reviews(orderId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/orders/{order_id}/reviews", {
          params: { path: { order_id: orderId } },
          signal,
        }),
      ),
  });
}

export function useCreateReview(orderId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: Omit<ReviewCreate, "order_id">) =>
      unwrap(client.POST("/v1/reviews", { body: { ...body, order_id: orderId } })),
    onSuccess: async (review) => {
      queryClient.setQueryData<OrderReviews>(orderKeys.reviews(orderId), (reviews) =>
        reviews ? { ...reviews, mine: review } : reviews,
      );
      // The second review of an order publishes both: the other party's may show now.
      await queryClient.invalidateQueries({ queryKey: orderKeys.reviews(orderId) });
    },
  });
}
