import { describe, expect, it } from "vitest";
import { amountProblem, describeSchedule, recentMonths } from "./format";

const minimum = { currency: "EUR" as const, value: "20.00" };

describe("payout helpers", () => {
  it("lists the last months, the current one first, across a year", () => {
    expect(recentMonths(new Date("2026-02-10T12:00:00Z"), 3)).toEqual([
      "2026-02",
      "2026-01",
      "2025-12",
    ]);
  });

  it("puts a schedule in words", () => {
    const base = { minimum, next_payout_on: null, weekday: null, day_of_month: null };
    expect(describeSchedule({ ...base, interval: "manual" })).toMatch(/^Manual/);
    expect(describeSchedule({ ...base, interval: "weekly", weekday: 5 })).toMatch(/^Every Friday/);
    expect(describeSchedule({ ...base, interval: "monthly", day_of_month: 31 })).toMatch(/day 31/);
  });

  it("checks an amount against the available balance", () => {
    const available = { currency: "EUR" as const, value: "100.00" };
    expect(amountProblem("50", available)).toBeNull();
    expect(amountProblem("100.00", available)).toBeNull();
    expect(amountProblem("abc", available)).toMatch(/Enter an amount/);
    expect(amountProblem("0", available)).toMatch(/more than zero/);
    expect(amountProblem("100.01", available)).toMatch(/at most/);
  });
});
