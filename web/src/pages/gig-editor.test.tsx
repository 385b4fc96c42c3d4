import { screen, waitFor, within } from "@testing-library/react";
import { beforeAll, describe, expect, it } from "vitest";
import type { GigOut } from "@/api/queries";
import {
  apiError,
  EMAIL_NOT_VERIFIED,
  emailNotVerified,
  FakeApi,
  json,
  tokens,
} from "@/test/fake-api";
import { categories, gigOut, privateProfile, publicProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const creator = publicProfile();
const GIG_ID = "gig-wedding-highlight-film";

// Radix Select measures and captures the pointer, which jsdom does not do.
beforeAll(() => {
  Element.prototype.hasPointerCapture ??= () => false;
  Element.prototype.releasePointerCapture ??= () => undefined;
  Element.prototype.scrollIntoView ??= () => undefined;
});

const withSubcategories = [
  {
    ...categories[0]!,
    subcategories: [
      {
        id: 7,
        parent_id: 1,
        name: "Wedding Films",
        slug: "wedding-films",
        description: null,
        icon: null,
        display_order: 1,
        is_active: true,
      },
    ],
  },
  categories[1]!,
];

function creatorApi() {
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () =>
      json(200, privateProfile({ id: creator.id, full_name: creator.full_name, role: "creator" })),
    )
    .on("GET /v1/categories", () => json(200, withSubcategories))
    .on("GET /v1/gigs", () =>
      json(200, {
        items: [],
        total: 0,
        page: 1,
        page_size: 100,
        total_pages: 0,
        next_cursor: null,
        total_is_exact: true,
      }),
    )
    .on("GET /v1/orders", () =>
      json(200, {
        items: [],
        total: 0,
        page: 1,
        page_size: 100,
        total_pages: 0,
        next_cursor: null,
        total_is_exact: true,
      }),
    )
    .on("GET /v1/payments/me/balance", () =>
      json(200, {
        available: { currency: "EUR", value: "0.00" },
        pending: { currency: "EUR", value: "0.00" },
        in_transit: { currency: "EUR", value: "0.00" },
      }),
    );
}

describe("creating a gig", () => {
  it("checks the form before sending anything", async () => {
    const api = creatorApi();
    const { user } = renderApp("/dashboard/gigs/new", api);

    await user.click(await screen.findByRole("button", { name: "Create gig" }));

    expect(
      await screen.findByText("Give the gig a title of at least 3 characters."),
    ).toBeInTheDocument();
    expect(screen.getByText("Choose a category.")).toBeInTheDocument();
    expect(screen.getByText("Describe what you offer.")).toBeInTheDocument();
    expect(screen.getByText("Say what this package includes.")).toBeInTheDocument();
    expect(screen.getByLabelText("Basic: price (EUR)")).toHaveAccessibleDescription(
      "Enter a price such as 50 or 49.99.",
    );
    expect(screen.getByRole("combobox", { name: "Category" })).toHaveAttribute(
      "aria-invalid",
      "true",
    );
    expect(api.calls("POST /v1/gigs")).toHaveLength(0);
  });

  it("asks for at least one package", async () => {
    const api = creatorApi();
    const { user } = renderApp("/dashboard/gigs/new", api);

    await user.click(await screen.findByRole("checkbox", { name: "Offer a Basic package" }));
    await user.click(screen.getByRole("button", { name: "Create gig" }));

    expect(
      await screen.findByText("Offer at least one package, so that clients can order this gig."),
    ).toBeInTheDocument();
    expect(api.calls("POST /v1/gigs")).toHaveLength(0);
  });

  it("creates the gig with its packages, then opens it to add pictures", async () => {
    const api = creatorApi().on("POST /v1/gigs", () =>
      json(
        201,
        gigOut({
          title: "I will cut your wedding film",
          creator: { ...gigOut().creator, id: creator.id },
        }),
      ),
    );
    const { user, router } = renderApp("/dashboard/gigs/new", api);

    await user.type(await screen.findByLabelText("Title"), "  I will cut your wedding film ");
    await user.click(screen.getByRole("combobox", { name: "Category" }));
    await user.click(await screen.findByRole("option", { name: "Video Editing" }));
    await user.click(await screen.findByRole("combobox", { name: "Subcategory" }));
    await user.click(await screen.findByRole("option", { name: "Wedding Films" }));
    await user.type(screen.getByLabelText("Tags"), "Wedding, premiere  pro, wedding");
    await user.type(screen.getByLabelText("Description"), "Cinematic highlight films.");
    await user.type(screen.getByLabelText("Basic: what is included"), "A 3-minute highlight film.");
    await user.type(screen.getByLabelText("Basic: price (EUR)"), "120");
    await user.type(screen.getByLabelText("Basic: delivery in days"), "5");
    await user.type(screen.getByLabelText("Basic: features"), "Colour grading\n\nLicensed music");
    await user.click(screen.getByRole("tab", { name: /Premium/ }));
    await user.click(screen.getByRole("checkbox", { name: "Offer a Premium package" }));
    await user.type(screen.getByLabelText("Premium: what is included"), "A 10-minute film.");
    await user.type(screen.getByLabelText("Premium: price (EUR)"), "480.5");
    await user.type(screen.getByLabelText("Premium: delivery in days"), "10");
    await user.clear(screen.getByLabelText("Premium: revisions"));
    await user.type(screen.getByLabelText("Premium: revisions"), "3");
    await user.click(screen.getByRole("button", { name: "Create gig" }));

    await waitFor(() => expect(api.calls("POST /v1/gigs")).toHaveLength(1));
    expect(JSON.parse(api.calls("POST /v1/gigs")[0]!.body)).toEqual({
      title: "I will cut your wedding film",
      description: "Cinematic highlight films.",
      category_id: 1,
      subcategory_id: 7,
      tags: ["wedding", "premiere pro"],
      requirements: null,
      is_active: true,
      packages: [
        {
          tier: "basic",
          description: "A 3-minute highlight film.",
          price: { currency: "EUR", value: "120.00" },
          delivery_days: 5,
          revisions: 1,
          features: ["Colour grading", "Licensed music"],
        },
        {
          tier: "premium",
          description: "A 10-minute film.",
          price: { currency: "EUR", value: "480.50" },
          delivery_days: 10,
          revisions: 3,
          features: [],
        },
      ],
    });
    await waitFor(() =>
      expect(router.state.location.pathname).toBe(`/dashboard/gigs/${GIG_ID}/edit`),
    );
    expect(
      await screen.findByText(
        "“I will cut your wedding film” is saved. Add pictures and a preview video below.",
      ),
    ).toHaveAttribute("role", "status");
    expect(screen.getByRole("heading", { name: "Pictures and video" })).toBeInTheDocument();
  });

  it("puts the API's validation errors on the fields they are about", async () => {
    const api = creatorApi().on("POST /v1/gigs", () =>
      apiError(422, "validation_error", "The request is not valid.", [
        {
          loc: ["body", "packages", 0, "price", "value"],
          msg: "Value error, value is too large",
          type: "value_error",
        },
        {
          loc: ["body", "title"],
          msg: "String should match pattern",
          type: "string_pattern_mismatch",
        },
      ]),
    );
    const { user } = renderApp("/dashboard/gigs/new", api);

    await user.type(await screen.findByLabelText("Title"), "I will edit");
    await user.click(screen.getByRole("combobox", { name: "Category" }));
    await user.click(await screen.findByRole("option", { name: "Social Media Reels" }));
    await user.type(screen.getByLabelText("Description"), "Reels.");
    await user.type(screen.getByLabelText("Basic: what is included"), "One reel.");
    await user.type(screen.getByLabelText("Basic: price (EUR)"), "50");
    await user.type(screen.getByLabelText("Basic: delivery in days"), "2");
    await user.click(screen.getByRole("button", { name: "Create gig" }));

    expect(await screen.findByText("value is too large")).toBeInTheDocument();
    expect(screen.getByLabelText("Basic: price (EUR)")).toHaveAccessibleDescription(
      "value is too large",
    );
    expect(screen.getByLabelText("Title")).toHaveAccessibleDescription(
      "String should match pattern",
    );
    expect(screen.getByRole("alert")).toHaveTextContent("Some fields need a change");
  });
});

describe("publishing a gig before the e-mail address is verified", () => {
  it("says so and offers a new verification link", async () => {
    const api = creatorApi().on("POST /v1/gigs", () => emailNotVerified());
    const { user } = renderApp("/dashboard/gigs/new", api);

    await user.type(await screen.findByLabelText("Title"), "I will edit your reels");
    await user.click(screen.getByRole("combobox", { name: "Category" }));
    await user.click(await screen.findByRole("option", { name: "Social Media Reels" }));
    await user.type(screen.getByLabelText("Description"), "Reels.");
    await user.type(screen.getByLabelText("Basic: what is included"), "One reel.");
    await user.type(screen.getByLabelText("Basic: price (EUR)"), "50");
    await user.type(screen.getByLabelText("Basic: delivery in days"), "2");
    await user.click(screen.getByRole("button", { name: "Create gig" }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(EMAIL_NOT_VERIFIED);
    expect(within(alert).getByRole("button", { name: "Send the link again" })).toBeEnabled();
    expect(screen.getAllByText(EMAIL_NOT_VERIFIED)).toHaveLength(1);
  });
});

describe("editing a gig", () => {
  function myGig(): GigOut {
    return gigOut({ creator: { ...gigOut().creator, id: creator.id } });
  }

  it("saves the gig, then each package change through the package routes", async () => {
    const api = creatorApi()
      .on(`GET /v1/gigs/${GIG_ID}`, () => json(200, myGig()))
      .on(`PUT /v1/gigs/${GIG_ID}`, () => json(200, myGig()))
      .on(`PUT /v1/gigs/${GIG_ID}/packages/pkg-basic`, () => json(200, myGig().packages[1]))
      .on(
        `DELETE /v1/gigs/${GIG_ID}/packages/pkg-premium`,
        () => new Response(null, { status: 204 }),
      );
    const { user, router } = renderApp(`/dashboard/gigs/${GIG_ID}/edit`, api);

    const price = await screen.findByLabelText("Basic: price (EUR)");
    expect(price).toHaveValue("120.00");
    expect(screen.getByRole("combobox", { name: "Category" })).toHaveTextContent("Video Editing");
    await user.clear(price);
    await user.type(price, "135");
    await user.click(screen.getByRole("tab", { name: /Premium/ }));
    await user.click(screen.getByRole("checkbox", { name: "Offer a Premium package" }));
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    await waitFor(() => expect(router.state.location.pathname).toBe("/dashboard"));
    expect(JSON.parse(api.calls(`PUT /v1/gigs/${GIG_ID}`)[0]!.body)).toMatchObject({
      title: "I will edit your wedding highlight film",
      category_id: 1,
      subcategory_id: 7,
      tags: ["wedding", "premiere pro"],
      is_active: true,
    });
    expect(JSON.parse(api.calls(`PUT /v1/gigs/${GIG_ID}/packages/pkg-basic`)[0]!.body)).toEqual({
      price: { currency: "EUR", value: "135.00" },
    });
    expect(api.calls(`DELETE /v1/gigs/${GIG_ID}/packages/pkg-premium`)).toHaveLength(1);
    expect(api.calls(`PUT /v1/gigs/${GIG_ID}/packages/pkg-standard`)).toHaveLength(0);
    expect(
      await screen.findByText("“I will edit your wedding highlight film” is saved."),
    ).toHaveAttribute("role", "status");
  });

  it("shows a package route's error on that package", async () => {
    const api = creatorApi()
      .on(`GET /v1/gigs/${GIG_ID}`, () => json(200, myGig()))
      .on(`PUT /v1/gigs/${GIG_ID}`, () => json(200, myGig()))
      .on(`PUT /v1/gigs/${GIG_ID}/packages/pkg-standard`, () =>
        apiError(422, "validation_error", "The request is not valid.", [
          {
            loc: ["body", "delivery_days"],
            msg: "Input should be less than or equal to 365",
            type: "less_than_equal",
          },
        ]),
      );
    const { user, router } = renderApp(`/dashboard/gigs/${GIG_ID}/edit`, api);

    await user.click(await screen.findByRole("tab", { name: /Standard/ }));
    const days = screen.getByLabelText("Standard: delivery in days");
    await user.clear(days);
    await user.type(days, "30");
    await user.click(screen.getByRole("button", { name: "Save changes" }));

    expect(
      await screen.findByText("Input should be less than or equal to 365"),
    ).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent("Standard package");
    expect(screen.getByRole("tab", { name: /Standard/ })).toHaveAttribute("aria-selected", "true");
    expect(router.state.location.pathname).toBe(`/dashboard/gigs/${GIG_ID}/edit`);
  });

  it("does not offer to edit another creator's gig", async () => {
    const someoneElse = { ...gigOut().creator, id: "1c2d3e4f-0000-4000-8000-000000000009" };
    const api = creatorApi().on(`GET /v1/gigs/${GIG_ID}`, () =>
      json(200, gigOut({ creator: someoneElse })),
    );
    renderApp(`/dashboard/gigs/${GIG_ID}/edit`, api);

    expect(await screen.findByText("This gig is not yours")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Save changes" })).not.toBeInTheDocument();
  });

  it("shows the gallery with a button to remove each picture", async () => {
    const api = creatorApi()
      .on(`GET /v1/gigs/${GIG_ID}`, () => json(200, myGig()))
      .on(`PUT /v1/gigs/${GIG_ID}`, () =>
        json(200, {
          ...myGig(),
          gallery_urls: ["https://cdn.test/still-1.jpg"],
          gallery_uploads: [],
        }),
      );
    const { user } = renderApp(`/dashboard/gigs/${GIG_ID}/edit`, api);

    const media = within(
      (await screen.findByRole("heading", { name: "Pictures and video" })).closest("section")!,
    );
    await user.click(media.getByRole("button", { name: "Remove gallery clip 2" }));

    await waitFor(() => expect(api.calls(`PUT /v1/gigs/${GIG_ID}`)).toHaveLength(1));
    expect(JSON.parse(api.calls(`PUT /v1/gigs/${GIG_ID}`)[0]!.body)).toEqual({
      gallery_upload_ids: [],
    });
    await waitFor(() =>
      expect(
        media.queryByRole("button", { name: "Remove gallery clip 2" }),
      ).not.toBeInTheDocument(),
    );
    expect(media.getByLabelText("Choose files for Add pictures")).toBeInTheDocument();
  });
});
