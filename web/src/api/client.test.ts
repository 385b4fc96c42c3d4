import { afterEach, describe, expect, it, vi } from "vitest";
import { apiError, deferred, FakeApi, json, tokens } from "@/test/fake-api";
import { createApiClient, unwrap, type ApiClient, type SessionEvent } from "./client";
import { ApiError } from "./errors";

const ME = { id: "u1", full_name: "Maya Jensen" };

/** A fake API that logs in as "A1" and refreshes to "A2", "A3", …; /v1/users/me wants the
 * newest token. */
function server() {
  const api = new FakeApi();
  let issued = 1;
  let valid = "";
  api
    .on("POST /v1/auth/login", () => {
      valid = `A${issued}`;
      return tokens(valid);
    })
    .on("POST /v1/auth/refresh", () => {
      issued += 1;
      valid = `A${issued}`;
      return tokens(valid);
    })
    .on("GET /v1/users/me", (_, seen) =>
      seen.authorization === `Bearer ${valid}`
        ? json(200, ME)
        : apiError(401, "invalid_token", "The access token is not valid."),
    )
    .on("PUT /v1/users/me", async (request, seen) =>
      seen.authorization === `Bearer ${valid}`
        ? json(200, { ...ME, ...((await request.json()) as object) })
        : apiError(401, "invalid_token", "The access token is not valid."),
    )
    .on("POST /v1/auth/logout", () => new Response(null, { status: 204 }));
  return {
    api,
    expire() {
      valid = "none"; // the access token in memory is now refused, as after its 15 minutes
    },
  };
}

function client(api: FakeApi, options: Parameters<typeof createApiClient>[0] = {}): ApiClient {
  const made = createApiClient({ baseUrl: "http://reelbyte.test", fetch: api.fetch, ...options });
  clients.push(made);
  return made;
}

const clients: ApiClient[] = [];
afterEach(() => {
  for (const made of clients.splice(0)) made.session.dispose();
  vi.useRealTimers();
});

const me = (api: ApiClient) => unwrap(api.client.GET("/v1/users/me", {}));

describe("the access token", () => {
  it("is sent as a bearer token after logging in, and kept in memory only", async () => {
    const { api } = server();
    const reelbyte = client(api);
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });

    await expect(me(reelbyte)).resolves.toEqual(ME);
    expect(api.calls("GET /v1/users/me")[0]?.authorization).toBe("Bearer A1");
    expect(reelbyte.session.accessToken).toBe("A1");
    expect(JSON.stringify(localStorage)).not.toContain("A1");
  });

  it("is not sent, nor refreshed, for a wrong password: the API's error comes back", async () => {
    const api = new FakeApi().on("POST /v1/auth/login", () =>
      apiError(401, "invalid_credentials", "The e-mail or password is wrong."),
    );
    const reelbyte = client(api);

    const error = await reelbyte
      .login({ email: "maya@example.com", password: "nope" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 401,
      code: "invalid_credentials",
      message: "The e-mail or password is wrong.",
    });
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(0);
    expect(reelbyte.session.authenticated).toBe(false);
  });
});

describe("on a 401", () => {
  it("refreshes once and sends the request again, body and all, with the new token", async () => {
    const { api, expire } = server();
    const reelbyte = client(api);
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });
    expire();

    const updated = await unwrap(
      reelbyte.client.PUT("/v1/users/me", { body: { bio: "Wedding films" } }),
    );

    expect(updated).toMatchObject({ bio: "Wedding films" });
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(1);
    const puts = api.calls("PUT /v1/users/me");
    expect(puts.map((call) => call.authorization)).toEqual(["Bearer A1", "Bearer A2"]);
    expect(puts.map((call) => JSON.parse(call.body) as unknown)).toEqual([
      { bio: "Wedding films" },
      { bio: "Wedding films" },
    ]);
  });

  it("shares one refresh among requests refused at the same time (single flight)", async () => {
    const { api, expire } = server();
    const held = deferred<undefined>();
    const refresh = api.routes.get("POST /v1/auth/refresh")!;
    api.on("POST /v1/auth/refresh", async (request, seen) => {
      await held.promise;
      return refresh(request, seen);
    });
    const reelbyte = client(api);
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });
    expire();

    const pending = Promise.all([me(reelbyte), me(reelbyte), me(reelbyte)]);
    await vi.waitFor(() => expect(api.calls("GET /v1/users/me")).toHaveLength(3));
    held.resolve(undefined);

    await expect(pending).resolves.toEqual([ME, ME, ME]);
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(1);
    const retried = api.calls("GET /v1/users/me").slice(3);
    expect(retried.map((call) => call.authorization)).toEqual([
      "Bearer A2",
      "Bearer A2",
      "Bearer A2",
    ]);
  });

  it("uses a token another request already refreshed instead of refreshing again", async () => {
    const { api, expire } = server();
    const reelbyte = client(api);
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });
    expire();
    const slow = deferred<undefined>();
    const handler = api.routes.get("GET /v1/users/me")!;
    let first = true;
    api.on("GET /v1/users/me", async (request, seen) => {
      const response = handler(request, seen); // judged with the token it was sent
      if (first) {
        first = false;
        await slow.promise; // this 401 arrives after the other request's refresh
      }
      return response;
    });

    const late = me(reelbyte);
    await expect(me(reelbyte)).resolves.toEqual(ME);
    slow.resolve(undefined);
    await expect(late).resolves.toEqual(ME);
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(1);
  });

  it("sends the request again once only", async () => {
    const { api } = server();
    api.on("GET /v1/users/me", () =>
      apiError(401, "invalid_token", "The access token is not valid."),
    );
    const reelbyte = client(api);
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });

    await expect(me(reelbyte)).rejects.toMatchObject({ status: 401, code: "invalid_token" });
    expect(api.calls("GET /v1/users/me")).toHaveLength(2);
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(1);
  });

  it("ends the session (logs out) when the API refuses the refresh", async () => {
    const { api, expire } = server();
    api.on("POST /v1/auth/refresh", () =>
      apiError(401, "refresh_token_reused", "This refresh token was already used; log in again."),
    );
    const reelbyte = client(api);
    const events: SessionEvent[] = [];
    reelbyte.session.subscribe((event) => events.push(event));
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });
    expire();

    await expect(me(reelbyte)).rejects.toMatchObject({ status: 401 });
    expect(reelbyte.session.authenticated).toBe(false);
    expect(events).toEqual([
      { type: "started" },
      { type: "ended", reason: "refresh_token_reused" },
    ]);

    await expect(me(reelbyte)).rejects.toMatchObject({ status: 401 });
    expect(api.calls("GET /v1/users/me").at(-1)?.authorization).toBeNull();
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(1);
  });

  it("keeps the session when the API cannot be reached to refresh", async () => {
    const { api, expire } = server();
    api.on("POST /v1/auth/refresh", () => {
      throw new TypeError("Failed to fetch");
    });
    const reelbyte = client(api);
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });
    expire();

    await expect(me(reelbyte)).rejects.toMatchObject({ status: 0, code: "network_error" });
    expect(reelbyte.session.authenticated).toBe(true);
  });

  it("does not refresh for a request sent without a session", async () => {
    const { api } = server();
    const reelbyte = client(api);
    await expect(me(reelbyte)).rejects.toMatchObject({ status: 401 });
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(0);
  });
});

describe("before the access token expires", () => {
  it("refreshes on a timer a minute before", async () => {
    vi.useFakeTimers();
    const { api } = server();
    const reelbyte = client(api);
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });

    await vi.advanceTimersByTimeAsync(838_000);
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(1);
    expect(reelbyte.session.accessToken).toBe("A2");

    await vi.advanceTimersByTimeAsync(840_000); // and again for the new token
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(2);
  });

  it("tries again later when a scheduled refresh cannot reach the API", async () => {
    vi.useFakeTimers();
    const { api } = server();
    const refresh = api.routes.get("POST /v1/auth/refresh")!;
    let down = true;
    api.on("POST /v1/auth/refresh", (request, seen) => {
      if (down) return new Response("Bad gateway", { status: 502 });
      return refresh(request, seen);
    });
    const reelbyte = client(api);
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });

    await vi.advanceTimersByTimeAsync(841_000);
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(1);
    expect(reelbyte.session.authenticated).toBe(true);
    down = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(2);
    expect(reelbyte.session.accessToken).toBe("A2");
  });

  it("refreshes before sending a request when the token is about to expire", async () => {
    vi.useFakeTimers();
    const { api } = server();
    const reelbyte = client(api);
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });
    vi.setSystemTime(Date.now() + 870_000); // the tab slept: its timer has not run

    await expect(me(reelbyte)).resolves.toEqual(ME);
    expect(api.calls("GET /v1/users/me").map((call) => call.authorization)).toEqual(["Bearer A2"]);
  });
});

describe("the session", () => {
  it("is restored at start-up from the refresh cookie with a silent refresh", async () => {
    const { api } = server();
    const reelbyte = client(api);
    await expect(reelbyte.restore()).resolves.toBe(true);
    const refresh = api.calls("POST /v1/auth/refresh")[0];
    expect(refresh?.body).toBe(""); // the cookie carries the refresh token, not the body
    await expect(me(reelbyte)).resolves.toEqual(ME);
  });

  it("is not there without a cookie", async () => {
    const api = new FakeApi().on("POST /v1/auth/refresh", () =>
      apiError(401, "missing_refresh_token", "Send a refresh token in the body or the cookie."),
    );
    const reelbyte = client(api);
    await expect(reelbyte.restore()).resolves.toBe(false);
    expect(reelbyte.session.authenticated).toBe(false);
  });

  it("ends on logout, on the API with the access token and here even when the API fails", async () => {
    const { api } = server();
    const reelbyte = client(api);
    await reelbyte.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });
    api.on("POST /v1/auth/logout", () => new Response("down", { status: 503 }));
    const events: SessionEvent[] = [];
    reelbyte.session.subscribe((event) => events.push(event));

    await reelbyte.logout();
    expect(api.calls("POST /v1/auth/logout")[0]?.authorization).toBe("Bearer A1");
    expect(reelbyte.session.authenticated).toBe(false);
    expect(events).toEqual([{ type: "ended", reason: "logout" }]);
  });

  it("ends in the other tabs when one logs out", async () => {
    const { api } = server();
    const tab1 = client(api, { channel: "test-session" });
    const tab2 = client(api, { channel: "test-session" });
    await tab1.login({ email: "maya@example.com", password: "Str0ng!Passw0rd" });
    await vi.waitFor(() => expect(tab2.session.authenticated).toBe(true)); // joined by refreshing
    const ended = new Promise<SessionEvent>((resolve) => tab2.session.subscribe(resolve));

    await tab1.logout();
    await expect(ended).resolves.toEqual({ type: "ended", reason: "ended_elsewhere" });
    expect(tab2.session.authenticated).toBe(false);
  });
});

describe("errors", () => {
  it("keep the API's code, message and details, and the request id", async () => {
    const api = new FakeApi().on("GET /v1/gigs/{gig}".replace("{gig}", "missing"), () =>
      apiError(404, "gig_not_found", "No such gig.", { gig: "missing" }),
    );
    const reelbyte = client(api);
    const error = await unwrap(
      reelbyte.client.GET("/v1/gigs/{gig}", { params: { path: { gig: "missing" } } }),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      status: 404,
      code: "gig_not_found",
      message: "No such gig.",
      details: { gig: "missing" },
    });
  });

  it("are normalised when the body is not the API's (a proxy's error page)", async () => {
    const api = new FakeApi().on(
      "GET /v1/categories",
      () => new Response("<h1>502</h1>", { status: 502, headers: { "X-Request-ID": "r1" } }),
    );
    const error = await unwrap(client(api).client.GET("/v1/categories", {})).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 502, code: "http_502", requestId: "r1" });
  });

  it("say so when the API cannot be reached", async () => {
    const reelbyte = client(new FakeApi(), {
      fetch: () => Promise.reject(new TypeError("Failed to fetch")),
    });
    await expect(unwrap(reelbyte.client.GET("/v1/categories", {}))).rejects.toMatchObject({
      status: 0,
      code: "network_error",
    });
  });

  it("map a validation error's details to fields", () => {
    const error = new ApiError(422, {
      error: "validation_error",
      message: "The request is not valid.",
      details: [
        {
          loc: ["body", "username"],
          msg: "String should match pattern",
          type: "string_pattern_mismatch",
        },
        {
          loc: ["body", "password"],
          msg: "Value error, password must have …",
          type: "value_error",
        },
      ],
    });
    expect(error.fieldErrors).toEqual({
      username: "String should match pattern",
      password: "password must have …",
    });
  });
});
