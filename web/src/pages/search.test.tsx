import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { CreatorHit, GigHit, ProjectOut } from "@/api/search";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { categories, gigPage, gigSummary } from "@/test/fixtures";
import { anonymous, renderApp } from "@/test/render";

const gigHit: GigHit = { ...gigSummary(), description: "Cinematic highlight films." };

const creatorHit: CreatorHit = {
  id: "6f1c1f8e-0000-4000-8000-000000000001",
  username: "maya-edits",
  full_name: "Maya Jensen",
  avatar_url: null,
  bio: "Wedding and travel films.",
  skills: ["Premiere Pro", "Color grading"],
  hourly_rate: { currency: "EUR", value: "45.00" },
  availability: "part-time",
  creator_level: "pro",
  rating: "4.86",
  total_reviews: 128,
  total_orders: 140,
  response_time_hours: 2,
  on_time_delivery_percent: 97,
  repeat_client_percent: 41,
  is_verified: true,
  member_since: "2025-01-10T10:00:00Z",
};

const project: ProjectOut = {
  id: "project-1",
  client_id: "client-1",
  title: "Edit our product launch video",
  description: "Two minutes, motion graphics, subtitles.",
  budget_min: { currency: "EUR", value: "300.00" },
  budget_max: { currency: "EUR", value: "800.00" },
  category_id: 1,
  subcategory_id: null,
  required_skills: ["After Effects"],
  deadline: "2026-12-20T23:59:59Z",
  status: "open",
  visibility: "public",
  proposals_count: 4,
  views_count: 40,
  attachments: [],
  attachment_files: [],
  created_at: "2026-11-20T10:00:00Z",
  updated_at: "2026-11-20T10:00:00Z",
};

function searchApi() {
  return anonymous(new FakeApi())
    .on("GET /v1/categories", () => json(200, categories))
    .on("GET /v1/search/gigs", () => json(200, { ...gigPage([gigHit]), total_pages: 3 }))
    .on("GET /v1/search/creators", () => json(200, gigPageOf([creatorHit])))
    .on("GET /v1/search/projects", () => json(200, gigPageOf([project])));
}

function gigPageOf<T>(items: T[]) {
  return { ...gigPage([]), items, total: items.length, total_pages: 1 };
}

function lastSearch(api: FakeApi, route: string): URLSearchParams {
  const calls = api.calls(route);
  return new URLSearchParams(calls[calls.length - 1]!.search);
}

describe("the search page", () => {
  it("searches with the filters in the URL and shows them in the form", async () => {
    const api = searchApi();
    renderApp(
      "/search?q=wedding&category=1&min_price=50&max_price=200&max_days=7&level=pro&level=top&min_rating=4.5&tag=4k&tag=drone&sort=price_asc&page=2",
      api,
    );

    expect(
      await screen.findByRole("heading", { name: "Results for “wedding”" }),
    ).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: gigHit.title })).toBeInTheDocument();
    const sent = lastSearch(api, "GET /v1/search/gigs");
    expect(Object.fromEntries(sent)).toMatchObject({
      q: "wedding",
      category_id: "1",
      min_price: "50",
      max_price: "200",
      max_delivery_days: "7",
      min_rating: "4.5",
      sort_by: "price_asc",
      page: "2",
      page_size: "20",
    });
    expect(sent.getAll("creator_level")).toEqual(["pro", "top"]);
    expect(sent.getAll("tags")).toEqual(["4k", "drone"]);

    const filters = screen.getByRole("form", { name: "Filter gigs" });
    expect(within(filters).getByLabelText("Min price")).toHaveValue("50");
    expect(within(filters).getByLabelText("Max price")).toHaveValue("200");
    expect(within(filters).getByLabelText("Delivery time")).toHaveValue("7");
    expect(within(filters).getByRole("checkbox", { name: "Pro" })).toBeChecked();
    expect(within(filters).getByRole("checkbox", { name: "Rising talent" })).not.toBeChecked();
    expect(within(filters).getByLabelText("Tags")).toHaveValue("4k, drone");
    expect(await within(filters).findByLabelText("Category")).toHaveValue("1");
    expect(screen.getByLabelText("Sort by")).toHaveValue("price_asc");
    expect(screen.getByText("Page 2 of 3")).toBeInTheDocument();
  });

  it("writes applied filters to the URL, back to page 1, and Back undoes them", async () => {
    const api = searchApi();
    const { user, router } = renderApp("/search?q=wedding&page=2", api);
    const filters = await screen.findByRole("form", { name: "Filter gigs" });

    await user.type(within(filters).getByLabelText("Max price"), "300");
    await user.click(within(filters).getByRole("checkbox", { name: "Top rated" }));
    await user.selectOptions(within(filters).getByLabelText("Rating"), "4");
    await user.type(within(filters).getByLabelText("Tags"), "wedding, 4k");
    await user.click(within(filters).getByRole("button", { name: "Apply filters" }));

    await waitFor(() =>
      expect(router.state.location.search).toBe(
        "?q=wedding&max_price=300&level=top&min_rating=4&tag=wedding&tag=4k",
      ),
    );
    await waitFor(() =>
      expect(lastSearch(api, "GET /v1/search/gigs").get("max_price")).toBe("300"),
    );
    const sent = lastSearch(api, "GET /v1/search/gigs");
    expect(sent.getAll("creator_level")).toEqual(["top"]);
    expect(sent.get("min_rating")).toBe("4");
    expect(sent.getAll("tags")).toEqual(["wedding", "4k"]);
    expect(sent.get("page")).toBe("1");

    await user.selectOptions(screen.getByLabelText("Sort by"), "newest");
    await waitFor(() => expect(router.state.location.search).toContain("&sort=newest"));

    await router.navigate(-1);
    await waitFor(() => expect(screen.getByLabelText("Sort by")).toHaveValue("relevance"));
    await router.navigate(-1);
    await waitFor(() => expect(router.state.location.search).toBe("?q=wedding&page=2"));
    await waitFor(() => expect(screen.getByLabelText("Max price")).toHaveValue(""));
    expect(screen.getByRole("checkbox", { name: "Top rated" })).not.toBeChecked();
  });

  it("catches a price range the API would refuse", async () => {
    const api = searchApi();
    const { user, router } = renderApp("/search?q=reel", api);
    const filters = await screen.findByRole("form", { name: "Filter gigs" });

    await user.type(within(filters).getByLabelText("Min price"), "500");
    await user.type(within(filters).getByLabelText("Max price"), "100");
    await user.click(within(filters).getByRole("button", { name: "Apply filters" }));

    expect(
      await within(filters).findByText("The maximum must not be below the minimum."),
    ).toBeInTheDocument();
    expect(router.state.location.search).toBe("?q=reel");
  });

  it("searches creators with their own filters", async () => {
    const api = searchApi();
    const { user, router } = renderApp("/search?q=wedding&min_price=10", api);
    await screen.findByRole("link", { name: gigHit.title });

    await user.click(screen.getByRole("tab", { name: "Creators" }));
    await waitFor(() => expect(router.state.location.search).toBe("?type=creators&q=wedding"));
    const card = await screen.findByRole("link", { name: "Maya Jensen" });
    expect(card).toHaveAttribute("href", `/creators/${creatorHit.id}`);

    const filters = screen.getByRole("form", { name: "Filter creators" });
    await user.type(within(filters).getByLabelText("Skills"), "Premiere Pro, After Effects");
    await user.click(within(filters).getByRole("checkbox", { name: "Part-time" }));
    await user.type(within(filters).getByLabelText("Max hourly rate"), "60");
    await user.click(within(filters).getByRole("button", { name: "Apply filters" }));

    await waitFor(() =>
      expect(lastSearch(api, "GET /v1/search/creators").get("max_hourly_rate")).toBe("60"),
    );
    const sent = lastSearch(api, "GET /v1/search/creators");
    expect(sent.get("q")).toBe("wedding");
    expect(sent.getAll("skills")).toEqual(["Premiere Pro", "After Effects"]);
    expect(sent.getAll("availability")).toEqual(["part-time"]);
    expect(router.state.location.search).toBe(
      "?type=creators&q=wedding&skill=Premiere+Pro&skill=After+Effects&availability=part-time&max_rate=60",
    );
  });

  it("searches projects by budget, skills and status", async () => {
    const api = searchApi();
    renderApp(
      "/search?type=projects&min_budget=200&max_budget=1000&skill=After+Effects&status=in_progress&sort=deadline",
      api,
    );
    expect(await screen.findByRole("heading", { name: project.title })).toBeInTheDocument();
    expect(screen.getByText("€300 – €800")).toBeInTheDocument();
    expect(Object.fromEntries(lastSearch(api, "GET /v1/search/projects"))).toMatchObject({
      min_budget: "200",
      max_budget: "1000",
      skills: "After Effects",
      status: "in_progress",
      sort_by: "deadline",
    });
    expect(screen.getByRole("tab", { name: "Projects" })).toHaveAttribute("aria-selected", "true");
  });

  it("says when nothing matches, and shows the API's error", async () => {
    const api = searchApi().on("GET /v1/search/gigs", (_, seen) =>
      seen.search.includes("q=nothing")
        ? json(200, gigPage([]))
        : apiError(400, "invalid_price_range", "min_price must not be above max_price."),
    );
    const { router } = renderApp("/search?q=nothing", api);
    expect(await screen.findByText("No gigs match")).toBeInTheDocument();

    await router.navigate("/search?q=broken");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "min_price must not be above max_price.",
    );
  });
});
