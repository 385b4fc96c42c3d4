/**
 * Live notifications over the WebSocket of src/reelbyte/messaging/ws.py.
 *
 * A browser cannot send the access token on a WebSocket, so each connection first trades it for
 * a single-use ticket (`POST /v1/ws/ticket`, valid 45 s) and connects to
 * `/v1/ws/notifications?ticket=…`. The server accepts, then checks the ticket: a bad one is
 * closed at once (1008). Frames are JSON `{"type": "notification", "data": NotificationOut}`.
 * Whatever closes the socket (1001 shutdown, 1008 ticket, 1011 ticket check failed, 1013 too
 * slow, a dropped network), we fetch a new ticket and connect again, waiting longer after each
 * failure; after a reconnection `onReconnect` catches up over HTTP on what was missed.
 */
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useEffectEvent } from "react";
import { unwrap } from "./client";
import { useApi } from "./context";
import { receivedNotification, notificationKeys, type NotificationOut } from "./notifications";

/** The part of the browser's WebSocket used here (tests give a fake). */
export interface SocketLike {
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  close(code?: number, reason?: string): void;
}

export type CreateSocket = (url: string) => SocketLike;

export const browserSocket: CreateSocket = (url) => new WebSocket(url);

/** 1 s, 2 s, 4 s … up to 30 s, each with some jitter so that tabs do not reconnect in step. */
export function defaultBackoff(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.75 + Math.random() * 0.25));
}

/** A connection that lasted this long was a good one: the next failure starts the waits over. */
const STABLE_MS = 10_000;

export function notificationsUrl(ticket: string, origin: string = globalThis.location.origin) {
  const url = new URL("/v1/ws/notifications", origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.searchParams.set("ticket", ticket);
  return url.toString();
}

export interface NotificationStreamOptions {
  /** A fresh ticket for each connection. */
  getTicket: (signal: AbortSignal) => Promise<string>;
  onNotification: (notification: NotificationOut) => void;
  /** Connected again after an interruption: catch up over HTTP. */
  onReconnect?: () => void;
  createSocket?: CreateSocket;
  /** Milliseconds to wait before reconnection attempt `attempt` (1, 2, …). */
  backoff?: (attempt: number) => number;
  /** Default: this page's origin (the API serves the app; Vite proxies it in development). */
  origin?: string;
}

/** Connects, and keeps connecting until the returned `stop` is called. */
export function streamNotifications(options: NotificationStreamOptions): () => void {
  const createSocket = options.createSocket ?? browserSocket;
  const backoff = options.backoff ?? defaultBackoff;
  let stopped = false;
  let failures = 0;
  let connectedBefore = false;
  let socket: SocketLike | null = null;
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
      retry(); // 503 realtime_unavailable, offline, …: the lists still work over HTTP
      return;
    } finally {
      pending = null;
    }
    if (stopped) return;
    let openedAt: number | null = null;
    const current = createSocket(notificationsUrl(ticket, options.origin));
    socket = current;
    current.onopen = () => {
      openedAt = Date.now();
      if (connectedBefore) options.onReconnect?.();
      connectedBefore = true;
    };
    current.onmessage = (event) => {
      const frame = parseFrame(event.data);
      if (frame?.type === "notification") options.onNotification(frame.data as NotificationOut);
    };
    current.onerror = () => undefined; // a close event follows: handled there
    current.onclose = () => {
      if (socket !== current) return;
      socket = null;
      if (openedAt !== null && Date.now() - openedAt >= STABLE_MS) failures = 0;
      retry();
    };
  };

  void connect();

  return () => {
    stopped = true;
    clearTimeout(timer);
    pending?.abort();
    const open = socket;
    socket = null;
    open?.close(1000, "done");
  };
}

interface Frame {
  type: string;
  data: object;
}

function parseFrame(data: unknown): Frame | null {
  if (typeof data !== "string") return null;
  try {
    const frame: unknown = JSON.parse(data);
    if (typeof frame !== "object" || frame === null) return null;
    const { type, data: body } = frame as Record<string, unknown>;
    if (typeof type !== "string" || typeof body !== "object" || body === null) return null;
    return { type, data: body };
  } catch {
    return null;
  }
}

/** While `enabled` (someone is logged in): the unread count and lists follow the socket. */
export function useNotificationStream({
  enabled,
  createSocket,
  backoff,
  onNotification,
}: {
  enabled: boolean;
  createSocket?: CreateSocket;
  backoff?: (attempt: number) => number;
  onNotification?: (notification: NotificationOut) => void;
}) {
  const { client } = useApi();
  const queryClient = useQueryClient();
  const received = useEffectEvent((notification: NotificationOut) => {
    void receivedNotification(queryClient, notification);
    onNotification?.(notification);
  });
  const reconnected = useEffectEvent(() => {
    void queryClient.invalidateQueries({ queryKey: notificationKeys.all });
  });

  useEffect(() => {
    if (!enabled) return;
    return streamNotifications({
      getTicket: (signal) =>
        unwrap(client.POST("/v1/ws/ticket", { signal })).then((body) => body.ticket),
      onNotification: received,
      onReconnect: reconnected,
      createSocket,
      backoff,
    });
  }, [enabled, client, createSocket, backoff]);
}
