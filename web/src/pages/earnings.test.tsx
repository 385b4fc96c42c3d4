import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { BalanceOut, TransactionOut } from "@/api/creator";
import {
  apiError,
  EMAIL_NOT_VERIFIED,
  emailNotVerified,
  FakeApi,
  json,
  tokens,
} from "@/test/fake-api";
import { privateProfile, publicProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const creator = publicProfile();
const NOW = "2026-11-20T10:00:00Z";

function balance(available = "120.50"): BalanceOut {
  return {
    available: { currency: "EUR", value: available },
    pending: { currency: "EUR", value: "340.00" },
    in_transit: { currency: "EUR", value: "25.00" },
  };
}

function transaction(overrides: Partial<TransactionOut> = {}): TransactionOut {
  return {
    id: 41,
    type: "earning",
    account: "available",
    amount: { currency: "EUR", value: "96.00" },
    balance_after: { currency: "EUR", value: "120.50" },
    reference: { type: "order", id: "0a1b2c3d-0000-4000-8000-000000000003" },
    description: "Wedding highlight film",
    created_at: NOW,
    ...overrides,
  };
}

function creatorApi({ available = "120.50" } = {}) {
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () =>
      json(200, privateProfile({ id: creator.id, full_name: creator.full_name, role: "creator" })),
    )
    .on("GET /v1/payments/me/balance", () => json(200, balance(available)))
    .on("GET /v1/payments/me/transactions", (request) =>
      new URL(request.url).searchParams.get("cursor") === "40"
        ? json(200, {
            items: [
              transaction({
                id: 12,
                type: "withdrawal",
                amount: { currency: "EUR", value: "-50.00" },
                description: null,
              }),
            ],
            next_cursor: null,
          })
        : json(200, { items: [transaction()], next_cursor: "40" }),
    );
}

describe("the earnings page", () => {
  it("shows the balance and the history, older entries on request", async () => {
    const { user } = renderApp("/earnings", creatorApi());

    expect(await screen.findByRole("heading", { level: 1, name: "Earnings" })).toBeInTheDocument();
    const available = await screen.findByText("Available");
    expect(available.parentElement).toHaveTextContent("€120.50");
    expect(screen.getByText("In escrow").parentElement).toHaveTextContent("€340");
    expect(screen.getByText("In transit").parentElement).toHaveTextContent("€25");

    const table = await screen.findByRole("table", { name: "Money movements, newest first" });
    expect(within(table).getByText("Wedding highlight film")).toBeInTheDocument();
    expect(within(table).getByText("+€96")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Show older" }));
    expect(await within(table).findByText("Withdrawal")).toBeInTheDocument();
    expect(within(table).getByText("-€50")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Show older" })).not.toBeInTheDocument();
  });

  it("refuses, before asking the API, to withdraw more than is available", async () => {
    const api = creatorApi();
    const { user } = renderApp("/earnings", api);

    await user.type(await screen.findByLabelText("Amount (EUR)"), "500");
    await user.click(screen.getByRole("button", { name: "Withdraw" }));

    expect(
      await screen.findByText("You can withdraw at most €120.50, your available balance."),
    ).toBeInTheDocument();
    expect(screen.getByLabelText("Amount (EUR)")).toHaveAttribute("aria-invalid", "true");
    expect(api.calls("POST /v1/payments/me/withdraw")).toHaveLength(0);
  });

  it("shows the API's error when it refuses the withdrawal", async () => {
    const api = creatorApi().on("POST /v1/payments/me/withdraw", () =>
      apiError(400, "below_minimum_payout", "The smallest withdrawal is 20.00 EUR.", {
        minimum: "20.00",
      }),
    );
    const { user } = renderApp("/earnings", api);

    await user.type(await screen.findByLabelText("Amount (EUR)"), "5");
    await user.click(screen.getByRole("button", { name: "Withdraw" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "The smallest withdrawal is 20.00 EUR.",
    );
    expect(JSON.parse(api.calls("POST /v1/payments/me/withdraw")[0]!.body)).toEqual({
      amount: { currency: "EUR", value: "5.00" },
    });
  });

  it("offers a new verification link when the e-mail address is not verified", async () => {
    const api = creatorApi().on("POST /v1/payments/me/withdraw", () => emailNotVerified());
    const { user } = renderApp("/earnings", api);

    await user.type(await screen.findByLabelText("Amount (EUR)"), "50");
    await user.click(screen.getByRole("button", { name: "Withdraw" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(EMAIL_NOT_VERIFIED);
    expect(within(alert).getByRole("button", { name: "Send the link again" })).toBeEnabled();
    expect(screen.getAllByText(EMAIL_NOT_VERIFIED)).toHaveLength(1);
  });

  it("withdraws with an idempotency key and shows the new balance", async () => {
    let available = "120.50";
    const keys: (string | null)[] = [];
    const api = creatorApi()
      .on("GET /v1/payments/me/balance", () => json(200, balance(available)))
      .on("POST /v1/payments/me/withdraw", (request) => {
        keys.push(request.headers.get("Idempotency-Key"));
        available = "70.50";
        return json(201, {
          id: "7e57a11d-0000-4000-8000-000000000004",
          amount: { currency: "EUR", value: "50.00" },
          status: "pending",
          failure_reason: null,
          created_at: NOW,
          paid_at: null,
        });
      });
    const { user } = renderApp("/earnings", api);

    await user.type(await screen.findByLabelText("Amount (EUR)"), "50");
    await user.click(screen.getByRole("button", { name: "Withdraw" }));

    expect(await screen.findByText(/Withdrawal of €50 requested/)).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.getByText("Available").parentElement).toHaveTextContent("€70.50"),
    );
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/\S{8,}/);
    expect(screen.getByLabelText("Amount (EUR)")).toHaveValue("");
  });

  it("shows an error when the balance cannot be loaded", async () => {
    const api = creatorApi().on("GET /v1/payments/me/balance", () =>
      apiError(503, "service_unavailable", "ReelByte is not reachable right now."),
    );
    renderApp("/earnings", api);

    expect(await screen.findByText("Could not load your balance")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
