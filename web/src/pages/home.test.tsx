import { act, fireEvent, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { categories, gigPage, gigSummary } from "@/test/fixtures";
import { anonymous, renderApp } from "@/test/render";

function catalog(
  featured = [
    gigSummary({
      slug: "reel-cut",
      title: "Snappy reels",
      is_featured: true,
      video_preview_url: "https://cdn.test/reel.mp4",
    }),
  ],
) {
  return anonymous(new FakeApi())
    .on("GET /v1/gigs", (_, seen) =>
      json(200, gigPage(seen.search.includes("featured=true") ? featured : [gigSummary()])),
    )
    .on("GET /v1/categories", () => json(200, categories));
}

describe("the home page", () => {
  it("shows featured and trending gigs as cards, and the categories", async () => {
    const api = catalog();
    renderApp("/", api);

    const featured = await screen.findByRole("region", { name: "Featured gigs" });
    const card = await within(featured).findByRole("link", { name: "Snappy reels" });
    expect(card).toHaveAttribute("href", "/gigs/reel-cut");
    expect(within(featured).getByText("€120")).toBeInTheDocument();

    const trending = screen.getByRole("region", { name: "Trending now" });
    expect(
      await within(trending).findByRole("link", {
        name: "I will edit your wedding highlight film",
      }),
    ).toBeInTheDocument();
    expect(await screen.findByRole("link", { name: "Social Media Reels" })).toHaveAttribute(
      "href",
      "/search?category=2&name=Social%20Media%20Reels",
    );
    expect(
      api
        .calls("GET /v1/gigs")
        .map((call) => call.search)
        .sort(),
    ).toEqual(["?featured=true&sort_by=popular&page_size=8", "?sort_by=popular&page_size=8"]);
  });

  it("plays a gig's video preview, muted, while the card is hovered or focused", async () => {
    renderApp("/", catalog());
    const link = await screen.findByRole("link", { name: "Snappy reels" });
    const card = link.closest("article")!;
    const video = within(card).getByTestId("gig-preview") as HTMLVideoElement;
    expect(video).not.toHaveAttribute("src"); // nothing loads before a hover
    expect(video.muted).toBe(true);

    fireEvent.pointerEnter(card);
    expect(video).toHaveAttribute("src", "https://cdn.test/reel.mp4");
    expect(video).toHaveAttribute("data-playing", "true");
    expect(HTMLMediaElement.prototype.play).toHaveBeenCalled();

    fireEvent.pointerLeave(card);
    expect(video).toHaveAttribute("data-playing", "false");

    act(() => link.focus()); // keyboard users get the preview too
    expect(video).toHaveAttribute("data-playing", "true");
  });

  it("says so when there are no gigs yet", async () => {
    renderApp("/", catalog([]));
    expect(await screen.findByText("No featured gigs yet")).toBeInTheDocument();
  });

  it("shows the API's error with a way to try again", async () => {
    const api = catalog();
    let fail = true;
    const list = api.routes.get("GET /v1/gigs")!;
    api.on("GET /v1/gigs", (request, seen) =>
      fail ? apiError(503, "service_unavailable", "The catalog is resting.") : list(request, seen),
    );
    const { user } = renderApp("/", api);

    const featured = await screen.findByRole("region", { name: "Featured gigs" });
    expect(await within(featured).findByRole("alert")).toHaveTextContent("The catalog is resting.");
    fail = false;
    await user.click(within(featured).getByRole("button", { name: "Try again" }));
    expect(await within(featured).findByRole("link", { name: "Snappy reels" })).toBeInTheDocument();
  });
});
