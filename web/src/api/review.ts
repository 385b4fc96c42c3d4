/**
 * Timecoded review of a delivery (src/reelbyte/orders/comments.py): the threads of a delivery in
 * timecode order, posting a comment or a reply, editing and deleting one's own, resolving and
 * reopening a thread; and a delivered file's original (`GET /v1/uploads/{id}/download`, refused
 * with 403 `delivery_not_released` to the client until the work is approved).
 *
 * Live: every change reaches both parties' chat sockets (messaging/comment_frames.py) as
 * `{"type": "delivery_comment", "data": {"event", "order_id", "delivery_id", "actor_id",
 * "comment"}}`; `useCommentStream` keeps one chat socket open while a review is on screen and
 * refreshes the delivery's threads when a frame for it arrives (and after a reconnection). The
 * socket is messages.ts's `streamChat`, reading only these frames.
 */
import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useEffectEvent } from "react";
import { unwrap } from "./client";
import { useApi } from "./context";
import { streamChat, type ChatStreamOptions } from "./messages";
import type { CreateSocket } from "./notification-socket";
import type { components } from "./schema";

type Schemas = components["schemas"];
export type CommentThread = Schemas["CommentThread"];
export type CommentOut = Schemas["CommentOut"];
export type CommentCreate = Schemas["CommentCreate"];
export type SpecReport = Schemas["SpecReport"];
export type SpecItem = Schemas["SpecItem"];
export type SpecStatus = Schemas["SpecStatus"];

export const reviewKeys = {
  all: ["review"] as const,
  comments: (deliveryId: string) => ["review", "comments", deliveryId] as const,
};

export function commentsQuery(client: ReturnType<typeof useApi>["client"], deliveryId: string) {
  return {
    queryKey: reviewKeys.comments(deliveryId),
    queryFn: ({ signal }: { signal: AbortSignal }) =>
      unwrap(
        client.GET("/v1/deliveries/{delivery_id}/comments", {
          params: { path: { delivery_id: deliveryId } },
          signal,
        }),
      ),
  };
}

/** A delivery's threads by timecode, each with its replies oldest first; read again when the
 * window gets the focus back (the socket may have been asleep). */
export function useComments(deliveryId: string) {
  const { client } = useApi();
  return useQuery({ ...commentsQuery(client, deliveryId), refetchOnWindowFocus: true });
}

/** The threads of several deliveries (the creator's next delivery says which it addresses). */
export function useCommentsOf(deliveryIds: string[], enabled = true) {
  const { client } = useApi();
  return useQueries({
    queries: deliveryIds.map((id) => ({ ...commentsQuery(client, id), enabled })),
  });
}

/** Every change refreshes the delivery's threads (and the order: a revision lists them). */
function useRefreshComments(deliveryId: string) {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: reviewKeys.comments(deliveryId) });
}

export function usePostComment(deliveryId: string) {
  const { client } = useApi();
  const refresh = useRefreshComments(deliveryId);
  return useMutation({
    mutationFn: (body: CommentCreate) =>
      unwrap(
        client.POST("/v1/deliveries/{delivery_id}/comments", {
          params: { path: { delivery_id: deliveryId } },
          body,
        }),
      ),
    onSettled: () => refresh(),
  });
}

export function useEditComment(deliveryId: string) {
  const { client } = useApi();
  const refresh = useRefreshComments(deliveryId);
  return useMutation({
    mutationFn: ({ id, text }: { id: string; text: string }) =>
      unwrap(
        client.PATCH("/v1/delivery-comments/{comment_id}", {
          params: { path: { comment_id: id } },
          body: { text },
        }),
      ),
    onSettled: () => refresh(),
  });
}

export function useDeleteComment(deliveryId: string) {
  const { client } = useApi();
  const refresh = useRefreshComments(deliveryId);
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        client.DELETE("/v1/delivery-comments/{comment_id}", {
          params: { path: { comment_id: id } },
        }),
      ),
    onSettled: () => refresh(),
  });
}

export function useResolveComment(deliveryId: string) {
  const { client } = useApi();
  const refresh = useRefreshComments(deliveryId);
  return useMutation({
    mutationFn: ({ id, resolved }: { id: string; resolved: boolean }) => {
      const options = { params: { path: { comment_id: id } } };
      return unwrap(
        resolved
          ? client.PUT("/v1/delivery-comments/{comment_id}/resolve", options)
          : client.DELETE("/v1/delivery-comments/{comment_id}/resolve", options),
      );
    },
    onSettled: () => refresh(),
  });
}

/** A signed link to an uploaded file's original (`GET /v1/uploads/{id}/download-url`); a client
 * gets the API's 403 `delivery_not_released` before approval. */
export function useDownloadOriginal(uploadId: string) {
  const { client } = useApi();
  return useMutation({
    mutationFn: () =>
      unwrap(
        client.GET("/v1/uploads/{upload_id}/download-url", {
          params: { path: { upload_id: uploadId } },
        }),
      ),
  });
}

/** Hand a signed storage URL to the browser's own download (the storage answers it as an
 * attachment under the file's name), so a large original never passes through the page. */
export function startDownload(url: string): void {
  const link = document.createElement("a");
  link.href = url;
  link.rel = "noopener";
  document.body.append(link);
  link.click();
  link.remove();
}

// --- live ------------------------------------------------------------------------------------

export interface CommentFrame {
  event: "created" | "edited" | "deleted" | "resolved" | "unresolved" | "addressed";
  order_id: string;
  delivery_id: string;
  actor_id: string;
  comment: CommentOut;
}

/** A `delivery_comment` frame's data, or null for anything else. */
export function parseCommentFrame(data: unknown): CommentFrame | null {
  if (typeof data !== "string") return null;
  try {
    const frame = JSON.parse(data) as { type?: unknown; data?: unknown };
    if (frame.type !== "delivery_comment" || typeof frame.data !== "object" || !frame.data) {
      return null;
    }
    const body = frame.data as Partial<CommentFrame>;
    return typeof body.delivery_id === "string" && typeof body.order_id === "string"
      ? (body as CommentFrame)
      : null;
  } catch {
    return null;
  }
}

export type CommentStreamOptions = Omit<ChatStreamOptions<CommentFrame>, "parse">;

/** A chat socket that reports comment frames, reconnecting until the returned stop is called. */
export function streamComments(options: CommentStreamOptions): () => void {
  return streamChat({ ...options, parse: parseCommentFrame }).stop;
}

/** While an order's review is on screen: its deliveries' threads follow the chat socket. */
export function useCommentStream(
  orderId: string,
  { enabled = true, createSocket }: { enabled?: boolean; createSocket?: CreateSocket } = {},
) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const onFrame = useEffectEvent((frame: CommentFrame) => {
    if (frame.order_id !== orderId) return;
    void queryClient.invalidateQueries({ queryKey: reviewKeys.comments(frame.delivery_id) });
  });
  const onReconnect = useEffectEvent(() => {
    void queryClient.invalidateQueries({ queryKey: reviewKeys.all });
  });
  useEffect(() => {
    if (!enabled) return;
    return streamComments({
      getTicket: (signal) =>
        unwrap(client.POST("/v1/ws/ticket", { signal })).then((body) => body.ticket),
      onFrame,
      onReconnect,
      createSocket,
    });
  }, [enabled, client, createSocket]);
}
