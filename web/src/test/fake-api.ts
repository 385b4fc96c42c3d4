/** A fake API behind `fetch`, for unit tests: routes by method and path, records requests. */
import type { Fetch } from "@/api/client";

export interface Seen {
  method: string;
  path: string;
  search: string;
  authorization: string | null;
  body: string;
}

export type Handler = (request: Request, seen: Seen) => Response | Promise<Response>;

export function json(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

export function apiError(status: number, error: string, message: string, details: unknown = null) {
  return json(status, { error, message, details });
}

export const EMAIL_NOT_VERIFIED =
  "Verify your e-mail address first: follow the link we sent you, or ask for a new one.";

/** The API's refusal of ordering, publishing a gig, proposing or withdrawing before the user's
 * e-mail address is verified. */
export function emailNotVerified() {
  return apiError(403, "email_not_verified", EMAIL_NOT_VERIFIED);
}

export function tokens(access: string, expiresIn = 900) {
  return json(200, {
    access_token: access,
    refresh_token: `refresh-for-${access}`,
    token_type: "bearer",
    expires_in: expiresIn,
  });
}

export class FakeApi {
  readonly seen: Seen[] = [];
  readonly routes = new Map<string, Handler>();

  /** `route` is "GET /v1/gigs" (the path without the query). */
  on(route: string, handler: Handler): this {
    this.routes.set(route, handler);
    return this;
  }

  calls(route: string): Seen[] {
    return this.seen.filter((item) => `${item.method} ${item.path}` === route);
  }

  readonly fetch: Fetch = async (request) => {
    const url = new URL(request.url);
    const seen: Seen = {
      method: request.method,
      path: url.pathname,
      search: url.search,
      authorization: request.headers.get("Authorization"),
      body: request.body ? await request.clone().text() : "",
    };
    this.seen.push(seen);
    const handler = this.routes.get(`${request.method} ${url.pathname}`);
    if (!handler)
      return apiError(404, "not_found", `No fake route for ${request.method} ${url.pathname}`);
    return handler(request, seen);
  };
}

/** A promise to resolve from outside: holds a response back until the test says so. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
