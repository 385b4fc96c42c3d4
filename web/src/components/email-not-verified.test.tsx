import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { anonymous, renderApp } from "@/test/render";

const BANNER =
  "Confirm your e-mail address (sent to sam@example.com) to order, publish gigs, send proposals and withdraw.";

function verifiedOrNot(verified: boolean) {
  return { email_verified: verified, must_verify_email: !verified };
}

/** Sam, logged in; the profile the API answers can change between two reads. */
function account(...verified: boolean[]) {
  let reads = 0;
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () =>
      json(200, privateProfile(verifiedOrNot(verified[Math.min(reads++, verified.length - 1)]!))),
    )
    .on("GET /v1/notifications/unread-count", () => json(200, { count: 0 }))
    .on("POST /v1/ws/ticket", () => apiError(503, "realtime_unavailable", "Later."));
}

/** The banner: the status region around its sentence. */
async function banner() {
  const sentence = await screen.findByText(/^Confirm your e-mail address/);
  return sentence.closest<HTMLElement>("[role=status]")!;
}

beforeEach(() => {
  vi.stubGlobal("WebSocket", vi.fn());
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the verify-your-address banner", () => {
  it("asks an unverified user to confirm, as a status, and sends a new link", async () => {
    const api = account(false).on("POST /v1/auth/resend-verification", () =>
      json(202, { message: "A new verification e-mail is on its way." }),
    );
    const { user } = renderApp("/nowhere", api);

    const status = await banner();
    expect(status).toHaveTextContent(BANNER);
    expect(screen.queryByRole("alert")).not.toBeInTheDocument();
    await user.click(within(status).getByRole("button", { name: "Send the link again" }));

    expect(
      await within(status).findByText("A new verification e-mail is on its way."),
    ).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/resend-verification")).toHaveLength(1);
    expect(api.calls("POST /v1/auth/resend-verification")[0]!.authorization).toBe("Bearer A1");
  });

  it("is not there where the server does not require a verified address", async () => {
    const api = new FakeApi()
      .on("POST /v1/auth/refresh", () => tokens("A1"))
      .on("GET /v1/users/me", () =>
        json(200, privateProfile({ email_verified: false, must_verify_email: false })),
      )
      .on("GET /v1/notifications/unread-count", () => json(200, { count: 0 }))
      .on("POST /v1/ws/ticket", () => apiError(503, "realtime_unavailable", "Later."));
    renderApp("/nowhere", api);

    expect(await screen.findByRole("button", { name: /Account menu/ })).toBeInTheDocument();
    expect(screen.queryByText(/^Confirm your e-mail address/)).not.toBeInTheDocument();
  });

  it("is not there for a verified user", async () => {
    renderApp("/nowhere", account(true));

    expect(await screen.findByRole("button", { name: /Account menu/ })).toBeInTheDocument();
    expect(screen.queryByText(/^Confirm your e-mail address/)).not.toBeInTheDocument();
  });

  it("is not there for a visitor", async () => {
    renderApp("/nowhere", anonymous(new FakeApi()));

    expect(await screen.findByRole("link", { name: "Log in" })).toBeInTheDocument();
    expect(screen.queryByText(/^Confirm your e-mail address/)).not.toBeInTheDocument();
  });

  it("goes away when the address turns out to be verified already", async () => {
    const api = account(false, true).on("POST /v1/auth/resend-verification", () =>
      apiError(409, "already_verified", "Your e-mail address is already verified."),
    );
    const { user } = renderApp("/nowhere", api);

    const status = await banner();
    await user.click(within(status).getByRole("button", { name: "Send the link again" }));

    await waitFor(() =>
      expect(screen.queryByText(/^Confirm your e-mail address/)).not.toBeInTheDocument(),
    );
    expect(api.calls("GET /v1/users/me")).toHaveLength(2);
  });
});
