import { screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PrivateProfile } from "@/api/queries";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { categories, gigPage, privateProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

function account(role: PrivateProfile["role"]) {
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile({ role })))
    .on("GET /v1/gigs", () => json(200, gigPage([])))
    .on("GET /v1/categories", () => json(200, categories))
    .on("GET /v1/notifications/unread-count", () => json(200, { count: 0 }))
    .on("POST /v1/ws/ticket", () => apiError(503, "realtime_unavailable", "Later."));
}

beforeEach(() => {
  vi.stubGlobal("WebSocket", vi.fn());
});
afterEach(() => {
  vi.unstubAllGlobals();
});

async function menuLinks(role: PrivateProfile["role"]) {
  const { user } = renderApp("/", account(role));
  await user.click(await screen.findByRole("button", { name: "Account menu for Sam Client" }));
  await screen.findByRole("menu");
  return screen
    .getAllByRole("menuitem")
    .map((item) => [item.textContent, item.getAttribute("href")]);
}

describe("the user menu", () => {
  it("takes a creator to the dashboard, orders, earnings, notifications and settings", async () => {
    expect(await menuLinks("creator")).toEqual([
      ["Dashboard", "/dashboard"],
      ["My orders", "/orders"],
      ["Projects", "/projects"],
      ["My proposals", "/proposals/mine"],
      ["Earnings", "/earnings"],
      ["Payouts", "/settings/payouts"],
      ["Billing", "/billing"],
      ["Developers", "/settings/developers"],
      ["Video tools", "/studio"],
      ["Messages", "/messages"],
      ["Notifications", "/notifications"],
      ["Settings", "/settings"],
      ["Log out", null],
    ]);
  });

  it("leaves the creator pages out for a client", async () => {
    expect(await menuLinks("client")).toEqual([
      ["My orders", "/orders"],
      ["Projects", "/projects"],
      ["My projects", "/projects/mine"],
      ["Messages", "/messages"],
      ["Notifications", "/notifications"],
      ["Settings", "/settings"],
      ["Log out", null],
    ]);
  });
});
