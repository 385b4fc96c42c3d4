import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { deferred, FakeApi, json } from "@/test/fake-api";
import { categories, gigPage } from "@/test/fixtures";
import { anonymous, renderApp } from "@/test/render";

function suggesting() {
  return anonymous(new FakeApi())
    .on("GET /v1/gigs", () => json(200, gigPage([])))
    .on("GET /v1/categories", () => json(200, categories))
    .on("GET /v1/search/gigs", () => json(200, gigPage([])))
    .on("GET /v1/search/suggestions", (_, seen) => {
      const q = new URLSearchParams(seen.search).get("q") ?? "";
      return json(200, {
        query: q,
        items: [
          { text: `${q}ing video`, kind: "title" },
          { text: `${q}ing highlights`, kind: "tag" },
          { text: `${q} films`, kind: "category" },
        ],
      });
    });
}

describe("the search box's suggestions", () => {
  it("suggests as one types, once the typing pauses", async () => {
    const api = suggesting();
    const { user } = renderApp("/", api);
    const box = await screen.findByRole("combobox", { name: "Search gigs" });
    expect(box).toHaveAttribute("aria-expanded", "false");

    await user.type(box, "wedd");

    const list = await screen.findByRole("listbox", { name: "Suggestions for search gigs" });
    expect(
      within(list)
        .getAllByRole("option")
        .map((option) => option.textContent),
    ).toEqual(["wedding videoGig", "wedding highlightsTag", "wedd filmsCategory"]);
    expect(box).toHaveAttribute("aria-expanded", "true");
    expect(box).toHaveAttribute("aria-controls", list.id);
    const asked = api.calls("GET /v1/search/suggestions").map((call) => call.search);
    expect(asked[asked.length - 1]).toBe("?q=wedd&limit=8");
    expect(asked.length).toBeLessThan(4); // not one request per key
  });

  it("cancels the request of a text that was typed on", async () => {
    const held = deferred<Response>();
    const signals: AbortSignal[] = [];
    const api = suggesting();
    const answer = api.routes.get("GET /v1/search/suggestions")!;
    api.on("GET /v1/search/suggestions", (request, seen) => {
      signals.push(request.signal);
      return seen.search.startsWith("?q=we&") ? held.promise : answer(request, seen);
    });
    const { user } = renderApp("/", api);
    const box = await screen.findByRole("combobox", { name: "Search gigs" });

    await user.type(box, "we");
    await waitFor(() => expect(signals).toHaveLength(1));
    await user.type(box, "dd");

    await screen.findByRole("option", { name: /wedding video/ });
    expect(signals[0]!.aborted).toBe(true);
    held.resolve(json(200, { query: "we", items: [] }));
  });

  it("moves through the suggestions with the arrow keys and searches with Enter", async () => {
    const { user, router } = renderApp("/", suggesting());
    const box = await screen.findByRole("combobox", { name: "Search gigs" });
    await user.type(box, "wedd");
    const options = await within(
      await screen.findByRole("listbox", { name: "Suggestions for search gigs" }),
    ).findAllByRole("option");

    await user.keyboard("{ArrowDown}");
    expect(box).toHaveAttribute("aria-activedescendant", options[0]!.id);
    expect(options[0]).toHaveAttribute("aria-selected", "true");
    await user.keyboard("{ArrowDown}{ArrowDown}{ArrowDown}"); // wraps round to the first
    expect(box).toHaveAttribute("aria-activedescendant", options[0]!.id);
    await user.keyboard("{ArrowUp}");
    expect(box).toHaveAttribute("aria-activedescendant", options[2]!.id);
    expect(options[0]).toHaveAttribute("aria-selected", "false");
    await user.keyboard("{ArrowUp}{Enter}");

    await waitFor(() => expect(router.state.location.pathname).toBe("/search"));
    expect(router.state.location.search).toBe("?q=wedding+highlights");
    expect(await screen.findByRole("combobox", { name: "Search gigs" })).toHaveValue(
      "wedding highlights",
    );
  });

  it("closes with Escape, then clears the box; Enter searches what was typed", async () => {
    const { user, router } = renderApp("/", suggesting());
    const box = await screen.findByRole("combobox", { name: "Search gigs" });
    await user.type(box, "wedd");
    await screen.findByRole("listbox", { name: "Suggestions for search gigs" });

    await user.keyboard("{Escape}");
    expect(box).toHaveAttribute("aria-expanded", "false");
    expect(box).not.toHaveAttribute("aria-activedescendant");
    expect(box).toHaveValue("wedd");
    await user.keyboard("{Escape}");
    expect(box).toHaveValue("");

    await user.type(box, "reels{Enter}");
    await waitFor(() => expect(router.state.location.search).toBe("?q=reels"));
  });

  it("keeps the search page's tab", async () => {
    const api = suggesting().on("GET /v1/search/creators", () =>
      json(200, { ...gigPage([]), items: [] }),
    );
    const { user, router } = renderApp("/search?type=creators&q=maya", api);
    const box = await screen.findByRole("combobox", { name: "Search gigs" });
    expect(box).toHaveValue("maya");
    await user.clear(box);
    await user.type(box, "motion{Enter}");
    await waitFor(() => expect(router.state.location.search).toBe("?type=creators&q=motion"));
  });
});
