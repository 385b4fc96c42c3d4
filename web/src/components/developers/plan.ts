import { isApiError } from "@/api/errors";

/** The error codes for a feature the plan does not include. */
const PLAN_ERRORS = new Set(["plan_has_no_api_access", "plan_has_no_webhooks"]);

/** A plan refusal (402, or 403 with a plan code): shown with the way to upgrade. */
export function isPlanRefusal(error: unknown): boolean {
  return isApiError(error) && (error.status === 402 || PLAN_ERRORS.has(error.code));
}

/** The end of the chosen day (yyyy-mm-dd) in local time, as the API wants it; "" → never. */
export function expiryFromDate(day: string): string | null {
  if (!day) return null;
  const end = new Date(`${day}T23:59:59`);
  return Number.isNaN(end.getTime()) ? null : end.toISOString();
}

/** The API's error for a list field or any of its items (`events`, `events.0`), if any. */
export function listFieldError(fields: Record<string, string>, name: string): string | undefined {
  return Object.entries(fields).find(([field]) => field.startsWith(name))?.[1];
}
