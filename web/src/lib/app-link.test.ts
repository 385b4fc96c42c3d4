import { describe, expect, it } from "vitest";
import { appLink } from "./app-link";

describe("appLink", () => {
  it("keeps links to the app's own pages", () => {
    expect(appLink("/orders/0a1b2c3d-0000-4000-8000-000000000003")).toBe(
      "/orders/0a1b2c3d-0000-4000-8000-000000000003",
    );
    expect(appLink("/earnings")).toBe("/earnings");
    expect(appLink("/search?q=wedding#top")).toBe("/search?q=wedding#top");
  });

  it("drops links to pages the app does not have", () => {
    expect(appLink("/conversations/5")).toBeNull();
    expect(appLink("/orders/1/unknown/deeper")).toBeNull();
  });

  it("drops links that leave the site", () => {
    for (const link of [
      null,
      "",
      "https://evil.test/",
      "//evil.test/x",
      "/\\evil.test",
      "orders/1",
    ])
      expect(appLink(link)).toBeNull();
  });
});
