import { screen } from "@testing-library/react";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { apiError, FakeApi } from "@/test/fake-api";
import { renderApp } from "@/test/render";

beforeEach(() => {
  vi.stubGlobal("WebSocket", vi.fn());
});
afterEach(() => {
  vi.unstubAllGlobals();
});

it("sends a suspended person to log in, saying why", async () => {
  const reason = "This account is suspended: spam sent to several creators";
  const api = new FakeApi().on("POST /v1/auth/refresh", () =>
    apiError(403, "account_suspended", reason),
  );
  const { router } = renderApp("/settings", api);

  expect(await screen.findByRole("alert")).toHaveTextContent(reason);
  expect(router.state.location.pathname).toBe("/login");
});
