import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { SubscriptionOut } from "@/api/billing";
import type { PlanOut, UsageOut } from "@/api/video-tools";
import { externalNavigation } from "@/components/order/external-navigation";
import { FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const pro: PlanOut = {
  code: "pro",
  name: "Pro",
  price: { currency: "EUR", value: "19.00" },
  interval: "month",
  trims_per_period: 100,
  hooks_per_period: 30,
  max_source_seconds: 3600,
  storage_quota_mb: 51_200,
  marketplace_fee_percentage: "10.00",
  priority_processing: true,
  api_access: true,
  webhooks: true,
};
const free: PlanOut = {
  ...pro,
  code: "free",
  name: "Free",
  price: { currency: "EUR", value: "0.00" },
  trims_per_period: 3,
  hooks_per_period: 1,
  priority_processing: false,
  api_access: false,
  webhooks: false,
};

const USAGE: UsageOut = {
  plan: "free",
  period_start: "2026-11-01",
  period_end: "2026-12-01",
  upgrade_url: "https://reelbyte.test/v1/billing/plans",
  history: [],
  metrics: [{ metric: "trim", used: 2, limit: 3, percent: 66.7 }],
};

function subscription(overrides: Partial<SubscriptionOut> = {}): SubscriptionOut {
  return {
    plan: free,
    status: "free",
    cancel_at_period_end: false,
    current_period_start: null,
    current_period_end: null,
    grace_ends_at: null,
    past_due_since: null,
    pending_plan: null,
    ...overrides,
  };
}

function api(current: SubscriptionOut) {
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile({ role: "creator" })))
    .on("GET /v1/billing/subscription", () => json(200, current))
    .on("GET /v1/billing/plans", () => json(200, [free, pro]))
    .on("GET /v1/users/me/usage", () => json(200, USAGE));
}

afterEach(() => vi.restoreAllMocks());

describe("the billing page", () => {
  it("shows the plan, its usage and the plans, and checks out an upgrade", async () => {
    const assign = vi.spyOn(externalNavigation, "assign").mockImplementation(() => {});
    const fake = api(subscription()).on("POST /v1/billing/checkout", () =>
      json(201, { checkout_url: "https://pay.example/checkout/1" }),
    );
    const { user } = renderApp("/billing", fake);
    expect(await screen.findByText("2 of 3")).toBeInTheDocument();
    const proCard = await screen.findByRole("listitem", { name: "Pro plan" });
    expect(within(proCard).getByText("100 trims a month")).toBeInTheDocument();
    expect(
      within(screen.getByRole("listitem", { name: "Free plan" })).getByText("Your plan"),
    ).toBeInTheDocument();
    await user.click(within(proCard).getByRole("button", { name: "Upgrade to Pro" }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://pay.example/checkout/1"));
    expect(JSON.parse(fake.calls("POST /v1/billing/checkout")[0]!.body)).toEqual({ plan: "pro" });
  });

  it("cancels at the period end after a confirmation, and resumes", async () => {
    const active = subscription({
      plan: pro,
      status: "active",
      current_period_start: "2026-11-01T00:00:00Z",
      current_period_end: "2026-12-01T00:00:00Z",
    });
    const fake = api(active)
      .on("POST /v1/billing/subscription/cancel", () =>
        json(200, { ...active, cancel_at_period_end: true }),
      )
      .on("POST /v1/billing/subscription/resume", () => json(200, active));
    const { user } = renderApp("/billing", fake);
    await user.click(await screen.findByRole("button", { name: "Cancel subscription" }));
    expect(fake.calls("POST /v1/billing/subscription/cancel")).toHaveLength(0);
    await user.click(screen.getByRole("button", { name: "Cancel at the end of the period" }));
    expect(await screen.findByText(/Your subscription ends on/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Keep my subscription" }));
    await waitFor(() => expect(fake.calls("POST /v1/billing/subscription/resume")).toHaveLength(1));
    expect(await screen.findByRole("button", { name: "Cancel subscription" })).toBeInTheDocument();
  });
});
