/**
 * The typed API client: openapi-fetch over the generated `paths`, plus the session.
 *
 * Auth follows src/reelbyte/identity/router.py: `POST /v1/auth/login` answers a token pair and
 * sets the refresh token as an httpOnly, SameSite=Strict cookie on the path /v1/auth;
 * `POST /v1/auth/refresh` with no body reads that cookie and rotates it; `POST /v1/auth/logout`
 * (with the access token) ends the session and clears the cookie. The access token lives in
 * memory only; the refresh token that the API also puts in the body is never kept.
 *
 * A request that gets a 401 refreshes once (one refresh in flight at a time, shared by every
 * request that needs it) and is sent again once; a refresh that the API refuses ends the session.
 * The token is also refreshed shortly before it expires, on a timer and before a request.
 */
import createClient, { type Client } from "openapi-fetch";
import { ApiError, isErrorBody } from "./errors";
import type { components, paths } from "./schema";

export type TokenPair = components["schemas"]["TokenPair"];
export type LoginRequest = components["schemas"]["LoginRequest"];
export type Fetch = (request: Request) => Promise<Response>;

/** Routes whose 401 is about the credentials sent, not an access token that expired. */
const NO_REFRESH = new Set([
  "/v1/auth/login",
  "/v1/auth/token",
  "/v1/auth/register",
  "/v1/auth/refresh",
  "/v1/auth/forgot-password",
  "/v1/auth/reset-password",
  "/v1/auth/verify-email",
  "/v1/auth/confirm-email",
]);

/** The API's code for a suspended account (identity/errors.py). */
export const SUSPENDED = "account_suspended";

export type SessionEvent =
  | { type: "started" }
  | { type: "refreshed" }
  /** `reason` is the API's error code (`refresh_token_reused`, `session_revoked`, …),
   * `logout`, or `ended_elsewhere` (another tab logged out); `message` the API's text, if any
   * (an `account_suspended`'s says why and until when). */
  | { type: "ended"; reason: string; message?: string };

export interface ApiClientOptions {
  /** Default: this page's origin (the API serves the app, and Vite proxies /v1 in dev). */
  baseUrl?: string;
  fetch?: Fetch;
  /** Refresh this many seconds before the access token expires (at most half its life). */
  refreshLeadSeconds?: number;
  /** After a scheduled refresh could not reach the API, try again this many seconds later. */
  retrySeconds?: number;
  /** A BroadcastChannel name: logging in or out in one tab tells the others. */
  channel?: string;
}

/** A refresh the API refused for good (no, expired, revoked or reused token): log in again. */
function isFinal(error: unknown): boolean {
  return error instanceof ApiError && [400, 401, 403].includes(error.status);
}

/** The access token in memory, its expiry, and the one refresh that may be in flight. */
export class TokenSession {
  #token: string | null = null;
  #refreshAt = 0;
  #inflight: Promise<string | null> | null = null;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #listeners = new Set<(event: SessionEvent) => void>();
  #channel: BroadcastChannel | null = null;
  readonly #renew: () => Promise<TokenPair>;
  readonly #leadMs: number;
  readonly #retryMs: number;

  constructor(
    renew: () => Promise<TokenPair>,
    options: { refreshLeadSeconds?: number; retrySeconds?: number; channel?: string } = {},
  ) {
    this.#renew = renew;
    this.#leadMs = (options.refreshLeadSeconds ?? 60) * 1000;
    this.#retryMs = (options.retrySeconds ?? 30) * 1000;
    if (options.channel && typeof BroadcastChannel !== "undefined") {
      this.#channel = new BroadcastChannel(options.channel);
      this.#channel.onmessage = (message: MessageEvent<SessionEvent>) => {
        if (message.data.type === "ended") this.#end("ended_elsewhere", false);
        else if (message.data.type === "started" && !this.authenticated) void this.refresh();
      };
    }
  }

  get accessToken(): string | null {
    return this.#token;
  }

  get authenticated(): boolean {
    return this.#token !== null;
  }

  subscribe(listener: (event: SessionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A new session (log in). */
  start(pair: TokenPair): void {
    this.#accept(pair);
    this.#emit({ type: "started" }, true);
  }

  /** Forget the tokens: `reason` is the API's error code, `logout`, or another reason. */
  end(reason: string, message?: string): void {
    this.#end(reason, true, message);
  }

  /** One refresh at a time: every caller during it shares its outcome. Resolves to the new
   * access token, or null when the API refused (the session has then ended); rejects when the
   * API could not be reached (the session stays, a later try may work). */
  refresh(): Promise<string | null> {
    this.#inflight ??= this.#renew()
      .then(
        (pair) => {
          this.#accept(pair);
          this.#emit({ type: "refreshed" }, false);
          return pair.access_token;
        },
        (error: unknown) => {
          if (!isFinal(error)) throw error;
          // The tabs share the cookie, so they share the session: tell them it has ended.
          if (!(error instanceof ApiError)) this.#end("refresh_failed", true);
          else this.#end(error.code, true, error.code === SUSPENDED ? error.message : undefined);
          return null;
        },
      )
      .finally(() => {
        this.#inflight = null;
      });
    return this.#inflight;
  }

  /** The token to send now: after a refresh in flight, or a new one when it is about to expire. */
  async current(): Promise<string | null> {
    if (this.#inflight) return this.#settled(this.#inflight);
    if (this.#token !== null && Date.now() >= this.#refreshAt) return this.#settled(this.refresh());
    return this.#token;
  }

  /** The API refused `rejected`: a newer token if another request already refreshed, else one
   * refresh (shared); null when there is none to be had. */
  renewAfter(rejected: string): Promise<string | null> {
    if (this.#inflight) return this.#inflight;
    if (this.#token !== null && this.#token !== rejected) return Promise.resolve(this.#token);
    if (this.#token === null) return Promise.resolve(null);
    return this.refresh();
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#channel?.close();
    this.#listeners.clear();
  }

  async #settled(refresh: Promise<string | null>): Promise<string | null> {
    try {
      return await refresh;
    } catch {
      return this.#token; // unreachable API: send what we have, a 401 will tell
    }
  }

  #accept(pair: TokenPair): void {
    const lifeMs = pair.expires_in * 1000;
    this.#token = pair.access_token;
    this.#refreshAt = Date.now() + lifeMs - Math.min(this.#leadMs, lifeMs / 2);
    this.#schedule(this.#refreshAt - Date.now());
  }

  #schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(
      () => {
        this.refresh().catch(() => {
          if (this.#token !== null) this.#schedule(this.#retryMs);
        });
      },
      Math.max(0, delayMs),
    );
  }

  #end(reason: string, broadcast: boolean, message?: string): void {
    clearTimeout(this.#timer);
    this.#token = null;
    this.#refreshAt = 0;
    this.#emit({ type: "ended", reason, ...(message ? { message } : {}) }, broadcast);
  }

  #emit(event: SessionEvent, broadcast: boolean): void {
    for (const listener of this.#listeners) listener(event);
    if (broadcast) this.#channel?.postMessage(event);
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of an openapi-fetch call, or its error thrown as an ApiError (for TanStack Query). */
export async function unwrap<T>(call: Promise<Result<T>>): Promise<T> {
  let result: Result<T>;
  try {
    result = await call;
  } catch (error) {
    throw error instanceof ApiError ? error : ApiError.network(error);
  }
  if (!result.response.ok) throw ApiError.fromResponse(result.response, result.error);
  return result.data as T;
}

export interface ApiClient {
  /** openapi-fetch, typed by src/api/schema.d.ts; sends the access token and refreshes it. */
  client: Client<paths>;
  session: TokenSession;
  login(credentials: LoginRequest): Promise<void>;
  /** Ends the session on the API (when it can) and here, whatever the API answers. */
  logout(): Promise<void>;
  /** At start-up: a silent refresh from the cookie. True when a session was there. */
  restore(): Promise<boolean>;
}

function authorize(request: Request, token: string): Request {
  request.headers.set("Authorization", `Bearer ${token}`);
  return request;
}

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const send: Fetch = options.fetch ?? ((request) => globalThis.fetch(request));
  const baseUrl = options.baseUrl ?? globalThis.location?.origin ?? "";
  // Without the session: the auth routes themselves.
  const bare = createClient<paths>({ baseUrl, fetch: send });
  const session = new TokenSession(() => unwrap(bare.POST("/v1/auth/refresh", {})), options);

  /** An admin suspended the account: the session ends at once, saying why (the log-in page
   * shows it). The response itself still reaches its caller. */
  async function endIfSuspended(response: Response): Promise<void> {
    const body: unknown = await response
      .clone()
      .json()
      .catch(() => null);
    if (isErrorBody(body) && body.error === SUSPENDED) session.end(SUSPENDED, body.message);
  }

  const authFetch: Fetch = async (request) => {
    if (NO_REFRESH.has(new URL(request.url).pathname)) return send(request);
    const token = await session.current();
    if (token === null) return send(request);
    const again = request.clone(); // the body can be read only once
    const response = await send(authorize(request, token));
    if (response.status === 403 || response.status === 401) await endIfSuspended(response);
    if (response.status !== 401) return response;
    const renewed = await session.renewAfter(token);
    if (renewed === null) return response;
    await response.body?.cancel();
    return send(authorize(again, renewed));
  };
  const client = createClient<paths>({ baseUrl, fetch: authFetch });

  return {
    client,
    session,
    async login(credentials) {
      session.start(await unwrap(bare.POST("/v1/auth/login", { body: credentials })));
    },
    async logout() {
      try {
        if (session.authenticated) await unwrap(client.POST("/v1/auth/logout", {}));
      } catch {
        // The session ends here all the same; the API's expires on its own.
      } finally {
        session.end("logout");
      }
    },
    async restore() {
      if (session.authenticated) return true;
      try {
        return (await session.refresh()) !== null;
      } catch {
        return false;
      }
    },
  };
}
