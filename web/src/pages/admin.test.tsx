import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { AdminUser, DisputeCase, FlaggedReview, ReportItem } from "@/api/admin";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const EUR = (value: string) => ({ currency: "EUR" as const, value });

function page<T>(items: T[]) {
  return {
    items,
    page: 1,
    page_size: 20,
    total: items.length,
    total_pages: 1,
    total_is_exact: true,
  };
}

function adminUser(overrides: Partial<AdminUser> = {}): AdminUser {
  return {
    id: "user-sam",
    email: "sam@example.com",
    email_verified: true,
    full_name: "Sam Spammer",
    username: "sam",
    role: "client",
    status: "active",
    created_at: "2026-11-01T10:00:00Z",
    last_login_at: null,
    gmv_as_client: EUR("0.00"),
    gmv_as_creator: EUR("0.00"),
    orders_as_client: 0,
    orders_as_creator: 0,
    open_reports: 2,
    suspended_at: null,
    suspended_until: null,
    suspension_reason: null,
    verifications: [],
    verified_at: null,
    ...overrides,
  };
}

const dispute: DisputeCase = {
  dispute: {
    id: "dispute-1",
    order_id: "order-1",
    opened_by: "client-1",
    reason: "The edit never arrived.",
    status: "open",
    created_at: "2026-11-20T10:00:00Z",
    refund: null,
    release: null,
    resolution_note: null,
    resolved_at: null,
  },
  held: EUR("100.00"),
  order: {
    id: "order-1",
    title: "Wedding teaser",
    amount: EUR("100.00"),
    client_id: "client-1",
    creator_id: "creator-1",
    status: "disputed",
  } as DisputeCase["order"],
};

const report: ReportItem = {
  id: "report-1",
  created_at: "2026-11-20T10:00:00Z",
  open_reports_on_target: 2,
  preview: {
    kind: "message",
    conversation_id: "c1",
    deleted: false,
    sender: { id: "user-sam", username: "sam" },
    text: "Buy followers at spam.example",
  },
  reason: "Spam",
  reporter: { id: "client-1", username: "ada" },
  resolution_action: null,
  resolution_note: null,
  resolved_at: null,
  resolved_by: null,
  status: "open",
  target_exists: true,
  target_id: "message-1",
  target_type: "message",
};

function account(role: "admin" | "client") {
  let users = [adminUser()];
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile({ role, full_name: "Root Admin" })))
    .on("GET /v1/notifications/unread-count", () => json(200, { count: 0 }))
    .on("POST /v1/ws/ticket", () => apiError(503, "realtime_unavailable", "Later."))
    .on("GET /v1/admin/users", () => json(200, page(users)))
    .on("PUT /v1/admin/users/user-sam/suspend", async (request) => {
      const body = (await request.json()) as { reason: string; until: string | null };
      users = [
        adminUser({
          status: "suspended",
          suspended_at: "2026-12-01T10:00:00Z",
          suspension_reason: body.reason,
        }),
      ];
      return new Response(null, { status: 204 });
    })
    .on("GET /v1/admin/disputes", () => json(200, page([dispute])))
    .on("POST /v1/admin/disputes/dispute-1/resolve", () => json(200, dispute.dispute))
    .on("GET /v1/admin/reports", () => json(200, page([report])))
    .on("PUT /v1/admin/reports/report-1/resolve", () =>
      json(200, { ...report, status: "resolved" }),
    )
    .on("GET /v1/admin/reviews/flagged", () => json(200, page([flaggedReview])))
    .on("POST /v1/admin/reviews/review-1/hide", () => new Response(null, { status: 204 }))
    .on("POST /v1/admin/reviews/review-1/dismiss-flags", () => new Response(null, { status: 204 }));
}

const flaggedReview: FlaggedReview = {
  review: {
    id: "review-1",
    order_id: "order-1",
    gig_id: null,
    reviewee_id: "creator-1",
    reviewer: { id: "client-1", username: "ada", full_name: "Ada", avatar_url: null },
    rating: 1,
    communication_rating: 1,
    quality_rating: 1,
    timeliness_rating: 1,
    comment: "Terrible person, do not hire.",
    helpful_count: 0,
    reply: null,
    published: true,
    published_at: "2026-11-20T10:00:00Z",
    created_at: "2026-11-19T10:00:00Z",
    updated_at: "2026-11-19T10:00:00Z",
  },
  hidden: false,
  flags: 2,
  first_flagged_at: "2026-11-21T10:00:00Z",
  reasons: [
    { reason: "A personal attack", created_at: "2026-11-22T10:00:00Z" },
    { reason: "Not about the work", created_at: "2026-11-21T10:00:00Z" },
  ],
};

beforeEach(() => {
  vi.stubGlobal("WebSocket", vi.fn());
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the admin console", () => {
  it("tells a non-admin they are not allowed", async () => {
    renderApp("/admin", account("client"));
    expect(await screen.findByText("You are not allowed here")).toBeInTheDocument();
  });

  it("filters users by the address and suspends one with a reason", async () => {
    const api = account("admin");
    const { user, router } = renderApp("/admin?role=client", api);

    const row = await screen.findByRole("listitem", { name: /@sam/ });
    expect(api.calls("GET /v1/admin/users")[0]?.search).toContain("role=client");
    await user.selectOptions(screen.getByLabelText("Status"), "active");
    expect(router.state.location.search).toContain("status=active");

    await user.click(within(row).getByRole("button", { name: "Suspend @sam" }));
    const dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Suspend account" }));
    expect(await within(dialog).findByText(/Say why/)).toBeInTheDocument();
    expect(api.calls("PUT /v1/admin/users/user-sam/suspend")).toHaveLength(0);

    await user.type(within(dialog).getByLabelText("Reason"), "Spam in messages");
    await user.click(within(dialog).getByRole("button", { name: "Suspend account" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    const sent = JSON.parse(api.calls("PUT /v1/admin/users/user-sam/suspend")[0]!.body);
    expect(sent).toEqual({ reason: "Spam in messages", until: null });
    expect(await screen.findByText(/Spam in messages/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: /Lift the suspension of @sam/ })).toBeEnabled();
  });

  it("submits a dispute split only once it adds up to what is held", async () => {
    const api = account("admin");
    const { user } = renderApp("/admin/disputes", api);

    const refund = await screen.findByLabelText("Refund to the client (EUR)");
    const release = screen.getByLabelText("Release to the creator (EUR)");
    const submit = screen.getByRole("button", { name: "Settle the dispute" });
    expect(submit).toBeDisabled();

    await user.type(refund, "40");
    await user.type(release, "50");
    expect(screen.getByText(/10\.00 is left to assign/)).toBeInTheDocument();
    expect(submit).toBeDisabled();

    await user.clear(release);
    await user.type(release, "60");
    expect(screen.getByText(/Adds up to/)).toBeInTheDocument();
    await user.click(submit);
    await waitFor(() =>
      expect(api.calls("POST /v1/admin/disputes/dispute-1/resolve")).toHaveLength(1),
    );
    expect(JSON.parse(api.calls("POST /v1/admin/disputes/dispute-1/resolve")[0]!.body)).toEqual({
      refund: EUR("40.00"),
      release: EUR("60.00"),
      note: null,
    });
  });

  it("shows a flagged review with its reasons and hides it with a reason", async () => {
    const api = account("admin");
    const { user } = renderApp("/admin/reviews", api);

    const card = await screen.findByRole("listitem", { name: "Review by @ada" });
    expect(within(card).getByText("Terrible person, do not hire.")).toBeInTheDocument();
    expect(within(card).getByText("A personal attack")).toBeInTheDocument();
    expect(within(card).getByText("2 flags")).toBeInTheDocument();

    await user.type(within(card).getByLabelText("Reason for hiding"), "Insults, not a review");
    await user.click(within(card).getByRole("button", { name: "Hide it" }));
    await waitFor(() => expect(api.calls("POST /v1/admin/reviews/review-1/hide")).toHaveLength(1));
    expect(JSON.parse(api.calls("POST /v1/admin/reviews/review-1/hide")[0]!.body)).toEqual({
      reason: "Insults, not a review",
    });
    expect(api.calls("POST /v1/admin/reviews/review-1/dismiss-flags")).toHaveLength(0);
  });

  it("shows the reported content and settles the report in one click", async () => {
    const api = account("admin");
    const { user } = renderApp("/admin/reports", api);

    const card = await screen.findByRole("listitem", { name: /Report on a message by @ada/ });
    expect(within(card).getByText("Buy followers at spam.example")).toBeInTheDocument();

    await user.click(within(card).getByRole("button", { name: "Suspend the author" }));
    expect(within(card).getByText(/Write the reason/)).toBeInTheDocument();
    expect(api.calls("PUT /v1/admin/reports/report-1/resolve")).toHaveLength(0);

    await user.click(within(card).getByRole("button", { name: "Dismiss" }));
    await waitFor(() =>
      expect(api.calls("PUT /v1/admin/reports/report-1/resolve")).toHaveLength(1),
    );
    expect(JSON.parse(api.calls("PUT /v1/admin/reports/report-1/resolve")[0]!.body)).toEqual({
      action: "dismiss",
      note: "No breach of the rules found.",
    });
  });
});
