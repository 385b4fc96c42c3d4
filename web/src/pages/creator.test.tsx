import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import type { PortfolioItem } from "@/api/queries";
import type { UploadOut } from "@/components/uploader";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { gigPage, gigSummary, publicProfile, review, reviewPage } from "@/test/fixtures";
import { anonymous, renderApp } from "@/test/render";

const CREATOR = publicProfile({
  bio: "Wedding and travel films, cut for YouTube and Reels.",
  skills: ["Premiere Pro", "Color grading"],
  hourly_rate: { currency: "EUR", value: "45.00" },
  availability: "part-time",
  language: "nl",
  website_url: "https://maya.example.com",
  online: false,
  last_seen_at: new Date(Date.now() - 3 * 3600_000).toISOString(),
});
const UPLOAD_ID = "7d0f3c52-0000-4000-8000-000000000009";

function item(overrides: Partial<PortfolioItem>): PortfolioItem {
  return {
    id: "item-1",
    user_id: CREATOR.id,
    title: "Lisbon wedding teaser",
    description: "Three-minute teaser, graded in Resolve.",
    video_url: "https://cdn.test/users/maya/portfolio/lisbon.mp4",
    thumbnail_url: "https://cdn.test/users/maya/portfolio/lisbon/thumb.jpg",
    upload_id: UPLOAD_ID,
    poster_url: "https://cdn.test/users/maya/portfolio/lisbon/poster.jpg",
    preview_url: "https://cdn.test/users/maya/portfolio/lisbon/preview.mp4",
    stream_url: null,
    duration_seconds: 20,
    is_highlight: true,
    position: 0,
    created_at: "2026-11-20T10:00:00Z",
    ...overrides,
  };
}

const upload: UploadOut = {
  id: UPLOAD_ID,
  owner_id: CREATOR.id,
  kind: "video",
  purpose: "portfolio",
  target_id: null,
  filename: "lisbon.mp4",
  content_type: "video/mp4",
  size: 48_000_000,
  state: "ready",
  failure_reason: null,
  public: true,
  probe: null,
  original: null,
  derived: {
    storyboard: {
      url: "https://cdn.test/users/maya/portfolio/lisbon/storyboard.jpg",
      expires_at: null,
      content_type: "image/jpeg",
      columns: 5,
      rows: 2,
      tile_width: 160,
      tile_height: 90,
      interval_seconds: 2,
    },
  },
  created_at: "2026-11-20T10:00:00Z",
  completed_at: "2026-11-20T10:00:00Z",
  ready_at: "2026-11-20T10:01:00Z",
};

function profileApi() {
  return anonymous(new FakeApi())
    .on(`GET /v1/users/${CREATOR.id}`, () => json(200, CREATOR))
    .on(`GET /v1/users/${CREATOR.id}/portfolio`, () =>
      json(200, [
        item({
          id: "item-2",
          title: "Vimeo showreel",
          upload_id: null,
          is_highlight: false,
          position: 1,
          video_url: "https://vimeo.com/123456789",
          poster_url: null,
          duration_seconds: null,
        }),
        item({}),
      ]),
    )
    .on(`GET /v1/uploads/${UPLOAD_ID}`, () => json(200, upload))
    .on("GET /v1/gigs", () => json(200, gigPage([gigSummary()])))
    .on(`GET /v1/reviews/users/${CREATOR.id}`, (_, seen) =>
      json(200, {
        ...reviewPage(
          seen.search.includes("page=2")
            ? [review({ id: "review-9", comment: "Second page review." })]
            : [review()],
        ),
        total_pages: 2,
        page: seen.search.includes("page=2") ? 2 : 1,
      }),
    );
}

describe("a creator's profile", () => {
  it("shows who they are and their track record", async () => {
    renderApp(`/creators/${CREATOR.id}`, profileApi());

    expect(
      await screen.findByRole("heading", { level: 1, name: "Maya Jensen" }),
    ).toBeInTheDocument();
    expect(document.title).toBe("Maya Jensen · ReelByte");
    expect(screen.getByText("Pro")).toBeInTheDocument();
    expect(screen.getByTitle("Verified by ReelByte")).toHaveTextContent("Verified");
    expect(screen.getByRole("img", { name: "Rated 4.9 out of 5" })).toBeInTheDocument();
    expect(screen.getByText("Last seen")).toHaveTextContent("Last seen 3 hours ago");
    const facts = (label: string) => screen.getByText(label).nextElementSibling?.textContent;
    expect(facts("Response time")).toBe("Within 2 hours");
    expect(facts("On time")).toBe("97%");
    expect(facts("Hourly rate")).toBe("€45/h");
    expect(facts("Languages")).toBe("Dutch");
    expect(
      screen.getByText("Wedding and travel films, cut for YouTube and Reels."),
    ).toBeInTheDocument();
    expect(
      within(screen.getByRole("list", { name: "Skills" })).getAllByRole("listitem"),
    ).toHaveLength(2);
    expect(screen.getByRole("link", { name: /Website/ })).toHaveAttribute(
      "href",
      "https://maya.example.com",
    );
  });

  it("plays the portfolio reel, scrubbing through the storyboard on hover", async () => {
    const api = profileApi();
    const { user } = renderApp(`/creators/${CREATOR.id}`, api);

    const reel = await screen.findByRole("region", { name: "Portfolio" });
    const play = await within(reel).findByRole("button", { name: "Play Lisbon wedding teaser" });
    // Highlights first; a link to a video page opens there.
    const items = within(reel).getAllByRole("listitem");
    expect(within(items[0]!).getByRole("button")).toBe(play);
    expect(
      within(items[1]!).getByRole("link", {
        name: "Watch Vimeo showreel on vimeo.com (opens in a new tab)",
      }),
    ).toHaveAttribute("href", "https://vimeo.com/123456789");
    expect(api.calls(`GET /v1/uploads/${UPLOAD_ID}`)).toHaveLength(0); // nothing before a hover

    vi.spyOn(play, "getBoundingClientRect").mockReturnValue(new DOMRect(0, 0, 200, 112));
    fireEvent.pointerEnter(play);
    await waitFor(() => expect(api.calls(`GET /v1/uploads/${UPLOAD_ID}`)).toHaveLength(1));
    // 20 s at one frame every 2 s: 10 tiles over 200 px, so x = 130 is tile 6 (column 1, row 1).
    await waitFor(() => {
      fireEvent.pointerMove(play, { clientX: 130 });
      expect(within(play).getByTestId("storyboard")).toHaveAttribute("data-tile", "6");
    });
    const frame = within(play).getByTestId("storyboard");
    expect(frame.style.backgroundImage).toContain("storyboard.jpg");
    expect(frame.style.backgroundSize).toBe("500% 200%");
    expect(frame.style.backgroundPosition).toBe("25% 100%");
    expect(within(play).getByText("0:12")).toBeInTheDocument();

    fireEvent.pointerLeave(play);
    expect(within(play).queryByTestId("storyboard")).not.toBeInTheDocument();

    await user.click(play);
    const video = within(reel).getByLabelText("Lisbon wedding teaser");
    expect(video.tagName).toBe("VIDEO");
    expect(video).toHaveAttribute("src", "https://cdn.test/users/maya/portfolio/lisbon.mp4");
    expect(video).toHaveAttribute(
      "poster",
      "https://cdn.test/users/maya/portfolio/lisbon/poster.jpg",
    );
  });

  it("lets the keyboard step through the storyboard", async () => {
    const { user } = renderApp(`/creators/${CREATOR.id}`, profileApi());
    const play = await screen.findByRole("button", { name: "Play Lisbon wedding teaser" });
    play.focus();
    await waitFor(() =>
      expect(within(play).getByTestId("storyboard")).toHaveAttribute("data-tile", "0"),
    );
    await user.keyboard("{ArrowRight}{ArrowRight}");
    expect(within(play).getByTestId("storyboard")).toHaveAttribute("data-tile", "2");
  });

  it("lists their gigs and their reviews, page by page", async () => {
    const api = profileApi();
    const { user } = renderApp(`/creators/${CREATOR.id}`, api);

    const gigs = await screen.findByRole("region", { name: "Gigs by Maya Jensen" });
    expect(
      await within(gigs).findByRole("link", { name: "I will edit your wedding highlight film" }),
    ).toBeInTheDocument();
    expect(new URLSearchParams(api.calls("GET /v1/gigs")[0]!.search).get("creator_id")).toBe(
      CREATOR.id,
    );

    const reviews = screen.getByRole("region", { name: "Reviews" });
    expect(
      await within(reviews).findByText("Beautiful film, delivered early."),
    ).toBeInTheDocument();
    expect(within(reviews).getByText("Reply from Maya Jensen")).toBeInTheDocument();
    await user.click(within(reviews).getByRole("button", { name: "Next" }));
    expect(await within(reviews).findByText("Second page review.")).toBeInTheDocument();
    expect(within(reviews).getByText("Page 2 of 2")).toBeInTheDocument();
  });

  it("says so when there is no such person", async () => {
    const api = anonymous(new FakeApi()).on("GET /v1/users/nobody", () =>
      apiError(404, "user_not_found", "No such user."),
    );
    renderApp("/creators/nobody", api);
    expect(await screen.findByText("This profile is not here")).toBeInTheDocument();
  });
});
