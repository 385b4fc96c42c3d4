/** The dispute split's arithmetic, in minor units (cents) so that sums are exact. */

/** "12.5" → 1250; null for anything that is not an amount with at most two decimals. */
export function toMinor(value: string): number | null {
  const text = value.trim().replace(",", ".");
  const match = /^(\d+)(?:\.(\d{0,2}))?$/.exec(text);
  if (!match) return null;
  const [, whole = "0", fraction = ""] = match;
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

/** 1250 → "12.50", the API's amount format. */
export function fromMinor(minor: number): string {
  const whole = Math.floor(minor / 100);
  return `${whole}.${String(minor % 100).padStart(2, "0")}`;
}

export type SplitCheck =
  | { ok: true; refund: string; release: string }
  | { ok: false; refundError?: string; releaseError?: string; message: string };

/** Whether a refund to the client and a release to the creator add up to what escrow holds. */
export function checkSplit(refund: string, release: string, held: string): SplitCheck {
  const heldMinor = toMinor(held) ?? 0;
  const refundMinor = toMinor(refund);
  const releaseMinor = toMinor(release);
  const invalid = "Enter an amount such as 12.50.";
  if (refundMinor === null || releaseMinor === null) {
    return {
      ok: false,
      refundError: refundMinor === null ? invalid : undefined,
      releaseError: releaseMinor === null ? invalid : undefined,
      message: "Both amounts are needed (0 for none).",
    };
  }
  const total = refundMinor + releaseMinor;
  if (total !== heldMinor) {
    const gap = heldMinor - total;
    return {
      ok: false,
      message:
        gap > 0
          ? `${fromMinor(gap)} is left to assign: the amounts must add up to ${fromMinor(heldMinor)}.`
          : `That is ${fromMinor(-gap)} too much: the amounts must add up to ${fromMinor(heldMinor)}.`,
    };
  }
  return { ok: true, refund: fromMinor(refundMinor), release: fromMinor(releaseMinor) };
}

/** Half each; an odd cent goes to the client. */
export function halves(held: string): { refund: string; release: string } {
  const minor = toMinor(held) ?? 0;
  const release = Math.floor(minor / 2);
  return { refund: fromMinor(minor - release), release: fromMinor(release) };
}
