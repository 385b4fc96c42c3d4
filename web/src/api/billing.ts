/**
 * Billing: my subscription (billing/router.py). The plans, checkout, portal and usage hooks
 * are shared with the video tools' upgrade prompt (./video-tools.ts).
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import type { components } from "./schema";
import { videoToolKeys } from "./video-tools";

export type SubscriptionOut = components["schemas"]["SubscriptionOut"];

export const billingKeys = {
  subscription: ["billing", "subscription"] as const,
};

/** My plan in effect and its subscription (status, period, cancelling or not). */
export function useSubscription() {
  const { client } = useApi();
  return useQuery({
    queryKey: billingKeys.subscription,
    queryFn: ({ signal }) => unwrap(client.GET("/v1/billing/subscription", { signal })),
  });
}

function useSubscriptionChange(
  path: "/v1/billing/subscription/cancel" | "/v1/billing/subscription/resume",
) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.POST(path)),
    onSuccess: (subscription) => {
      queryClient.setQueryData(billingKeys.subscription, subscription);
      void queryClient.invalidateQueries({ queryKey: videoToolKeys.usage });
    },
  });
}

/** End the subscription at the end of its period (the plan stays until then). */
export function useCancelSubscription() {
  return useSubscriptionChange("/v1/billing/subscription/cancel");
}

/** Keep a subscription that was to end: it renews again. */
export function useResumeSubscription() {
  return useSubscriptionChange("/v1/billing/subscription/resume");
}
