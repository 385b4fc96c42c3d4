import { describe, expect, it, vi } from "vitest";
import type { NotificationOut } from "./notifications";
import { notificationsUrl, streamNotifications, type SocketLike } from "./notification-socket";

class FakeSocket implements SocketLike {
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  closedWith: number | null = null;
  constructor(readonly url: string) {}
  open() {
    this.onopen?.(new Event("open"));
  }
  send(frame: unknown) {
    this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(frame) }));
  }
  drop(code: number) {
    this.onclose?.(new CloseEvent("close", { code }));
  }
  close(code?: number) {
    this.closedWith = code ?? null;
  }
}

const notification: NotificationOut = {
  id: 7,
  type: "order_paid",
  title: "Order paid",
  content: "The order “Wedding film” was paid: you can start.",
  link: "/orders/1",
  reference_type: "order",
  reference_id: "1",
  is_read: false,
  read_at: null,
  created_at: "2026-11-20T10:00:00Z",
};

function harness() {
  const sockets: FakeSocket[] = [];
  let tickets = 0;
  const received: NotificationOut[] = [];
  const onReconnect = vi.fn();
  const getTicket = vi.fn(async () => `ticket-${++tickets}`);
  const stop = streamNotifications({
    getTicket,
    onNotification: (item) => received.push(item),
    onReconnect,
    createSocket: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    backoff: () => 0,
    origin: "https://reelbyte.test",
  });
  return { sockets, received, onReconnect, getTicket, stop };
}

describe("the notifications socket", () => {
  it("connects with a fresh ticket and hands on notification frames only", async () => {
    const { sockets, received, stop } = harness();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    expect(sockets[0]!.url).toBe("wss://reelbyte.test/v1/ws/notifications?ticket=ticket-1");

    sockets[0]!.open();
    sockets[0]!.send({ type: "presence", data: { user_id: "x", online: true } });
    sockets[0]!.send({ type: "notification", data: notification });
    sockets[0]!.onmessage?.(new MessageEvent("message", { data: "not json" }));

    expect(received).toEqual([notification]);
    stop();
  });

  it("reconnects with a new ticket when the server closes, and catches up", async () => {
    const { sockets, onReconnect, getTicket, stop } = harness();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    sockets[0]!.open();
    expect(onReconnect).not.toHaveBeenCalled();

    sockets[0]!.drop(1013); // read too slowly: reconnect and catch up over HTTP
    await vi.waitFor(() => expect(sockets).toHaveLength(2));
    expect(sockets[1]!.url).toContain("ticket=ticket-2");
    sockets[1]!.open();
    expect(onReconnect).toHaveBeenCalledTimes(1);
    expect(getTicket).toHaveBeenCalledTimes(2);
    stop();
  });

  it("keeps trying when no ticket can be had (realtime unavailable)", async () => {
    const sockets: FakeSocket[] = [];
    const getTicket = vi
      .fn<(signal: AbortSignal) => Promise<string>>()
      .mockRejectedValueOnce(new Error("503"))
      .mockResolvedValue("ticket-ok");
    const stop = streamNotifications({
      getTicket,
      onNotification: () => undefined,
      createSocket: (url) => {
        const socket = new FakeSocket(url);
        sockets.push(socket);
        return socket;
      },
      backoff: () => 0,
      origin: "http://localhost:5173",
    });
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    expect(sockets[0]!.url).toBe("ws://localhost:5173/v1/ws/notifications?ticket=ticket-ok");
    stop();
  });

  it("closes the socket and stops reconnecting once stopped", async () => {
    const { sockets, stop, getTicket } = harness();
    await vi.waitFor(() => expect(sockets).toHaveLength(1));
    sockets[0]!.open();
    stop();
    expect(sockets[0]!.closedWith).toBe(1000);
    sockets[0]!.drop(1000);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(getTicket).toHaveBeenCalledTimes(1);
  });

  it("builds the socket URL from the page's origin", () => {
    expect(notificationsUrl("a b", "http://localhost:8000")).toBe(
      "ws://localhost:8000/v1/ws/notifications?ticket=a+b",
    );
  });
});
