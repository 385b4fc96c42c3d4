/** My data (src/reelbyte/privacy): export it as a ZIP, close or erase the account. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import type { components } from "./schema";

export type DataExport = components["schemas"]["DataExportOut"];

const exportsKey = ["me", "exports"] as const;

/** My exports, newest first; polled while one is being built. */
export function useExports({ pollMs = 3000 }: { pollMs?: number } = {}) {
  const { client } = useApi();
  return useQuery({
    queryKey: exportsKey,
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/users/me/exports", { params: { query: { page_size: 5 } }, signal })),
    refetchInterval: (query) =>
      query.state.data?.items.some((item) => item.status === "pending") ? pollMs : false,
  });
}

/** Ask for a new export (409 `export_in_progress` while one is being built). */
export function useRequestExport() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.POST("/v1/users/me/export", {})),
    onSettled: () => queryClient.invalidateQueries({ queryKey: exportsKey }),
  });
}

/** Delete my account: it is closed and its personal data erased for good. Refused (409) with
 * `open_orders` (`details.orders`) or `balance_not_empty` (`details`: the amounts held). The
 * session ends with it (`account_deleted`: the protected pages send to the home page). */
export function useDeleteAccount() {
  const { client, session } = useApi();
  return useMutation({
    mutationFn: () => unwrap(client.DELETE("/v1/users/me", { params: { query: { erase: true } } })),
    onSuccess: () => session.end("account_deleted"),
  });
}
