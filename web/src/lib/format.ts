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

export function formatDateTime(iso: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" }).format(
    new Date(iso),
  );
}

const RELATIVE_STEPS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "5 minutes ago", "yesterday", "just now". */
export function formatRelativeTime(iso: string, now: number = Date.now(), locale?: string) {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const format = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return "just now";
}

/** A creator's median first-reply time, in words. */
export function formatResponseTime(hours: number | null | undefined): string {
  if (hours === null || hours === undefined) return "—";
  if (hours <= 1) return "Within an hour";
  if (hours < 48) return `Within ${hours} hours`;
  return `Within ${Math.round(hours / 24)} days`;
}

/** "nl" → "Dutch" (the code itself when the browser cannot name it). */
export function languageName(code: string, locale = "en"): string {
  try {
    return new Intl.DisplayNames([locale], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** Seconds as a clock: 75 → "1:15", 3725 → "1:02:05". */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = String(seconds % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
