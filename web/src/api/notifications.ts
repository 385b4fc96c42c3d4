/** My notifications (src/reelbyte/notifications/router.py): unread count, the list (newest first,
 * paged by cursor), mark read, read all, delete. The live feed is notification-socket.ts. */
import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
  type QueryClient,
} from "@tanstack/react-query";
import { unwrap } from "./client";
import { useApi } from "./context";
import type { components } from "./schema";

export type NotificationOut = components["schemas"]["NotificationOut"];
export type NotificationPage = components["schemas"]["NotificationPage"];
type UnreadNotifications = components["schemas"]["UnreadNotifications"];

export const notificationKeys = {
  all: ["notifications"] as const,
  unreadCount: ["notifications", "unread-count"] as const,
  lists: ["notifications", "list"] as const,
  list: (limit: number, unreadOnly: boolean) =>
    ["notifications", "list", { limit, unreadOnly }] as const,
};

export function useUnreadCount(enabled = true) {
  const { client } = useApi();
  return useQuery({
    queryKey: notificationKeys.unreadCount,
    queryFn: ({ signal }) =>
      unwrap(client.GET("/v1/notifications/unread-count", { signal })).then(
        (body: UnreadNotifications) => body.count,
      ),
    enabled,
    staleTime: 60_000,
  });
}

/** Pages of `limit`, newest first; `fetchNextPage` loads older ones while `hasNextPage`. */
export function useNotifications({
  limit = 20,
  unreadOnly = false,
  enabled = true,
}: { limit?: number; unreadOnly?: boolean; enabled?: boolean } = {}) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: notificationKeys.list(limit, unreadOnly),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET("/v1/notifications", {
          params: {
            query: {
              limit,
              ...(unreadOnly ? { unread_only: true } : {}),
              ...(pageParam === null ? {} : { cursor: pageParam }),
            },
          },
          signal,
        }),
      ),
    initialPageParam: null as number | null,
    getNextPageParam: (page) => page.next_cursor,
    enabled,
  });
}

type Lists = InfiniteData<NotificationPage, number | null>;

/** Apply `change` to every notification held in the cached lists (no refetch). */
function updateCachedLists(
  queryClient: QueryClient,
  change: (item: NotificationOut) => NotificationOut | null,
) {
  queryClient.setQueriesData<Lists>({ queryKey: notificationKeys.lists }, (data) =>
    data
      ? {
          ...data,
          pages: data.pages.map((page) => ({
            ...page,
            items: page.items.flatMap((item) => {
              const changed = change(item);
              return changed ? [changed] : [];
            }),
          })),
        }
      : data,
  );
}

function afterChange(queryClient: QueryClient) {
  return queryClient.invalidateQueries({ queryKey: notificationKeys.all });
}

export function useMarkRead() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(
        client.PUT("/v1/notifications/{notification_id}/read", {
          params: { path: { notification_id: id } },
        }),
      ),
    onSuccess: (read) => {
      updateCachedLists(queryClient, (item) => (item.id === read.id ? read : item));
      return afterChange(queryClient);
    },
  });
}

export function useMarkAllRead() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(client.PUT("/v1/notifications/read-all", {})),
    onSuccess: () => {
      queryClient.setQueryData(notificationKeys.unreadCount, 0);
      updateCachedLists(queryClient, (item) => (item.is_read ? item : { ...item, is_read: true }));
      return afterChange(queryClient);
    },
  });
}

export function useDeleteNotification() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(
        client.DELETE("/v1/notifications/{notification_id}", {
          params: { path: { notification_id: id } },
        }),
      ).then(() => id),
    onSuccess: (id) => {
      updateCachedLists(queryClient, (item) => (item.id === id ? null : item));
      return afterChange(queryClient);
    },
  });
}

/** A notification pushed over the socket: count it at once, then let the API have its say
 * (a new message's notice replaces the conversation's unread one, so the count may not grow). */
export function receivedNotification(queryClient: QueryClient, notification: NotificationOut) {
  if (!notification.is_read) {
    queryClient.setQueryData<number>(notificationKeys.unreadCount, (count) =>
      count === undefined ? count : count + 1,
    );
  }
  return queryClient.invalidateQueries({ queryKey: notificationKeys.all });
}
