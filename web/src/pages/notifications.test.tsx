import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { NotificationOut } from "@/api/notifications";
import { FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

function notification(id: number, overrides: Partial<NotificationOut> = {}): NotificationOut {
  return {
    id,
    type: "order_paid",
    title: `Order ${id} paid`,
    content: "You can start.",
    link: `/orders/order-${id}`,
    reference_type: "order",
    reference_id: `order-${id}`,
    is_read: false,
    read_at: null,
    created_at: "2026-11-20T10:00:00Z",
    ...overrides,
  };
}

/** Three notifications, two per page; reading and deleting change what the API answers. */
function inbox() {
  const items = [
    notification(3),
    notification(2, { is_read: true }),
    notification(1, { is_read: true, link: null }),
  ];
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile()))
    .on("POST /v1/ws/ticket", () => json(503, { error: "realtime_unavailable", message: "Later." }))
    .on("GET /v1/notifications/unread-count", () =>
      json(200, { count: items.filter((item) => !item.is_read).length }),
    )
    .on("GET /v1/notifications", (_, seen) => {
      const cursor = Number(new URLSearchParams(seen.search).get("cursor") ?? Infinity);
      const older = items.filter((item) => item.id < cursor);
      const page = older.slice(0, 2);
      return json(200, {
        items: page,
        next_cursor: older.length > 2 ? page[page.length - 1]!.id : null,
      });
    })
    .on("PUT /v1/notifications/3/read", () => {
      items[0] = { ...items[0]!, is_read: true, read_at: "2026-11-20T11:00:00Z" };
      return json(200, items[0]);
    })
    .on("DELETE /v1/notifications/2", () => {
      items.splice(1, 1);
      return new Response(null, { status: 204 });
    });
}

beforeEach(() => {
  vi.stubGlobal("WebSocket", vi.fn());
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the notifications page", () => {
  it("lists notifications, marks one read, loads older ones and deletes one", async () => {
    const api = inbox();
    const { user } = renderApp("/notifications", api);

    expect(await screen.findByRole("heading", { name: "Notifications" })).toBeInTheDocument();
    const list = await screen.findByRole("list");
    expect(within(list).getByRole("link", { name: "Order 3 paid" })).toHaveAttribute(
      "href",
      "/orders/order-3",
    );
    expect(within(list).getByText("(unread)")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Mark “Order 3 paid” read" }));
    await waitFor(() => expect(within(list).queryByText("(unread)")).not.toBeInTheDocument());
    expect(api.calls("PUT /v1/notifications/3/read")).toHaveLength(1);

    await user.click(screen.getByRole("button", { name: "Show older notifications" }));
    expect(await screen.findByText("Order 1 paid")).toBeInTheDocument();
    expect(api.calls("GET /v1/notifications").map((call) => call.search)).toContain(
      "?limit=20&cursor=2",
    );

    await user.click(screen.getByRole("button", { name: "Delete “Order 2 paid”" }));
    await waitFor(() => expect(screen.queryByText("Order 2 paid")).not.toBeInTheDocument());
    expect(api.calls("DELETE /v1/notifications/2")).toHaveLength(1);
  });
});
