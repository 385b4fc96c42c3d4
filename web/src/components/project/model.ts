/**
 * The arithmetic of projects and milestones, in cents (never floats), and the proposed
 * milestones a creator sends with a proposal (the API keeps them on the proposal and plans the
 * order with them when the proposal is accepted).
 */
import type { Money } from "@/lib/format";

export type Currency = Money["currency"];

/** A typed amount: digits with at most two decimals ("12", "12.5", "12.50"). */
export const AMOUNT = /^\d{1,8}(\.\d{1,2})?$/;

/** "12.5" → 1250; null when it is not an amount. */
export function toCents(text: string): number | null {
  const value = text.trim();
  if (!AMOUNT.test(value)) return null;
  const [whole = "0", fraction = ""] = value.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/** 1250 → "12.50": the API's money value. */
export function fromCents(cents: number): string {
  const sign = cents < 0 ? "-" : "";
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

export function money(cents: number, currency: Currency): Money {
  return { currency, value: fromCents(cents) };
}

export interface MilestoneDraft {
  title: string;
  amount: string;
}

/** Where a list of milestone amounts stands against the total they must add up to. */
export interface SplitCheck {
  /** The sum of the amounts that parse, in cents. */
  sum: number;
  /** total − sum: what is left to assign (negative: too much). */
  remaining: number;
  /** Every amount is valid and positive, every title is given, and the sum is the total. */
  ok: boolean;
  /** Indexes of drafts whose amount does not parse or is zero. */
  invalid: number[];
}

export function checkSplit(drafts: MilestoneDraft[], totalCents: number | null): SplitCheck {
  let sum = 0;
  const invalid: number[] = [];
  drafts.forEach((draft, index) => {
    const cents = toCents(draft.amount);
    if (cents === null || cents === 0) invalid.push(index);
    else sum += cents;
  });
  const remaining = (totalCents ?? 0) - sum;
  const titled = drafts.every((draft) => draft.title.trim().length > 0);
  return {
    sum,
    remaining,
    invalid,
    ok:
      totalCents !== null && drafts.length > 0 && invalid.length === 0 && titled && remaining === 0,
  };
}

/** The drafts as the API takes them: titles trimmed, amounts in `currency` as typed. */
export function proposalMilestones(
  drafts: MilestoneDraft[],
  currency: Currency,
): { title: string; amount: Money }[] {
  return drafts.map((draft) => ({
    title: draft.title.trim().replace(/\s+/g, " "),
    amount: money(toCents(draft.amount) ?? 0, currency),
  }));
}
