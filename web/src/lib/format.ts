import type { components } from "@/api/schema";

export type Money = components["schemas"]["Money"];

/** The API's money (`{"currency": "EUR", "value": "12.50"}`) for display only: never for sums. */
export function formatMoney(money: Money, locale?: string): string {
  const amount = Number(money.value);
  const whole = Number.isInteger(amount);
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: money.currency,
    minimumFractionDigits: whole ? 0 : 2,
    maximumFractionDigits: 2,
  }).format(amount);
}

/** A rating as the API sends it ("4.87") to one decimal ("4.9"); "0.00" with no reviews is "New". */
export function formatRating(rating: string, reviews: number): string {
  if (reviews === 0) return "New";
  return Number(rating).toFixed(1);
}

export function formatDate(iso: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, {
    year: "numeric",
    month: "short",
    day: "numeric",
  }).format(new Date(iso));
}

const LEVELS: Record<components["schemas"]["CreatorLevel"], string> = {
  new: "New creator",
  rising: "Rising talent",
  pro: "Pro",
  top: "Top rated",
};

export function levelLabel(level: components["schemas"]["CreatorLevel"]): string {
  return LEVELS[level];
}

export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}
