import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { PayoutMethod } from "@/api/payouts";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const NOW = "2026-11-20T10:00:00Z";

function method(overrides: Partial<PayoutMethod> = {}): PayoutMethod {
  return {
    id: "0a1b2c3d-0000-4000-8000-000000000101",
    provider: "sandbox",
    label: "Sandbox account",
    status: "verified",
    is_default: true,
    country: null,
    created_at: NOW,
    verified_at: NOW,
    ...overrides,
  };
}

const schedule = {
  interval: "manual",
  weekday: null,
  day_of_month: null,
  next_payout_on: null,
  minimum: { currency: "EUR", value: "20.00" },
};

function creatorApi(methods: PayoutMethod[]) {
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile({ role: "creator" })))
    .on("GET /v1/payments/me/balance", () =>
      json(200, {
        available: { currency: "EUR", value: "120.00" },
        pending: { currency: "EUR", value: "0.00" },
        in_transit: { currency: "EUR", value: "0.00" },
      }),
    )
    .on("GET /v1/payments/me/payout-methods", () => json(200, { items: methods }))
    .on("GET /v1/payments/me/payout-schedule", () => json(200, schedule));
}

describe("the payouts page", () => {
  it("shows each method's status and what to do next", async () => {
    renderApp(
      "/settings/payouts",
      creatorApi([
        method(),
        method({
          id: "0a1b2c3d-0000-4000-8000-000000000102",
          provider: "paypal",
          label: "PayPal me@example.com",
          status: "pending",
          is_default: false,
          verified_at: null,
        }),
      ]),
    );
    const list = await screen.findByRole("list", { name: "Your payout methods" });
    const items = within(list).getAllByRole("listitem");
    expect(items[0]).toHaveTextContent("Verified");
    expect(items[0]).toHaveTextContent("Default");
    expect(items[1]).toHaveTextContent("Pending");
    expect(within(items[1]!).getByRole("button", { name: "Send a new link" })).toBeInTheDocument();
  });

  it("quotes the fee before withdrawing, then withdraws to the chosen method", async () => {
    const api = creatorApi([method()])
      .on("GET /v1/payments/me/withdrawals/quote", () =>
        json(200, {
          amount: { currency: "EUR", value: "50.00" },
          fee: { currency: "EUR", value: "0.25" },
          net: { currency: "EUR", value: "49.75" },
          payout_method_id: method().id,
          provider: "sandbox",
        }),
      )
      .on("POST /v1/payments/me/withdraw", () =>
        json(201, {
          id: "0a1b2c3d-0000-4000-8000-000000000201",
          amount: { currency: "EUR", value: "50.00" },
          fee: { currency: "EUR", value: "0.25" },
          status: "pending",
          failure_reason: null,
          paid_at: null,
          payout_method_id: method().id,
          created_at: NOW,
        }),
      );
    const { user } = renderApp("/settings/payouts", api);
    const form = await screen.findByRole("form", { name: "Withdraw" });
    await user.type(within(form).getByLabelText("Amount (EUR)"), "50");
    await user.click(within(form).getByRole("button", { name: "Review withdrawal" }));
    const quote = await screen.findByRole("region", { name: "Withdrawal quote" });
    expect(quote).toHaveTextContent("€0.25");
    expect(quote).toHaveTextContent("€49.75");
    expect(api.calls("POST /v1/payments/me/withdraw")).toHaveLength(0);
    await user.click(within(quote).getByRole("button", { name: "Confirm withdrawal" }));
    expect(await screen.findByText(/Withdrawal of €50 requested/)).toBeInTheDocument();
    expect(JSON.parse(api.calls("POST /v1/payments/me/withdraw")[0]!.body)).toEqual({
      amount: { currency: "EUR", value: "50.00" },
      payout_method_id: method().id,
    });
  });

  it("explains 409 payout_method_required with a link to add one", async () => {
    const api = creatorApi([]).on("GET /v1/payments/me/withdrawals/quote", () =>
      apiError(
        409,
        "payout_method_required",
        "Add a payout method and finish its verification before withdrawing.",
      ),
    );
    const { user } = renderApp("/settings/payouts", api);
    expect(await screen.findByText("No payout method yet")).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Withdraw" });
    await user.type(within(form).getByLabelText("Amount (EUR)"), "50");
    await user.click(within(form).getByRole("button", { name: "Review withdrawal" }));
    const alert = await screen.findByText(/finish its verification/);
    expect(within(alert).getByRole("link", { name: "Add a payout method" })).toHaveAttribute(
      "href",
      "#add-method",
    );
  });

  it("saves a weekly schedule", async () => {
    const api = creatorApi([method()]).on("PUT /v1/payments/me/payout-schedule", () =>
      json(200, { ...schedule, interval: "weekly", weekday: 5, next_payout_on: "2026-11-27" }),
    );
    const { user } = renderApp("/settings/payouts", api);
    const form = await screen.findByRole("form", { name: "Payout schedule" });
    await user.selectOptions(within(form).getByLabelText("Pay out"), "weekly");
    await user.selectOptions(within(form).getByLabelText("On"), "5");
    await user.click(within(form).getByRole("button", { name: "Save schedule" }));
    expect(await within(form).findByText(/Every Friday/)).toBeInTheDocument();
    expect(JSON.parse(api.calls("PUT /v1/payments/me/payout-schedule")[0]!.body)).toEqual({
      interval: "weekly",
      weekday: 5,
    });
  });
});
