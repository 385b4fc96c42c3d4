/** Conversations and messages (src/reelbyte/messaging/router.py) and the live chat socket
 * (messaging/ws.py): frames `message`, `edit`, `delete`, `read`, `typing`, `presence`. The socket
 * reconnects with a fresh ticket after any drop; on reconnection the open conversation and the
 * inbox are fetched again, and messages are merged by id so none shows twice. `streamChat` is the
 * one reconnecting chat socket: the review comments (review.ts) ride it with their own parser.
 *
 * Presence: every conversation carries the other participant's presence as it was read
 * (`participant_presence`); `presence` frames update it from then on. */
import {
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
  type InfiniteData,
  type QueryClient,
} from "@tanstack/react-query";
import { useEffect, useEffectEvent, useRef } from "react";
import { unwrap } from "./client";
import { useApi } from "./context";
import {
  browserSocket,
  defaultBackoff,
  type CreateSocket,
  type SocketLike,
} from "./notification-socket";
import type { components } from "./schema";

export type ConversationOut = components["schemas"]["ConversationOut"];
export type ConversationPage = components["schemas"]["ConversationPage"];
export type MessageOut = components["schemas"]["MessageOut"];
export type MessagePage = components["schemas"]["MessagePage"];
export type PresenceOut = components["schemas"]["PresenceOut"];

export const messageKeys = {
  all: ["messaging"] as const,
  unread: ["messaging", "unread"] as const,
  /** Both lists: the inbox and the archive. */
  inbox: ["messaging", "inbox"] as const,
  inboxOf: (archived: boolean) => ["messaging", "inbox", archived ? "archived" : "active"] as const,
  conversation: (id: string) => ["messaging", "conversation", id] as const,
  messages: (id: string) => ["messaging", "messages", id] as const,
};

export function useUnreadMessages(enabled = true) {
  const { client } = useApi();
  return useQuery({
    queryKey: messageKeys.unread,
    queryFn: ({ signal }) => unwrap(client.GET("/v1/conversations/unread-count", { signal })),
    enabled,
    staleTime: 30_000,
    refetchInterval: 60_000,
  });
}

/** My conversations, newest activity first; with `archived`, those I archived. */
export function useInbox({ archived = false }: { archived?: boolean } = {}) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: messageKeys.inboxOf(archived),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET("/v1/conversations", {
          params: {
            query: { limit: 20, archived, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last: ConversationPage) => last.next_cursor,
  });
}

export function useConversation(id: string) {
  const { client } = useApi();
  return useQuery({
    queryKey: messageKeys.conversation(id),
    queryFn: ({ signal }) =>
      unwrap(
        client.GET("/v1/conversations/{conversation_id}", {
          params: { path: { conversation_id: id } },
          signal,
        }),
      ),
  });
}

/** Pages newest first; `fetchNextPage` loads older messages. */
export function useMessages(id: string) {
  const { client } = useApi();
  return useInfiniteQuery({
    queryKey: messageKeys.messages(id),
    queryFn: ({ pageParam, signal }) =>
      unwrap(
        client.GET("/v1/conversations/{conversation_id}/messages", {
          params: {
            path: { conversation_id: id },
            query: { limit: 50, ...(pageParam ? { cursor: pageParam } : {}) },
          },
          signal,
        }),
      ),
    initialPageParam: null as string | null,
    getNextPageParam: (last: MessagePage) => last.next_cursor,
  });
}

/** The pages' messages oldest first, each id once. */
export function flattenMessages(data: InfiniteData<MessagePage> | undefined): MessageOut[] {
  const byId = new Map<number, MessageOut>();
  for (const page of data?.pages ?? []) for (const item of page.items) byId.set(item.id, item);
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/** Put a message (new, edited or deleted) into its conversation's cached pages, replacing the
 * copy with the same id (or the same client_id), never adding it twice. */
export function mergeMessage(
  data: InfiniteData<MessagePage> | undefined,
  message: MessageOut,
): InfiniteData<MessagePage> | undefined {
  if (!data) return data;
  const same = (item: MessageOut) =>
    item.id === message.id || (!!message.client_id && item.client_id === message.client_id);
  const present = data.pages.some((page) => page.items.some(same));
  const pages = data.pages.map((page, index) => {
    if (present) return { ...page, items: page.items.map((item) => (same(item) ? message : item)) };
    return index === 0 ? { ...page, items: [message, ...page.items] } : page;
  });
  return { ...data, pages };
}

export function receivedMessage(queryClient: QueryClient, message: MessageOut) {
  queryClient.setQueryData<InfiniteData<MessagePage>>(
    messageKeys.messages(message.conversation_id),
    (data) => mergeMessage(data, message),
  );
  void queryClient.invalidateQueries({ queryKey: messageKeys.inbox });
  void queryClient.invalidateQueries({ queryKey: messageKeys.unread });
}

/** A user's presence changed: every cached conversation with them shows it. */
export function receivedPresence(queryClient: QueryClient, presence: PresenceOut) {
  const update = (conversation: ConversationOut): ConversationOut =>
    conversation.participant.id === presence.user_id
      ? { ...conversation, participant_presence: presence }
      : conversation;
  queryClient.setQueriesData<ConversationOut>(
    { queryKey: ["messaging", "conversation"] },
    (conversation) => conversation && update(conversation),
  );
  queryClient.setQueriesData<InfiniteData<ConversationPage>>(
    { queryKey: messageKeys.inbox },
    (data) =>
      data && {
        ...data,
        pages: data.pages.map((page) => ({ ...page, items: page.items.map(update) })),
      },
  );
}

export function useSendMessage(conversationId: string) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { content: string; client_id: string; attachment_upload_id?: string }) =>
      unwrap(
        client.POST("/v1/conversations/{conversation_id}/messages", {
          params: { path: { conversation_id: conversationId } },
          body,
        }),
      ),
    onSuccess: (message) => receivedMessage(queryClient, message),
  });
}

export function useMarkRead() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (messageId: number) =>
      unwrap(
        client.POST("/v1/messages/{message_id}/read", {
          params: { path: { message_id: messageId } },
        }),
      ),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: messageKeys.unread });
      void queryClient.invalidateQueries({ queryKey: messageKeys.inbox });
    },
  });
}

export function useStartConversation() {
  const { client } = useApi();
  return useMutation({
    mutationFn: (body: { participant_id: string; order_id?: string; project_id?: string }) =>
      unwrap(client.POST("/v1/conversations", { body })),
  });
}

export function useArchiveConversation() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        client.DELETE("/v1/conversations/{conversation_id}", {
          params: { path: { conversation_id: id } },
        }),
      ),
    onSuccess: () => void queryClient.invalidateQueries({ queryKey: messageKeys.all }),
  });
}

export function useUnarchiveConversation() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) =>
      unwrap(
        client.POST("/v1/conversations/{conversation_id}/unarchive", {
          params: { path: { conversation_id: id } },
        }),
      ),
    onSuccess: (conversation) => {
      queryClient.setQueryData(messageKeys.conversation(conversation.id), conversation);
      void queryClient.invalidateQueries({ queryKey: messageKeys.inbox });
    },
  });
}

export function useBlocked() {
  const { client } = useApi();
  return useQuery({
    queryKey: [...messageKeys.all, "blocked"],
    queryFn: ({ signal }) => unwrap(client.GET("/v1/users/me/blocked", { signal })),
  });
}

export function useBlock() {
  const { client } = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ userId, block }: { userId: string; block: boolean }) => {
      const params = { params: { path: { user_id: userId } } };
      return block
        ? unwrap(client.POST("/v1/users/{user_id}/block", params))
        : unwrap(client.DELETE("/v1/users/{user_id}/block", params));
    },
    onSuccess: () =>
      void queryClient.invalidateQueries({ queryKey: [...messageKeys.all, "blocked"] }),
  });
}

export function useReportUser() {
  const { client } = useApi();
  return useMutation({
    mutationFn: ({ userId, reason }: { userId: string; reason: string }) =>
      unwrap(
        client.POST("/v1/reports", { body: { target_type: "user", target_id: userId, reason } }),
      ),
  });
}

// --- the chat socket --------------------------------------------------------------------

export type ChatFrame =
  | { type: "message" | "edit" | "delete"; data: MessageOut }
  | { type: "read"; data: { conversation_id: string; user_id: string; message_id: number } }
  | { type: "typing"; data: { conversation_id: string; user_id: string } }
  | { type: "presence"; data: PresenceOut };

const CHAT_FRAMES = new Set(["message", "edit", "delete", "read", "typing", "presence"]);

export function parseChatFrame(data: unknown): ChatFrame | null {
  if (typeof data !== "string") return null;
  try {
    const frame = JSON.parse(data) as { type?: unknown; data?: unknown };
    if (typeof frame.type !== "string" || !CHAT_FRAMES.has(frame.type)) return null;
    if (typeof frame.data !== "object" || frame.data === null) return null;
    return frame as ChatFrame;
  } catch {
    return null;
  }
}

export function chatUrl(ticket: string, origin: string = globalThis.location.origin): string {
  const url = new URL("/v1/ws/chat", origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("ticket", ticket);
  return url.toString();
}

export interface ChatStreamOptions<F = ChatFrame> {
  getTicket: (signal: AbortSignal) => Promise<string>;
  onFrame: (frame: F) => void;
  /** Which frames to hand to `onFrame` (null: skip it); default the chat frames above. */
  parse?: (data: unknown) => F | null;
  /** Connected again after an interruption: catch up over HTTP. */
  onReconnect: () => void;
  createSocket?: CreateSocket;
  backoff?: (attempt: number) => number;
  origin?: string;
}

export interface ChatStream {
  /** Send a client frame if the socket is open; false when it is not. */
  send: (frame: { type: "typing" | "read"; data: object }) => boolean;
  stop: () => void;
}

/** A chat socket that reconnects (new ticket, growing waits) until `stop` is called. */
export function streamChat<F = ChatFrame>(options: ChatStreamOptions<F>): ChatStream {
  // Without a parser of its own, F is the default, ChatFrame.
  const parse = options.parse ?? (parseChatFrame as (data: unknown) => F | null);
  const createSocket = options.createSocket ?? browserSocket;
  const backoff = options.backoff ?? defaultBackoff;
  let stopped = false;
  let failures = 0;
  let connectedBefore = false;
  let open = false;
  let socket: (SocketLike & { send?: (data: string) => void }) | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let pending: AbortController | null = null;

  const retry = () => {
    if (stopped) return;
    failures += 1;
    timer = setTimeout(() => void connect(), backoff(failures));
  };

  const connect = async () => {
    pending = new AbortController();
    let ticket: string;
    try {
      ticket = await options.getTicket(pending.signal);
    } catch {
      retry();
      return;
    } finally {
      pending = null;
    }
    if (stopped) return;
    const current = createSocket(chatUrl(ticket, options.origin));
    socket = current;
    current.onopen = () => {
      failures = 0;
      open = true;
      if (connectedBefore) options.onReconnect();
      connectedBefore = true;
    };
    current.onmessage = (event) => {
      const frame = parse(event.data);
      if (frame) options.onFrame(frame);
    };
    current.onerror = () => undefined;
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      open = false;
      retry();
    };
  };

  void connect();
  return {
    send: (frame) => {
      if (!open || !socket?.send) return false;
      socket.send(JSON.stringify(frame));
      return true;
    },
    stop: () => {
      stopped = true;
      clearTimeout(timer);
      pending?.abort();
      const current = socket;
      socket = null;
      current?.close(1000, "done");
    },
  };
}

/** While the messages pages are open: frames update the cache (messages, receipts, presence);
 * every frame also goes to `onFrame`. After a reconnection everything is read again. */
export function useChatStream({
  onFrame,
  createSocket,
}: {
  onFrame?: (frame: ChatFrame) => void;
  createSocket?: CreateSocket;
} = {}) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const stream = useRef<ChatStream | null>(null);
  const handle = useEffectEvent((frame: ChatFrame) => {
    if (frame.type === "message" || frame.type === "edit" || frame.type === "delete") {
      receivedMessage(queryClient, frame.data);
    } else if (frame.type === "presence") {
      receivedPresence(queryClient, frame.data);
    } else if (frame.type === "typing") {
      // Typing is a sign of life, whatever presence said before.
      const now = new Date().toISOString();
      receivedPresence(queryClient, {
        user_id: frame.data.user_id,
        online: true,
        last_seen_at: now,
      });
    } else if (frame.type === "read") {
      void queryClient.invalidateQueries({ queryKey: messageKeys.unread });
      queryClient.setQueryData<ConversationOut>(
        messageKeys.conversation(frame.data.conversation_id),
        (conversation) =>
          conversation && conversation.participant.id === frame.data.user_id
            ? {
                ...conversation,
                participant_last_read_message_id: Math.max(
                  conversation.participant_last_read_message_id ?? 0,
                  frame.data.message_id,
                ),
              }
            : conversation,
      );
    }
    onFrame?.(frame);
  });
  const reconnected = useEffectEvent(() => {
    void queryClient.invalidateQueries({ queryKey: messageKeys.all });
  });

  useEffect(() => {
    const current = streamChat({
      getTicket: (signal) =>
        unwrap(client.POST("/v1/ws/ticket", { signal })).then((body) => body.ticket),
      onFrame: handle,
      onReconnect: reconnected,
      createSocket,
    });
    stream.current = current;
    return () => {
      current.stop();
      stream.current = null;
    };
  }, [client, createSocket]);

  return stream;
}
