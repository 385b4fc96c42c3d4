import { afterEach, describe, expect, it } from "vitest";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { createApiClient, SUSPENDED, unwrap, type ApiClient, type SessionEvent } from "./client";

const REASON = "This account is suspended: spam in messages";
const made: ApiClient[] = [];
afterEach(() => {
  for (const api of made.splice(0)) api.session.dispose();
});

function client(api: FakeApi): { reelbyte: ApiClient; events: SessionEvent[] } {
  const reelbyte = createApiClient({ baseUrl: "http://reelbyte.test", fetch: api.fetch });
  made.push(reelbyte);
  const events: SessionEvent[] = [];
  reelbyte.session.subscribe((event) => events.push(event));
  return { reelbyte, events };
}

describe("a suspended account", () => {
  it("is logged out, with the reason, when a request answers account_suspended", async () => {
    const api = new FakeApi()
      .on("POST /v1/auth/login", () => tokens("A1"))
      .on("GET /v1/users/me", () => apiError(403, SUSPENDED, REASON));
    const { reelbyte, events } = client(api);
    await reelbyte.login({ email: "sam@example.com", password: "Str0ng!Passw0rd" });

    await expect(unwrap(reelbyte.client.GET("/v1/users/me", {}))).rejects.toMatchObject({
      status: 403,
      code: SUSPENDED,
      message: REASON,
    });
    expect(reelbyte.session.authenticated).toBe(false);
    expect(events.at(-1)).toEqual({ type: "ended", reason: SUSPENDED, message: REASON });
  });

  it("is logged out, with the reason, when the refresh at start answers account_suspended", async () => {
    const api = new FakeApi().on("POST /v1/auth/refresh", () => apiError(403, SUSPENDED, REASON));
    const { reelbyte, events } = client(api);

    await expect(reelbyte.restore()).resolves.toBe(false);
    expect(events).toEqual([{ type: "ended", reason: SUSPENDED, message: REASON }]);
  });

  it("keeps the session for another 403", async () => {
    const api = new FakeApi()
      .on("POST /v1/auth/login", () => tokens("A1"))
      .on("GET /v1/admin/users", () => apiError(403, "wrong_role", "Admins only."))
      .on("GET /v1/users/me", () => json(200, { id: "u1" }));
    const { reelbyte, events } = client(api);
    await reelbyte.login({ email: "sam@example.com", password: "Str0ng!Passw0rd" });

    await expect(unwrap(reelbyte.client.GET("/v1/admin/users", {}))).rejects.toMatchObject({
      code: "wrong_role",
    });
    expect(reelbyte.session.authenticated).toBe(true);
    expect(events).toEqual([{ type: "started" }]);
  });
});
