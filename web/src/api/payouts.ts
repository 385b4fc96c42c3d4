/**
 * Getting paid: payout methods and their onboarding, the payout schedule, withdrawal quotes
 * and withdrawals to a chosen method, and the monthly statements (payments/payout_router.py).
 *
 * Adding a method answers an `onboarding_url` (sandbox, Stripe, Mollie: the provider's page)
 * or none (PayPal, Venmo: a confirmation link is e-mailed). The provider's page sends the
 * creator back to /settings/payouts?method=<id>.
 */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import { creatorKeys } from "./creator";
import type { components } from "./schema";

type Schemas = components["schemas"];
export type PayoutMethod = Schemas["PayoutMethodOut"];
export type PayoutMethodCreate = Schemas["PayoutMethodCreate"];
export type PayoutProvider = Schemas["PayoutProvider"];
export type PayoutMethodStatus = Schemas["PayoutMethodStatus"];
export type PayoutOnboarding = Schemas["PayoutOnboardingOut"];
export type PayoutSchedule = Schemas["PayoutScheduleOut"];
export type PayoutScheduleIn =
  Schemas["ManualScheduleIn"] | Schemas["WeeklyScheduleIn"] | Schemas["MonthlyScheduleIn"];
export type WithdrawalQuote = Schemas["WithdrawalQuoteOut"];
export type Money = Schemas["Money"];

export const payoutKeys = {
  all: ["payouts"] as const,
  methods: ["payouts", "methods"] as const,
  schedule: ["payouts", "schedule"] as const,
  quote: (amount: string, currency: string, methodId: string | null) =>
    ["payouts", "quote", amount, currency, methodId] as const,
};

/** My payout methods, the default first. `pollMs`: ask again that often while one is pending
 * (back from a provider's page, its webhook may come a moment later). */
export function usePayoutMethods(pollMs: number | false = false) {
  const { client } = useApi();
  return useQuery({
    queryKey: payoutKeys.methods,
    queryFn: ({ signal }) => unwrap(client.GET("/v1/payments/me/payout-methods", { signal })),
    refetchInterval: (query) =>
      pollMs && query.state.data?.items.some((method) => method.status === "pending")
        ? pollMs
        : false,
  });
}

function useInvalidateMethods() {
  const queryClient = useQueryClient();
  return () => void queryClient.invalidateQueries({ queryKey: payoutKeys.all });
}

/** Add a method (pending) and start its onboarding. */
export function useAddPayoutMethod() {
  const { client } = useApi();
  const invalidate = useInvalidateMethods();
  return useMutation({
    mutationFn: (body: PayoutMethodCreate) =>
      unwrap(client.POST("/v1/payments/me/payout-methods", { body })),
    onSuccess: invalidate,
  });
}

/** A new onboarding link for a method that is pending or needs more information. */
export function useRestartOnboarding() {
  const { client } = useApi();
  const invalidate = useInvalidateMethods();
  return useMutation({
    mutationFn: (methodId: string) =>
      unwrap(
        client.POST("/v1/payments/me/payout-methods/{method_id}/onboarding", {
          params: { path: { method_id: methodId } },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useMakeDefaultPayoutMethod() {
  const { client } = useApi();
  const invalidate = useInvalidateMethods();
  return useMutation({
    mutationFn: (methodId: string) =>
      unwrap(
        client.POST("/v1/payments/me/payout-methods/{method_id}/default", {
          params: { path: { method_id: methodId } },
        }),
      ),
    onSuccess: invalidate,
  });
}

export function useDeletePayoutMethod() {
  const { client } = useApi();
  const invalidate = useInvalidateMethods();
  return useMutation({
    mutationFn: (methodId: string) =>
      unwrap(
        client.DELETE("/v1/payments/me/payout-methods/{method_id}", {
          params: { path: { method_id: methodId } },
        }),
      ),
    onSuccess: invalidate,
  });
}

/** The e-mailed link of a PayPal or Venmo method (no log-in needed: the token says who). */
export function useConfirmPayoutMethod() {
  const { client } = useApi();
  const invalidate = useInvalidateMethods();
  return useMutation({
    mutationFn: (token: string) =>
      unwrap(client.POST("/v1/payments/payout-methods/confirm", { body: { token } })),
    onSuccess: invalidate,
  });
}

export function usePayoutSchedule() {
  const { client } = useApi();
  return useQuery({
    queryKey: payoutKeys.schedule,
    queryFn: ({ signal }) => unwrap(client.GET("/v1/payments/me/payout-schedule", { signal })),
  });
}

export function useSetPayoutSchedule() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PayoutScheduleIn) =>
      unwrap(client.PUT("/v1/payments/me/payout-schedule", { body })),
    onSuccess: (schedule) => queryClient.setQueryData(payoutKeys.schedule, schedule),
  });
}

/** The provider's fee on a withdrawal and what arrives; asked only for a valid amount. */
export function useWithdrawalQuote(
  amount: string | null,
  currency: Money["currency"],
  methodId: string | null,
) {
  const { client } = useApi();
  return useQuery({
    queryKey: payoutKeys.quote(amount ?? "", currency, methodId),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/payments/me/withdrawals/quote", {
          params: {
            query: { amount: amount ?? "0", currency, payout_method_id: methodId ?? undefined },
          },
          signal,
        }),
      ),
    enabled: amount !== null,
    retry: false,
  });
}

/** Withdraw to a method (the default when `methodId` is null); `key` is the Idempotency-Key. */
export function useWithdrawTo() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({
      amount,
      methodId,
      key,
    }: {
      amount: Money;
      methodId: string | null;
      key: string;
    }) =>
      unwrap(
        client.POST("/v1/payments/me/withdraw", {
          params: { header: { "Idempotency-Key": key } },
          body: { amount, payout_method_id: methodId },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: creatorKeys.balance });
      void queryClient.invalidateQueries({ queryKey: creatorKeys.transactions });
    },
  });
}

function filenameOf(response: Response, fallback: string): string {
  const disposition = response.headers.get("Content-Disposition") ?? "";
  return /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? fallback;
}

/** A month's statement (`yyyy-mm`) as PDF or CSV, fetched with the session. */
export function useStatement() {
  const { client } = useApi();
  return useMutation({
    mutationFn: async ({ month, format }: { month: string; format: "pdf" | "csv" }) => {
      const call = client.GET("/v1/payments/me/statements/{month}", {
        params: { path: { month }, query: { format } },
        parseAs: "blob",
      });
      const blob = (await unwrap(call)) as Blob;
      const { response } = await call;
      return { blob, filename: filenameOf(response, `statement-${month}.${format}`) };
    },
  });
}
