import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DataExport } from "@/api/privacy";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const sessions = [
  {
    id: "session-here",
    created_at: "2026-11-20T10:00:00Z",
    last_used_at: "2026-12-01T10:00:00Z",
    user_agent: "Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36",
    ip_address: "203.0.113.7",
    current: true,
  },
  {
    id: "session-phone",
    created_at: "2026-10-02T10:00:00Z",
    last_used_at: "2026-11-28T10:00:00Z",
    user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/605.1",
    ip_address: "198.51.100.4",
    current: false,
  },
];

const ready: DataExport = {
  id: "export-1",
  status: "ready",
  created_at: "2026-12-01T10:00:00Z",
  completed_at: "2026-12-01T10:00:05Z",
  download_url: "https://files.test/export-1.zip",
  download_url_expires_at: "2026-12-01T11:00:00Z",
  expires_at: "2026-12-02T10:00:05Z",
  expired: false,
  size_bytes: 48_000,
};

function account() {
  let exports: DataExport[] = [];
  let live = sessions;
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile({ username: "ada-client" })))
    .on("GET /v1/notifications/unread-count", () => json(200, { count: 0 }))
    .on("POST /v1/ws/ticket", () => apiError(503, "realtime_unavailable", "Later."))
    .on("GET /v1/users/me/sessions", () => json(200, live))
    .on("DELETE /v1/users/me/sessions/session-phone", () => {
      live = sessions.filter((session) => session.current);
      return new Response(null, { status: 204 });
    })
    .on("GET /v1/users/me/exports", () =>
      json(200, {
        items: exports,
        page: 1,
        page_size: 5,
        total: exports.length,
        total_pages: 1,
        total_is_exact: true,
      }),
    )
    .on("POST /v1/users/me/export", () => {
      exports = [ready];
      return json(202, { ...ready, status: "pending", download_url: null });
    })
    .on("DELETE /v1/users/me", () =>
      apiError(409, "open_orders", "Your account has orders that are not finished.", {
        orders: [
          { id: "0f0e0d0c-0000-4000-8000-000000000001", status: "in_progress", role: "client" },
        ],
      }),
    );
}

beforeEach(() => {
  vi.stubGlobal("WebSocket", vi.fn());
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the account settings", () => {
  it("logs out every other session in one go", async () => {
    const api = account();
    const { user } = renderApp("/settings", api);
    await user.click(await screen.findByRole("button", { name: "Log out 1 other session" }));
    expect(await screen.findByText("Your other sessions were logged out.")).toBeInTheDocument();
    expect(api.calls("DELETE /v1/users/me/sessions/session-phone")).toHaveLength(1);
  });

  it("asks for an export and offers its download", async () => {
    const api = account();
    const { user } = renderApp("/settings", api);
    await user.click(await screen.findByRole("button", { name: "Export my data" }));
    const list = await screen.findByRole("list", { name: "Your data exports" });
    expect(within(list).getByRole("link", { name: "Download ZIP" })).toHaveAttribute(
      "href",
      ready.download_url,
    );
  });

  it("deletes only once the username is typed, and lists the orders that stop it", async () => {
    const api = account();
    const { user } = renderApp("/settings", api);
    const remove = await screen.findByRole("button", { name: "Delete my account" });
    expect(remove).toBeDisabled();
    await user.type(screen.getByLabelText(/Type your username/), "ada-client");
    await user.click(remove);
    await waitFor(() => expect(api.calls("DELETE /v1/users/me")).toHaveLength(1));
    expect(api.calls("DELETE /v1/users/me")[0]?.search).toBe("?erase=true");
    const alert = await screen.findByText(/orders that are not finished/);
    expect(alert).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Order 0f0e0d0c" })).toHaveAttribute(
      "href",
      "/orders/0f0e0d0c-0000-4000-8000-000000000001",
    );
  });
});
