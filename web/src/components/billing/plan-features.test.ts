import { describe, expect, it } from "vitest";
import type { PlanOut } from "@/api/video-tools";
import { isPaid, planFeatures } from "./plan-features";

const pro: PlanOut = {
  code: "pro",
  name: "Pro",
  interval: "month",
  price: { currency: "EUR", value: "19.00" },
  trims_per_period: null,
  hooks_per_period: 50,
  max_source_seconds: 1800,
  storage_quota_mb: 51200,
  marketplace_fee_percentage: "10.00",
  priority_processing: true,
  api_access: true,
  webhooks: false,
};

describe("plan features", () => {
  it("puts limits in words, null as unlimited", () => {
    expect(planFeatures(pro)).toEqual([
      "Unlimited trims",
      "50 auto-hooks a month",
      "Source videos up to 30 min",
      "50 GB storage",
      "10 % marketplace fee on sales",
      "Priority processing",
      "API access",
    ]);
  });

  it("knows a free plan", () => {
    expect(isPaid(pro)).toBe(true);
    expect(isPaid({ ...pro, price: { currency: "EUR", value: "0.00" } })).toBe(false);
  });
});
