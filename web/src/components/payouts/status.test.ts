import { describe, expect, it } from "vitest";
import { nextStep, onboardsByPage, providerLabel } from "./status";

describe("payout method status", () => {
  it("says what to do next for each status", () => {
    expect(nextStep({ status: "verified", provider: "stripe" })).toMatch(/Ready/);
    expect(nextStep({ status: "pending", provider: "sandbox" })).toMatch(/continue the onboarding/);
    expect(nextStep({ status: "pending", provider: "paypal" })).toMatch(/e-mailed/);
    expect(nextStep({ status: "needs_info", provider: "mollie" })).toMatch(/more information/);
    expect(nextStep({ status: "rejected", provider: "venmo" })).toMatch(/Remove it/);
  });

  it("knows which providers onboard on their own page", () => {
    expect(onboardsByPage("sandbox")).toBe(true);
    expect(onboardsByPage("stripe")).toBe(true);
    expect(onboardsByPage("paypal")).toBe(false);
    expect(onboardsByPage("venmo")).toBe(false);
    expect(providerLabel("venmo")).toBe("Venmo (US only)");
  });
});
