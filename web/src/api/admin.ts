/** The admin console (src/reelbyte/admin): users, the report and dispute queues, reviews, the
 * audit log and the analytics. Every route answers 403 `wrong_role` to anyone but an admin. */
import {
  keepPreviousData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import type { components, operations } from "./schema";

type Schemas = components["schemas"];
export type AdminUser = Schemas["AdminUserOut"];
export type AdminUserQuery = NonNullable<
  operations["list_users_v1_admin_users_get"]["parameters"]["query"]
>;
export type UserStatus = AdminUser["status"];
export type Role = Schemas["Role"];
export type VerificationKind = Schemas["VerificationKind"];
export type SuspendRequest = Schemas["SuspendRequest"];
export type ReportItem = Schemas["ReportQueueItem"];
export type ReportQuery = NonNullable<
  operations["report_queue_v1_admin_reports_get"]["parameters"]["query"]
>;
export type ReportAction = Schemas["ReportAction"];
export type ReportStatus = Schemas["ReportStatus"];
export type ReportTarget = Schemas["ReportTarget"];
export type DisputeCase = Schemas["DisputeCase"];
export type DisputeResolveRequest = Schemas["DisputeResolveRequest"];
export type AuditEntry = Schemas["AuditEntryOut"];
export type FlaggedReview = Schemas["FlaggedReviewOut"];
export type AuditQuery = Omit<
  NonNullable<operations["audit_log_v1_admin_audit_get"]["parameters"]["query"]>,
  "cursor"
>;
export type Analytics = Schemas["AnalyticsOut"];
export type AnalyticsBucket = Schemas["AnalyticsBucket"];
export type AnalyticsInterval = Schemas["AnalyticsInterval"];
export type AnalyticsQuery = NonNullable<
  operations["analytics_report_v1_admin_analytics_get"]["parameters"]["query"]
>;

export const adminKeys = {
  all: ["admin"] as const,
  users: (query: AdminUserQuery) => ["admin", "users", query] as const,
  reports: (query: ReportQuery) => ["admin", "reports", query] as const,
  disputes: (page: number) => ["admin", "disputes", page] as const,
  flaggedReviews: (page: number) => ["admin", "flagged-reviews", page] as const,
  audit: (query: AuditQuery) => ["admin", "audit", query] as const,
  analytics: (query: AnalyticsQuery) => ["admin", "analytics", query] as const,
};

/** After any admin action: every admin list may show it (a suspension is in the audit log, a
 * resolved report changes the user's open reports…). */
function useRefreshAdmin() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: adminKeys.all });
}

export function useAdminUsers(query: AdminUserQuery) {
  const { client } = useApi();
  return useQuery({
    queryKey: adminKeys.users(query),
    queryFn: ({ signal }) => unwrap(client.GET("/v1/admin/users", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useSuspendUser() {
  const { client } = useApi();
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: ({ userId, body }: { userId: string; body: SuspendRequest }) =>
      unwrap(
        client.PUT("/v1/admin/users/{user_id}/suspend", {
          params: { path: { user_id: userId } },
          body,
        }),
      ),
    onSuccess: refresh,
  });
}

export function useUnsuspendUser() {
  const { client } = useApi();
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: (userId: string) =>
      unwrap(
        client.PUT("/v1/admin/users/{user_id}/unsuspend", {
          params: { path: { user_id: userId } },
        }),
      ),
    onSuccess: refresh,
  });
}

/** Verify (`verified: true`) or take the verification of one kind back. */
export function useSetVerified() {
  const { client } = useApi();
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: async ({
      userId,
      kind,
      verified,
    }: {
      userId: string;
      kind: VerificationKind;
      verified: boolean;
    }) => {
      const path = { user_id: userId };
      if (verified) {
        await unwrap(
          client.PUT("/v1/admin/users/{user_id}/verify", { params: { path }, body: { kind } }),
        );
      } else {
        await unwrap(
          client.DELETE("/v1/admin/users/{user_id}/verify", {
            params: { path, query: { kind } },
          }),
        );
      }
    },
    onSuccess: refresh,
  });
}

export function useReports(query: ReportQuery) {
  const { client } = useApi();
  return useQuery({
    queryKey: adminKeys.reports(query),
    queryFn: ({ signal }) => unwrap(client.GET("/v1/admin/reports", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useResolveReport() {
  const { client } = useApi();
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: ({
      reportId,
      action,
      note,
    }: {
      reportId: string;
      action: ReportAction;
      note: string;
    }) =>
      unwrap(
        client.PUT("/v1/admin/reports/{report_id}/resolve", {
          params: { path: { report_id: reportId } },
          body: { action, note },
        }),
      ),
    onSuccess: refresh,
  });
}

export function useDisputes(page: number) {
  const { client } = useApi();
  return useQuery({
    queryKey: adminKeys.disputes(page),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/admin/disputes", { params: { query: { page, page_size: 10 } }, signal }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useResolveDispute() {
  const { client } = useApi();
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: ({ disputeId, body }: { disputeId: string; body: DisputeResolveRequest }) =>
      unwrap(
        client.POST("/v1/admin/disputes/{dispute_id}/resolve", {
          params: { path: { dispute_id: disputeId } },
          body,
        }),
      ),
    onSuccess: refresh,
  });
}

/** The audit log, newest first, a page (`limit`) at a time by cursor. */
export function useAuditLog(query: AuditQuery) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: adminKeys.audit(query),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET("/v1/admin/audit", {
          params: { query: { ...query, cursor: pageParam ?? undefined } },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
  });
}

export function useAnalytics(query: AnalyticsQuery) {
  const { client } = useApi();
  return useQuery({
    queryKey: adminKeys.analytics(query),
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/admin/analytics", { params: { query }, signal })),
    placeholderData: keepPreviousData,
  });
}

export function useFlaggedReviews(page: number, pageSize: number) {
  const { client } = useApi();
  return useQuery({
    queryKey: adminKeys.flaggedReviews(page),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/admin/reviews/flagged", {
          params: { query: { page, page_size: pageSize } },
          signal,
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** A moderator's decision on a flagged review: keep it (the flags close), hide it (with the
 * reason, kept on record) or show a hidden one again. */
export type ReviewDecision =
  | { reviewId: string; decision: "keep" }
  | { reviewId: string; decision: "hide"; reason: string }
  | { reviewId: string; decision: "restore" };

export function useDecideReview() {
  const { client } = useApi();
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: (decision: ReviewDecision) => {
      const params = { path: { review_id: decision.reviewId } };
      switch (decision.decision) {
        case "keep":
          return unwrap(client.POST("/v1/admin/reviews/{review_id}/dismiss-flags", { params }));
        case "hide":
          return unwrap(
            client.POST("/v1/admin/reviews/{review_id}/hide", {
              params,
              body: { reason: decision.reason },
            }),
          );
        case "restore":
          return unwrap(client.POST("/v1/admin/reviews/{review_id}/restore", { params }));
      }
    },
    onSuccess: refresh,
  });
}
