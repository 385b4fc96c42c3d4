/** The payouts page's pure helpers: schedules and months in words, amounts checked. */
import type { BalanceOut } from "@/api/creator";
import type { PayoutSchedule } from "@/api/payouts";
import { parseCents, valueToCents } from "@/components/creator/money";
import { formatMoney } from "@/lib/format";

export const WEEKDAYS = [
  "Monday",
  "Tuesday",
  "Wednesday",
  "Thursday",
  "Friday",
  "Saturday",
  "Sunday",
];

export type Interval = PayoutSchedule["interval"];

/** The schedule in words. */
export function describeSchedule(schedule: PayoutSchedule): string {
  if (schedule.interval === "weekly")
    return `Every ${WEEKDAYS[(schedule.weekday ?? 1) - 1]}, when your available balance is at least ${formatMoney(schedule.minimum)}.`;
  if (schedule.interval === "monthly")
    return `Every month on day ${schedule.day_of_month ?? 1} (the last day in shorter months), when your available balance is at least ${formatMoney(schedule.minimum)}.`;
  return "Manual: you withdraw when you like.";
}

/** The last `count` calendar months (UTC) as `yyyy-mm`, the current one first. */
export function recentMonths(now: Date, count = 24): string[] {
  const months: string[] = [];
  for (let back = 0; back < count; back++) {
    const date = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
    months.push(`${date.getUTCFullYear()}-${String(date.getUTCMonth() + 1).padStart(2, "0")}`);
  }
  return months;
}

export function monthName(month: string): string {
  const [year, index] = month.split("-").map(Number);
  return new Date(Date.UTC(year ?? 2000, (index ?? 1) - 1, 1)).toLocaleDateString(undefined, {
    month: "long",
    year: "numeric",
    timeZone: "UTC",
  });
}

/** Why an amount cannot be withdrawn, or null. */
export function amountProblem(text: string, available: BalanceOut["available"]): string | null {
  const cents = parseCents(text);
  if (cents === null) return "Enter an amount such as 50 or 49.99.";
  if (cents <= 0) return "The amount must be more than zero.";
  if (cents > valueToCents(available.value))
    return `You can withdraw at most ${formatMoney(available)}, your available balance.`;
  return null;
}
