import { describe, expect, it } from "vitest";
import { checkSplit, fromMinor, halves, toMinor } from "./split";

describe("toMinor / fromMinor", () => {
  it("reads amounts with up to two decimals", () => {
    expect(toMinor("12")).toBe(1200);
    expect(toMinor("12.5")).toBe(1250);
    expect(toMinor("0.07")).toBe(7);
    expect(toMinor(" 3,25 ")).toBe(325);
    expect(toMinor("")).toBeNull();
    expect(toMinor("-1")).toBeNull();
    expect(toMinor("1.234")).toBeNull();
    expect(toMinor("abc")).toBeNull();
  });
  it("writes the API's format", () => {
    expect(fromMinor(1250)).toBe("12.50");
    expect(fromMinor(7)).toBe("0.07");
    expect(fromMinor(0)).toBe("0.00");
  });
});

describe("checkSplit", () => {
  it("accepts amounts that add up to what is held, exactly", () => {
    expect(checkSplit("0.1", "0.2", "0.30")).toEqual({ ok: true, refund: "0.10", release: "0.20" });
    expect(checkSplit("100", "0", "100.00")).toEqual({
      ok: true,
      refund: "100.00",
      release: "0.00",
    });
  });
  it("says what is left to assign or too much", () => {
    const short = checkSplit("40", "50", "100.00");
    expect(short.ok).toBe(false);
    if (!short.ok) expect(short.message).toMatch(/10\.00 is left to assign/);
    const over = checkSplit("60", "50", "100.00");
    if (!over.ok) expect(over.message).toMatch(/10\.00 too much/);
  });
  it("marks the field that is not an amount", () => {
    const result = checkSplit("abc", "10", "10.00");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.refundError).toBeDefined();
      expect(result.releaseError).toBeUndefined();
    }
  });
});

describe("halves", () => {
  it("splits in two, the odd cent to the client", () => {
    expect(halves("100.00")).toEqual({ refund: "50.00", release: "50.00" });
    expect(halves("0.05")).toEqual({ refund: "0.03", release: "0.02" });
  });
});
