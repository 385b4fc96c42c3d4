import { screen, waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { apiError, deferred, FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { anonymous, renderApp } from "@/test/render";

const TOKEN = "change-token-0123456789abcdef";
const MOVED = privateProfile({ email: "sam@new.example.com", email_verified: true });

beforeEach(() => {
  vi.stubGlobal("WebSocket", vi.fn());
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("following the link sent to a new address", () => {
  it("sends the link's token once and shows the new address", async () => {
    const api = anonymous(new FakeApi()).on("POST /v1/auth/confirm-email", () => json(200, MOVED));
    renderApp(`/confirm-email?token=${TOKEN}`, api);

    expect(
      await screen.findByRole("heading", { name: "E-mail address changed" }),
    ).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent(
      "Your account's e-mail address is now sam@new.example.com.",
    );
    expect(api.calls("POST /v1/auth/confirm-email")).toHaveLength(1);
    expect(JSON.parse(api.calls("POST /v1/auth/confirm-email")[0]!.body)).toEqual({
      token: TOKEN,
    });
  });

  it("moves my own cached profile to the new, verified address", async () => {
    const answer = deferred<Response>();
    const api = new FakeApi()
      .on("POST /v1/auth/refresh", () => tokens("A1"))
      .on("GET /v1/users/me", () =>
        json(200, privateProfile({ email_verified: false, must_verify_email: true })),
      )
      .on("GET /v1/notifications/unread-count", () => json(200, { count: 0 }))
      .on("POST /v1/ws/ticket", () => apiError(503, "realtime_unavailable", "Later."))
      .on("POST /v1/auth/confirm-email", () => answer.promise);
    const { queryClient } = renderApp(`/confirm-email?token=${TOKEN}`, api);

    expect(await screen.findByText(/Confirm your e-mail address/)).toBeInTheDocument();
    answer.resolve(json(200, MOVED));
    expect(
      await screen.findByRole("heading", { name: "E-mail address changed" }),
    ).toBeInTheDocument();
    await waitFor(() =>
      expect(queryClient.getQueryData(["me"])).toMatchObject({
        email: "sam@new.example.com",
        email_verified: true,
      }),
    );
    expect(screen.queryByText(/Confirm your e-mail address/)).not.toBeInTheDocument();
    // The link works without a session: a 401 would be about the link, not a stale token.
    expect(api.calls("POST /v1/auth/confirm-email")[0]!.authorization).toBeNull();
  });

  it("explains an expired link and offers the settings to ask again", async () => {
    const api = anonymous(new FakeApi()).on("POST /v1/auth/confirm-email", () =>
      apiError(400, "link_expired", "This link has expired; ask for a new one."),
    );
    renderApp(`/confirm-email?token=${TOKEN}`, api);

    expect(
      await screen.findByRole("heading", { name: "This link has expired" }),
    ).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent(
      "This link has expired; ask for a new one.",
    );
    expect(screen.getByRole("link", { name: "Go to your settings" })).toHaveAttribute(
      "href",
      "/settings",
    );
  });

  it("explains an address another account took meanwhile", async () => {
    const api = anonymous(new FakeApi()).on("POST /v1/auth/confirm-email", () =>
      apiError(409, "account_exists", "That e-mail or username is already taken."),
    );
    renderApp(`/confirm-email?token=${TOKEN}`, api);

    expect(
      await screen.findByRole("heading", { name: "That address is taken" }),
    ).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent(
      "That e-mail or username is already taken.",
    );
    expect(screen.getByRole("link", { name: "Go to your settings" })).toBeInTheDocument();
  });

  it("offers to try again when the API cannot be reached", async () => {
    let attempts = 0;
    const api = anonymous(new FakeApi()).on("POST /v1/auth/confirm-email", () =>
      ++attempts === 1 ? apiError(503, "unavailable", "Try again later.") : json(200, MOVED),
    );
    const { user } = renderApp(`/confirm-email?token=${TOKEN}`, api);

    await user.click(await screen.findByRole("button", { name: "Try again" }));
    expect(
      await screen.findByRole("heading", { name: "E-mail address changed" }),
    ).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/confirm-email")).toHaveLength(2);
  });

  it("sends nothing for a link cut short", async () => {
    const api = anonymous(new FakeApi());
    renderApp("/confirm-email?token=short", api);

    expect(
      await screen.findByRole("heading", { name: "This link is not complete" }),
    ).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/confirm-email")).toHaveLength(0);
  });
});
