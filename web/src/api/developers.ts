/**
 * Developers: API keys (identity/api_keys_router.py, Pro and Premium) and outgoing webhook
 * endpoints with their delivery log (billing/webhooks_router.py, Premium).
 *
 * A key and an endpoint's signing secret are answered once, by the call that makes them: the
 * hooks hand that answer to the caller and the lists never hold them.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import type { components } from "./schema";

type Schemas = components["schemas"];
export type ApiKey = Schemas["ApiKeyOut"];
export type ApiKeyCreated = Schemas["ApiKeyCreated"];
export type ApiKeyCreate = Schemas["ApiKeyCreate"];
export type ApiScope = Schemas["ApiScope"];
export type WebhookEndpoint = Schemas["EndpointOut"];
export type WebhookEndpointCreate = Schemas["EndpointCreate"];
export type WebhookEndpointUpdate = Schemas["EndpointUpdate"];
export type WebhookEndpointWithSecret = Schemas["EndpointWithSecret"];
export type WebhookEventType = Schemas["WebhookEventType"];
export type WebhookDelivery = Schemas["WebhookDeliveryOut"];

export const API_SCOPES: { value: ApiScope; label: string }[] = [
  { value: "gigs:read", label: "Read gigs" },
  { value: "gigs:write", label: "Create and edit gigs" },
  { value: "orders:read", label: "Read orders" },
  { value: "media:write", label: "Upload media" },
  { value: "video_jobs:write", label: "Run video jobs" },
  { value: "webhooks:write", label: "Manage webhook endpoints" },
];

export const WEBHOOK_EVENTS: WebhookEventType[] = [
  "order.created",
  "order.paid",
  "order.delivered",
  "order.completed",
  "order.cancelled",
  "order.disputed",
  "payment.refunded",
  "review.published",
  "video_job.completed",
  "video_job.failed",
  "message.received",
];

export const developerKeys = {
  apiKeys: ["developers", "api-keys"] as const,
  endpoints: ["developers", "webhook-endpoints"] as const,
  deliveries: (endpointId: string) => ["developers", "deliveries", endpointId] as const,
};

export function useApiKeys() {
  const { client } = useApi();
  return useQuery({
    queryKey: developerKeys.apiKeys,
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/api-keys", { params: { query: { page_size: 100 } }, signal })),
  });
}

export function useCreateApiKey() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ApiKeyCreate) => unwrap(client.POST("/v1/api-keys", { body })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: developerKeys.apiKeys }),
  });
}

export function useRevokeApiKey() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (keyId: string) =>
      unwrap(client.DELETE("/v1/api-keys/{key_id}", { params: { path: { key_id: keyId } } })),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: developerKeys.apiKeys }),
  });
}

export function useWebhookEndpoints() {
  const { client } = useApi();
  return useQuery({
    queryKey: developerKeys.endpoints,
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/webhooks/endpoints", { params: { query: { page_size: 100 } }, signal }),
      ),
  });
}

function useInvalidateEndpoints() {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: ["developers"] });
}

export function useCreateWebhookEndpoint() {
  const { client } = useApi();
  const invalidate = useInvalidateEndpoints();
  return useMutation({
    mutationFn: (body: WebhookEndpointCreate) =>
      unwrap(client.POST("/v1/webhooks/endpoints", { body })),
    onSuccess: invalidate,
  });
}

/** Change an endpoint: only the fields in `changes` change (`is_active` pauses or resumes it). */
export function useUpdateWebhookEndpoint() {
  const { client } = useApi();
  const invalidate = useInvalidateEndpoints();
  return useMutation({
    mutationFn: ({ id, changes }: { id: string; changes: WebhookEndpointUpdate }) =>
      unwrap(
        client.PUT("/v1/webhooks/endpoints/{endpoint_id}", {
          params: { path: { endpoint_id: id } },
          body: changes,
        }),
      ),
    onSuccess: invalidate,
  });
}

/** A new signing secret, answered once; the old one stops signing at once. */
export function useRotateEndpointSecret() {
  const { client } = useApi();
  const invalidate = useInvalidateEndpoints();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        client.POST("/v1/webhooks/endpoints/{endpoint_id}/rotate-secret", {
          params: { path: { endpoint_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeleteWebhookEndpoint() {
  const { client } = useApi();
  const invalidate = useInvalidateEndpoints();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        client.DELETE("/v1/webhooks/endpoints/{endpoint_id}", {
          params: { path: { endpoint_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useSendTestEvent() {
  const { client } = useApi();
  const invalidate = useInvalidateEndpoints();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        client.POST("/v1/webhooks/endpoints/{endpoint_id}/test", {
          params: { path: { endpoint_id: id } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** An endpoint's deliveries, newest first; asked again every few seconds while one is pending. */
export function useDeliveries(endpointId: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: developerKeys.deliveries(endpointId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/webhooks/endpoints/{endpoint_id}/deliveries", {
          params: { path: { endpoint_id: endpointId }, query: { limit: 25 } },
          signal,
        }),
      ),
    refetchInterval: (query) =>
      query.state.data?.items.some((delivery) => delivery.status === "pending") ? 4000 : false,
  });
}

export function useRedeliver() {
  const { client } = useApi();
  const invalidate = useInvalidateEndpoints();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        client.POST("/v1/webhooks/deliveries/{delivery_id}/redeliver", {
          params: { path: { delivery_id: deliveryId } },
        }),
      ),
    onSuccess: invalidate,
  });
}
