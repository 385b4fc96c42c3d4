import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { renderApp } from "@/test/render";

const TOKEN = "0a1b2c3d-0000-4000-8000-000000000101.abcdef0123456789.1790000000.deadbeef";

function api() {
  return new FakeApi().on("POST /v1/auth/refresh", () =>
    apiError(401, "invalid_refresh_token", "Log in again."),
  );
}

describe("the payout method confirmation link", () => {
  it("confirms the method once and links to the payouts", async () => {
    const fake = api().on("POST /v1/payments/payout-methods/confirm", () =>
      json(200, {
        id: "0a1b2c3d-0000-4000-8000-000000000101",
        provider: "paypal",
        label: "PayPal me@example.com",
        status: "verified",
        is_default: true,
        country: null,
        created_at: "2026-11-20T10:00:00Z",
        verified_at: "2026-11-20T10:00:00Z",
      }),
    );
    renderApp(`/payout-methods/confirm?token=${TOKEN}`, fake);
    expect(
      await screen.findByText(/Withdrawals can now go to PayPal me@example.com/),
    ).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Go to your payouts" })).toHaveAttribute(
      "href",
      "/settings/payouts",
    );
    expect(fake.calls("POST /v1/payments/payout-methods/confirm")).toHaveLength(1);
  });

  it("shows the API's message for an expired link", async () => {
    const fake = api().on("POST /v1/payments/payout-methods/confirm", () =>
      apiError(
        400,
        "invalid_onboarding_link",
        "This link is not valid or has expired; ask for a new one.",
      ),
    );
    renderApp(`/payout-methods/confirm?token=${TOKEN}`, fake);
    expect(await screen.findByRole("alert")).toHaveTextContent("has expired");
    expect(screen.getByRole("link", { name: "Ask for a new link" })).toBeInTheDocument();
  });
});
