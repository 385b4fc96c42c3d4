import { act, screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { NotificationOut } from "@/api/notifications";
import type { SocketLike } from "@/api/notification-socket";
import { FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

/** Stands in for the browser's WebSocket (installed as the global one). */
class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  onopen: SocketLike["onopen"] = null;
  onmessage: SocketLike["onmessage"] = null;
  onclose: SocketLike["onclose"] = null;
  onerror: SocketLike["onerror"] = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(frame: unknown) {
    act(() => {
      this.onmessage?.(new MessageEvent("message", { data: JSON.stringify(frame) }));
    });
  }
  close() {}
}

function notification(overrides: Partial<NotificationOut> = {}): NotificationOut {
  return {
    id: 1,
    type: "order_delivered",
    title: "Order delivered",
    content: "The order “Wedding film” was delivered: please review it.",
    link: "/orders/order-1",
    reference_type: "order",
    reference_id: "order-1",
    is_read: false,
    read_at: null,
    created_at: new Date(Date.now() - 5 * 60_000).toISOString(),
    ...overrides,
  };
}

function loggedIn(unread: { count: number }, items: NotificationOut[] = []) {
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile()))
    .on("GET /v1/notifications/unread-count", () => json(200, unread))
    .on("GET /v1/notifications", () => json(200, { items, next_cursor: null }))
    .on("POST /v1/ws/ticket", () => json(200, { ticket: "T-1", expires_in: 45 }))
    .on("PUT /v1/notifications/read-all", () => {
      const updated = unread.count;
      unread.count = 0;
      return json(200, { updated });
    });
}

beforeEach(() => {
  FakeSocket.all = [];
  vi.stubGlobal("WebSocket", FakeSocket);
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the notification bell", () => {
  it("shows the unread count in its name and its badge", async () => {
    renderApp("/", loggedIn({ count: 3 }));
    const bell = await screen.findByRole("button", { name: "Notifications, 3 unread" });
    expect(bell).toHaveTextContent("3");
  });

  it("counts a notification pushed over the socket at once", async () => {
    const unread = { count: 3 };
    const api = loggedIn(unread);
    renderApp("/", api);
    await screen.findByRole("button", { name: "Notifications, 3 unread" });
    await waitFor(() => expect(FakeSocket.all).toHaveLength(1));
    const socket = FakeSocket.all[0]!;
    expect(socket.url).toMatch(/^ws:\/\/[^/]+\/v1\/ws\/notifications\?ticket=T-1$/);
    expect(api.calls("POST /v1/ws/ticket")[0]?.authorization).toBe("Bearer A1");

    unread.count = 4; // what the API answers from now on
    socket.send({ type: "notification", data: notification({ id: 2, title: "Order paid" }) });

    expect(
      await screen.findByRole("button", { name: "Notifications, 4 unread" }),
    ).toBeInTheDocument();
    expect(screen.getByText("New notification: Order paid")).toBeInTheDocument();
  });

  it("lists the latest in a popover, linking to them and to the whole list", async () => {
    const api = loggedIn({ count: 1 }, [
      notification(),
      notification({ id: 2, title: "Review received", is_read: true, link: null }),
    ]);
    const { user } = renderApp("/", api);

    await user.click(await screen.findByRole("button", { name: "Notifications, 1 unread" }));
    const popover = await screen.findByRole("dialog", { name: "Latest notifications" });
    expect(await within(popover).findByRole("link", { name: /Order delivered/ })).toHaveAttribute(
      "href",
      "/orders/order-1",
    );
    expect(within(popover).getByText("Review received")).toBeInTheDocument();
    expect(within(popover).getByRole("link", { name: "See all notifications" })).toHaveAttribute(
      "href",
      "/notifications",
    );
    expect(api.calls("GET /v1/notifications")[0]?.search).toBe("?limit=5");

    await user.click(within(popover).getByRole("button", { name: "Mark all read" }));
    expect(await screen.findByRole("button", { name: "Notifications" })).toBeInTheDocument();
    expect(api.calls("PUT /v1/notifications/read-all")).toHaveLength(1);
  });
});
