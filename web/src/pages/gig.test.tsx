import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { gigOut, privateProfile, publicProfile, review, reviewPage } from "@/test/fixtures";
import { anonymous, renderApp } from "@/test/render";

function catalog() {
  const gig = gigOut();
  return anonymous(new FakeApi())
    .on("GET /v1/gigs/wedding-highlight-film", () => json(200, gig))
    .on("GET /v1/gigs/gone", () => apiError(404, "gig_not_found", "No such gig."))
    .on(`GET /v1/reviews/gigs/${gig.id}`, () =>
      json(
        200,
        reviewPage([
          review(),
          review({ id: "review-2", rating: 3, reply: null, comment: "Fine." }),
        ]),
      ),
    )
    .on(`GET /v1/users/${gig.creator.id}`, () => json(200, publicProfile()));
}

describe("the gig page", () => {
  it("shows the gallery, the three packages in order, the creator and the reviews", async () => {
    const { user } = renderApp("/gigs/wedding-highlight-film", catalog());

    expect(
      await screen.findByRole("heading", {
        level: 1,
        name: "I will edit your wedding highlight film",
      }),
    ).toBeInTheDocument();
    const gallery = screen.getByRole("region", { name: "Gallery" });
    const title = "I will edit your wedding highlight film";
    expect(within(gallery).getByLabelText(`${title}: video 1 of 3`)).toHaveAttribute(
      "src",
      "https://cdn.test/wedding-preview.mp4",
    );
    await user.click(within(gallery).getByRole("button", { name: "Show picture 2 of 3" }));
    expect(within(gallery).getByRole("img", { name: `${title}: picture 2 of 3` })).toHaveAttribute(
      "src",
      "https://cdn.test/still-1.jpg",
    );
    // An uploaded video in the gallery plays as a video, with its poster.
    await user.click(within(gallery).getByRole("button", { name: "Show video 3 of 3" }));
    const clip = within(gallery).getByLabelText(`${title}: video 3 of 3`);
    expect(clip).toHaveAttribute("src", "https://cdn.test/uploads/clip/preview.mp4");
    expect(clip).toHaveAttribute("poster", "https://cdn.test/uploads/clip/poster.jpg");

    const packages = screen
      .getAllByRole("group")
      .map((group) => within(group).getByRole("heading").textContent);
    expect(packages).toEqual(["Basic", "Standard", "Premium"]);
    const standard = screen.getByRole("group", { name: "Standard" });
    expect(within(standard).getByText("€240")).toBeInTheDocument();
    expect(within(standard).getByText("5 days delivery")).toBeInTheDocument();
    expect(screen.getAllByRole("button", { name: /^Continue with/ })).toHaveLength(3);

    const creator = screen.getByRole("complementary", { name: "About the creator" });
    expect(within(creator).getByText("@maya-edits")).toBeInTheDocument();
    expect(await within(creator).findByText("2 hours")).toBeInTheDocument();
    expect(within(creator).getByText("97%")).toBeInTheDocument();

    const reviews = screen.getByRole("region", { name: "Reviews" });
    expect(
      await within(reviews).findByText("Beautiful film, delivered early."),
    ).toBeInTheDocument();
    expect(within(reviews).getByText("Thank you, Sam!")).toBeInTheDocument();
    const histogram = within(reviews).getByLabelText("Reviews by stars");
    expect(histogram).toHaveTextContent(/5 stars\s*3 reviews/);
    expect(histogram).toHaveTextContent(/3 stars\s*1 reviews/);
    expect(within(reviews).getByText("4 reviews")).toBeInTheDocument();
  });

  it("says so when the gig does not exist", async () => {
    renderApp("/gigs/gone", catalog());
    expect(await screen.findByText("This gig is not here")).toBeInTheDocument();
  });

  it("takes an anonymous visitor who continues with a package to log in, then to the order", async () => {
    const api = catalog()
      .on("POST /v1/auth/login", () => tokens("A1"))
      .on("GET /v1/users/me", () => json(200, privateProfile()));
    const { user, router } = renderApp("/gigs/wedding-highlight-film", api);

    await user.click(await screen.findByRole("button", { name: "Continue with Standard (€240)" }));
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();

    await user.type(screen.getByLabelText("E-mail"), "sam@example.com");
    await user.type(screen.getByLabelText("Password"), "Str0ng!Passw0rd");
    await user.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByRole("heading", { name: "Your order" })).toBeInTheDocument();
    await waitFor(() => expect(router.state.location.pathname).toBe("/orders/new"));
    expect(router.state.location.search).toBe("?gig=wedding-highlight-film&package=pkg-standard");
    expect(
      await screen.findByRole("heading", {
        name: /^Standard: I will edit your wedding highlight film/,
      }),
    ).toBeInTheDocument();
  });
});
