/** Amounts typed by a person, in whole cents (never floats): the API's `value` strings have at
 * most two decimals. */

/** "12", "12.5", "12,50" → 1250 cents; null for anything else. */
export function parseCents(text: string): number | null {
  const match = /^(\d{1,9})(?:[.,](\d{1,2}))?$/.exec(text.trim());
  if (!match) return null;
  const [, whole = "0", fraction = ""] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/** 1250 → "12.50", the API's form. */
export function centsToValue(cents: number): string {
  const whole = Math.floor(cents / 100);
  return `${whole}.${String(cents % 100).padStart(2, "0")}`;
}

/** The API's "12.50" → 1250. */
export function valueToCents(value: string): number {
  return parseCents(value.replace(/^-/, "")) ?? 0;
}
