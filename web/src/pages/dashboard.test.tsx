import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { OrderOut } from "@/api/creator";
import { FakeApi, json, tokens } from "@/test/fake-api";
import { gigOut, gigPage, myGig, privateProfile, publicProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const creator = publicProfile();

function order(overrides: Partial<OrderOut> = {}): OrderOut {
  return {
    id: "0a1b2c3d-0000-4000-8000-000000000003",
    status: "in_progress",
    client_id: "client-1",
    creator_id: creator.id,
    gig_id: "gig-wedding-highlight-film",
    package_id: "pkg-basic",
    proposal_id: null,
    title: "Wedding highlight film",
    package_tier: "basic",
    video_spec: null,
    requirements: null,
    amount: { currency: "EUR", value: "120.00" },
    platform_fee: { currency: "EUR", value: "24.00" },
    creator_earnings: { currency: "EUR", value: "96.00" },
    delivery_days: 3,
    revisions_allowed: 1,
    revisions_used: 0,
    uses_milestones: false,
    paid_at: "2026-11-18T10:00:00Z",
    delivery_date: "2099-11-21T10:00:00Z",
    delivered_at: null,
    completed_at: null,
    cancelled_at: null,
    cancellation_requested_by: null,
    created_at: "2026-11-18T09:00:00Z",
    ...overrides,
  };
}

const orderPage = (items: OrderOut[]) => ({
  items,
  total: items.length,
  page: 1,
  page_size: 100,
  total_pages: items.length ? 1 : 0,
  next_cursor: null,
  total_is_exact: true,
});

function api(role: "creator" | "client" = "creator") {
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () =>
      json(200, privateProfile({ id: creator.id, full_name: creator.full_name, role })),
    )
    .on("GET /v1/users/me/gigs", () =>
      json(
        200,
        gigPage([
          myGig(),
          myGig({
            slug: "brand-reel",
            title: "I will cut your brand reel",
            is_active: false,
            is_listed: false,
          }),
          myGig({
            slug: "reported-reel",
            title: "I will cut your reported reel",
            is_active: false,
            is_listed: false,
            hidden_by_moderators: true,
          }),
        ]),
      ),
    )
    .on("PUT /v1/gigs/gig-brand-reel", () =>
      json(200, { ...gigOut({ slug: "brand-reel" }), is_active: true }),
    )
    .on("GET /v1/orders", (request) =>
      new URL(request.url).searchParams.get("status") === "revision_requested"
        ? json(
            200,
            orderPage([
              order({
                id: "0a1b2c3d-0000-4000-8000-000000000004",
                title: "Brand reel",
                status: "revision_requested",
                delivery_date: "2020-01-02T10:00:00Z",
              }),
            ]),
          )
        : json(200, orderPage([order()])),
    )
    .on("GET /v1/payments/me/balance", () =>
      json(200, {
        available: { currency: "EUR", value: "120.50" },
        pending: { currency: "EUR", value: "340.00" },
        in_transit: { currency: "EUR", value: "0.00" },
      }),
    );
}

describe("the creator dashboard", () => {
  it("lists the orders to deliver, soonest due first, my gigs and my earnings", async () => {
    const fake = api();
    renderApp("/dashboard", fake);

    const orders = within(
      (await screen.findByRole("heading", { name: "Orders to deliver" })).closest("section")!,
    );
    const items = await orders.findAllByRole("listitem");
    expect(items.map((item) => within(item).getByRole("link").textContent)).toEqual([
      "Brand reel",
      "Wedding highlight film",
    ]);
    expect(items[0]).toHaveTextContent(/Revision requested/);
    expect(items[0]).toHaveTextContent(/Was due Jan 2, 2020/);
    expect(within(items[1]!).getByRole("link")).toHaveAttribute(
      "href",
      "/orders/0a1b2c3d-0000-4000-8000-000000000003",
    );
    expect(
      fake
        .calls("GET /v1/orders")
        .map((call) => call.search)
        .sort(),
    ).toEqual([
      "?role=creator&status=in_progress&page_size=100",
      "?role=creator&status=revision_requested&page_size=100",
    ]);

    const gigs = within(screen.getByRole("heading", { name: "Your gigs" }).closest("section")!);
    expect(
      await gigs.findByRole("link", { name: "Edit I will edit your wedding highlight film" }),
    ).toHaveAttribute("href", "/dashboard/gigs/gig-wedding-highlight-film/edit");
    expect(gigs.getByRole("link", { name: "New gig" })).toHaveAttribute(
      "href",
      "/dashboard/gigs/new",
    );
    const [listed, paused, hidden] = gigs.getAllByRole("article");
    expect(listed).toHaveTextContent("Listed");
    expect(paused).toHaveTextContent("Paused");
    // Only an admin can switch a gig the moderators hid back on: no Resume button.
    expect(hidden).toHaveTextContent("Hidden by moderators");
    expect(within(hidden!).queryByRole("button", { name: /Resume/ })).not.toBeInTheDocument();

    const earnings = within(screen.getByRole("heading", { name: "Earnings" }).closest("section")!);
    expect(await earnings.findByText("€120.50")).toBeInTheDocument();
    expect(earnings.getByRole("link", { name: "Earnings and withdrawals" })).toHaveAttribute(
      "href",
      "/earnings",
    );
  });

  it("resumes a paused gig", async () => {
    const fake = api();
    const user = userEvent.setup();
    renderApp("/dashboard", fake);

    await user.click(
      await screen.findByRole("button", { name: "Resume I will cut your brand reel" }),
    );

    await waitFor(() => expect(fake.calls("PUT /v1/gigs/gig-brand-reel")).toHaveLength(1));
    expect(JSON.parse(fake.calls("PUT /v1/gigs/gig-brand-reel")[0]!.body)).toEqual({
      is_active: true,
    });
    await waitFor(() => expect(fake.calls("GET /v1/users/me/gigs")).toHaveLength(2));
  });

  it("explains to a client that the dashboard is for creators, and makes them one too", async () => {
    const fake = api("client").on("POST /v1/users/me/role", () =>
      json(200, privateProfile({ id: creator.id, full_name: creator.full_name, role: "hybrid" })),
    );
    const user = userEvent.setup();
    renderApp("/dashboard", fake);

    expect(
      await screen.findByRole("heading", { name: "Your account is for hiring creators" }),
    ).toBeInTheDocument();
    expect(fake.calls("GET /v1/orders")).toHaveLength(0);
    expect(fake.calls("GET /v1/payments/me/balance")).toHaveLength(0);

    await user.click(screen.getByRole("button", { name: "Sell video work too" }));

    expect(await screen.findByRole("heading", { name: "Your gigs" })).toBeInTheDocument();
    expect(JSON.parse(fake.calls("POST /v1/users/me/role")[0]!.body)).toEqual({ role: "hybrid" });
  });
});
