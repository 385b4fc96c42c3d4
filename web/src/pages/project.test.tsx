import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from "vitest";
import type { MilestoneOut, ProjectOut, ProposalOut } from "@/api/projects";
import { externalNavigation } from "@/components/order/external-navigation";
import {
  CLIENT_ID,
  CREATOR_ID,
  loggedIn,
  ORDER_ID,
  orderDetail,
  payment,
} from "@/components/order/test-fixtures";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { publicProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const PROJECT_ID = "3a1b6c00-0000-4000-8000-000000000001";
const PROPOSAL_ID = "3a1b6c00-0000-4000-8000-000000000002";
const CREATED = "2026-12-01T10:00:00Z";

function project(overrides: Partial<ProjectOut> = {}): ProjectOut {
  return {
    id: PROJECT_ID,
    client_id: CLIENT_ID,
    title: "Launch teaser for our app",
    description: "Thirty seconds from our footage.",
    category_id: 1,
    subcategory_id: null,
    budget_min: { currency: "EUR", value: "300.00" },
    budget_max: { currency: "EUR", value: "600.00" },
    deadline: "2027-01-10T23:59:59Z",
    required_skills: ["color grading"],
    attachments: [],
    attachment_files: [],
    status: "open",
    visibility: "invite_only",
    proposals_count: 1,
    views_count: 4,
    created_at: CREATED,
    updated_at: CREATED,
    ...overrides,
  };
}

function proposal(overrides: Partial<ProposalOut> = {}): ProposalOut {
  return {
    id: PROPOSAL_ID,
    project_id: PROJECT_ID,
    creator_id: CREATOR_ID,
    cover_letter: "I cut teasers every week.",
    price: { currency: "EUR", value: "450.00" },
    proposed_price: { currency: "EUR", value: "450.00" },
    delivery_days: 10,
    delivery_time: 10,
    status: "pending",
    is_shortlisted: false,
    attachments: [],
    attachment_files: [],
    milestones: [
      {
        title: "Rough cut",
        amount: { currency: "EUR", value: "150.00" },
        description: null,
        due_in_days: 5,
      },
      {
        title: "Final",
        amount: { currency: "EUR", value: "300.00" },
        description: null,
        due_in_days: null,
      },
    ],
    decided_at: null,
    created_at: CREATED,
    updated_at: CREATED,
    ...overrides,
  };
}

function page<T>(items: T[]) {
  return { items, total: items.length, page: 1, page_size: 100, total_pages: 1 };
}

function milestone(overrides: Partial<MilestoneOut> = {}): MilestoneOut {
  return {
    id: "milestone-1",
    order_id: ORDER_ID,
    position: 1,
    title: "Rough cut",
    description: null,
    amount: { currency: "EUR", value: "150.00" },
    status: "pending",
    due_date: null,
    funded_at: null,
    submitted_at: null,
    approved_at: null,
    submission_note: null,
    rejection_reason: null,
    deliverables: [],
    files: [],
    ...overrides,
  };
}

function ownerApi(proposals: ProposalOut[] = [proposal()]) {
  return loggedIn(new FakeApi(), "client")
    .on(`GET /v1/projects/${PROJECT_ID}`, () => json(200, project()))
    .on(`GET /v1/projects/${PROJECT_ID}/proposals`, () => json(200, page(proposals)))
    .on(`GET /v1/projects/${PROJECT_ID}/invites`, () => json(200, []))
    .on(`GET /v1/users/${CREATOR_ID}`, () => json(200, publicProfile({ id: CREATOR_ID })));
}

describe("the proposals board", () => {
  it("compares the proposals with the milestones each proposes", async () => {
    renderApp(`/projects/${PROJECT_ID}`, ownerApi());
    const card = await screen.findByRole("article", { name: /^Proposal from/ });
    expect(within(card).getByText("€450")).toBeInTheDocument();
    expect(within(card).getByText("10 days")).toBeInTheDocument();
    const proposed = within(card).getByRole("list", { name: /Milestones proposed/ });
    expect(
      within(proposed)
        .getAllByRole("listitem")
        .map((item) => item.textContent),
    ).toEqual(["1. Rough cut€150", "2. Final€300"]);
    expect(within(card).getByText("I cut teasers every week.")).toBeInTheDocument();
  });

  it("accepts: the order the answer names, planned with the milestones, is opened", async () => {
    const api = ownerApi()
      .on(`POST /v1/proposals/${PROPOSAL_ID}/accept`, () =>
        json(200, { ...proposal({ status: "accepted" }), order_id: ORDER_ID }),
      )
      .on(`GET /v1/orders/${ORDER_ID}`, () =>
        json(200, orderDetail({ status: "pending_payment", uses_milestones: true })),
      )
      .on(`GET /v1/orders/${ORDER_ID}/milestones`, () => json(200, [milestone()]));
    const { user, router } = renderApp(`/projects/${PROJECT_ID}`, api);

    await user.click(await screen.findByRole("button", { name: /^Accept .*proposal$/ }));
    const dialog = await screen.findByRole("dialog");
    expect(dialog).toHaveTextContent("in 2 milestones");
    await user.click(within(dialog).getByRole("button", { name: "Accept and create the order" }));

    await waitFor(() => expect(router.state.location.pathname).toBe(`/orders/${ORDER_ID}`));
    // The API plans the order itself: nothing else is sent.
    expect(api.calls(`POST /v1/proposals/${PROPOSAL_ID}/accept`)).toHaveLength(1);
    expect(api.calls(`POST /v1/orders/${ORDER_ID}/milestones`)).toHaveLength(0);
  });

  it("keeps the dialog open with the API's refusal", async () => {
    const api = ownerApi().on(`POST /v1/proposals/${PROPOSAL_ID}/accept`, () =>
      apiError(409, "invalid_transition", "This proposal was withdrawn."),
    );
    const { user } = renderApp(`/projects/${PROJECT_ID}`, api);
    await user.click(await screen.findByRole("button", { name: /^Accept .*proposal$/ }));
    const dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Accept and create the order" }));
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "This proposal was withdrawn.",
    );
  });
});

describe("the proposal form", () => {
  it("checks the milestones against the price live and sends them with the proposal", async () => {
    const api = loggedIn(new FakeApi(), "creator")
      .on(`GET /v1/projects/${PROJECT_ID}`, () => json(200, project()))
      .on(`GET /v1/projects/${PROJECT_ID}/proposals`, () => json(200, page([])))
      .on("POST /v1/proposals", () => json(201, proposal()));
    const { user } = renderApp(`/projects/${PROJECT_ID}`, api);

    await user.type(
      await screen.findByLabelText("Cover letter"),
      "I cut teasers every week, fast and graded.",
    );
    await user.type(screen.getByLabelText("Price (EUR)"), "450");
    await user.type(screen.getByLabelText("Delivery in days"), "10");
    await user.click(screen.getByRole("button", { name: "Add a milestone" }));
    await user.click(screen.getByRole("button", { name: "Add a milestone" }));
    await user.type(screen.getByLabelText("Milestone 1 title"), "Rough cut");
    const amounts = screen.getAllByLabelText("Amount (EUR)");
    await user.type(amounts[0]!, "150");
    await user.type(screen.getByLabelText("Milestone 2 title"), "Final");
    await user.type(amounts[1]!, "200");
    expect(screen.getByText(/€100(\.00)? left to assign/)).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Send proposal" }));
    expect(await screen.findByText(/together they make the price/)).toBeInTheDocument();
    expect(api.calls("POST /v1/proposals")).toHaveLength(0);

    await user.clear(amounts[1]!);
    await user.type(amounts[1]!, "300");
    expect(screen.getByText(/Milestones add up to €450/)).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Send proposal" }));
    await waitFor(() => expect(api.calls("POST /v1/proposals")).toHaveLength(1));
    expect(JSON.parse(api.calls("POST /v1/proposals")[0]!.body)).toEqual({
      project_id: PROJECT_ID,
      cover_letter: "I cut teasers every week, fast and graded.",
      price: { currency: "EUR", value: "450.00" },
      delivery_days: 10,
      milestones: [
        { title: "Rough cut", amount: { currency: "EUR", value: "150.00" } },
        { title: "Final", amount: { currency: "EUR", value: "300.00" } },
      ],
    });
  });
});

describe("the milestones of an order", () => {
  let assign: MockInstance<(url: string) => void>;
  beforeEach(() => {
    assign = vi.spyOn(externalNavigation, "assign").mockImplementation(() => undefined);
  });
  afterEach(() => {
    assign.mockRestore();
  });

  function orderApi(milestones: MilestoneOut[]) {
    return loggedIn(new FakeApi(), "client")
      .on(`GET /v1/orders/${ORDER_ID}`, () =>
        json(
          200,
          orderDetail({
            status: "pending_payment",
            uses_milestones: true,
            proposal_id: PROPOSAL_ID,
            amount: { currency: "EUR", value: "450.00" },
          }),
        ),
      )
      .on(`GET /v1/orders/${ORDER_ID}/milestones`, () => json(200, milestones));
  }

  const two = [
    milestone(),
    milestone({
      id: "milestone-2",
      position: 2,
      title: "Final",
      amount: { currency: "EUR", value: "300.00" },
    }),
  ];

  it("funds a milestone through the provider's checkout, with an Idempotency-Key", async () => {
    const keys: (string | null)[] = [];
    const api = orderApi(two).on("POST /v1/milestones/milestone-1/fund", (request) => {
      keys.push(request.headers.get("Idempotency-Key"));
      return json(201, payment({ milestone_id: "milestone-1" }));
    });
    const { user } = renderApp(`/orders/${ORDER_ID}`, api);
    // The whole-order payment is not offered: milestones are paid one by one.
    expect(await screen.findByRole("list", { name: "Milestones" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Pay now/ })).not.toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: /^Fund Rough cut/ }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://pay.test/checkout/payment-1"));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("changes the unfunded amounts only when they still make the order's total", async () => {
    const api = orderApi(two).on(`PUT /v1/orders/${ORDER_ID}/milestones`, () => json(200, two));
    const { user } = renderApp(`/orders/${ORDER_ID}`, api);
    await user.click(await screen.findByRole("button", { name: "Change the amounts" }));
    const form = screen.getByRole("form", { name: "Change the amounts" });
    const amounts = within(form).getAllByLabelText("Amount (EUR)");
    await user.clear(amounts[0]!);
    await user.type(amounts[0]!, "100");
    expect(within(form).getByText(/€50(\.00)? left to assign/)).toBeInTheDocument();
    expect(within(form).getByRole("button", { name: "Save amounts" })).toBeDisabled();
    await user.clear(amounts[1]!);
    await user.type(amounts[1]!, "350");
    await user.click(within(form).getByRole("button", { name: "Save amounts" }));
    await waitFor(() => expect(api.calls(`PUT /v1/orders/${ORDER_ID}/milestones`)).toHaveLength(1));
    expect(JSON.parse(api.calls(`PUT /v1/orders/${ORDER_ID}/milestones`)[0]!.body)).toEqual({
      milestones: [
        { id: "milestone-1", amount: { currency: "EUR", value: "100.00" } },
        { id: "milestone-2", amount: { currency: "EUR", value: "350.00" } },
      ],
    });
  });
});

describe("handing in and approving a milestone", () => {
  function orderApi(as: "client" | "creator", milestones: MilestoneOut[]) {
    return loggedIn(new FakeApi(), as)
      .on(`GET /v1/orders/${ORDER_ID}`, () =>
        json(200, orderDetail({ status: "in_progress", uses_milestones: true })),
      )
      .on(`GET /v1/orders/${ORDER_ID}/milestones`, () => json(200, milestones));
  }

  it("lets the creator submit a funded milestone with a note and links", async () => {
    const funded = milestone({ status: "funded", funded_at: CREATED });
    const api = orderApi("creator", [funded]).on("POST /v1/milestones/milestone-1/submit", () =>
      json(200, { ...funded, status: "submitted" }),
    );
    const { user } = renderApp(`/orders/${ORDER_ID}`, api);
    await user.click(await screen.findByRole("button", { name: "Submit milestone" }));
    expect(await screen.findByText("Tell the client what you hand in.")).toBeInTheDocument();
    await user.type(screen.getByLabelText("Note to the client"), "The rough cut.");
    await user.type(
      screen.getByLabelText("Links to the work (one a line, optional)"),
      "https://vimeo.com/1",
    );
    await user.click(screen.getByRole("button", { name: "Submit milestone" }));
    await waitFor(() =>
      expect(api.calls("POST /v1/milestones/milestone-1/submit")).toHaveLength(1),
    );
    expect(JSON.parse(api.calls("POST /v1/milestones/milestone-1/submit")[0]!.body)).toEqual({
      note: "The rough cut.",
      deliverables: ["https://vimeo.com/1"],
      upload_ids: [],
    });
  });

  it("lets the client approve a submitted milestone, or send it back with a reason", async () => {
    const submitted = milestone({
      status: "submitted",
      submission_note: "The rough cut.",
      submitted_at: CREATED,
    });
    const api = orderApi("client", [submitted])
      .on("POST /v1/milestones/milestone-1/reject", () =>
        json(200, { ...submitted, status: "funded" }),
      )
      .on("POST /v1/milestones/milestone-1/approve", () =>
        json(200, { ...submitted, status: "approved" }),
      );
    const { user } = renderApp(`/orders/${ORDER_ID}`, api);
    expect(await screen.findByText("The rough cut.")).toBeInTheDocument();

    await user.click(screen.getByRole("button", { name: "Request changes to Rough cut" }));
    let dialog = await screen.findByRole("dialog");
    await user.type(within(dialog).getByLabelText("What should change"), "Shorter intro.");
    await user.click(within(dialog).getByRole("button", { name: "Send back" }));
    await waitFor(() =>
      expect(api.calls("POST /v1/milestones/milestone-1/reject")).toHaveLength(1),
    );
    expect(JSON.parse(api.calls("POST /v1/milestones/milestone-1/reject")[0]!.body)).toEqual({
      reason: "Shorter intro.",
      comment_ids: [],
      include_open_comments: false,
    });
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    await user.click(screen.getByRole("button", { name: "Approve Rough cut" }));
    dialog = await screen.findByRole("dialog");
    await user.click(within(dialog).getByRole("button", { name: "Approve and release" }));
    await waitFor(() =>
      expect(api.calls("POST /v1/milestones/milestone-1/approve")).toHaveLength(1),
    );
  });
});

describe("where the notifications point", () => {
  it("opens a proposal on its project's page", async () => {
    const api = ownerApi().on(`GET /v1/proposals/${PROPOSAL_ID}`, () => json(200, proposal()));
    const { router } = renderApp(`/proposals/${PROPOSAL_ID}`, api);
    await waitFor(() => expect(router.state.location.pathname).toBe(`/projects/${PROJECT_ID}`));
    expect(await screen.findByRole("article", { name: /^Proposal from/ })).toBeInTheDocument();
  });

  it("shows a project's proposals at /projects/:id/proposals", async () => {
    renderApp(`/projects/${PROJECT_ID}/proposals`, ownerApi());
    expect(await screen.findByRole("article", { name: /^Proposal from/ })).toBeInTheDocument();
  });
});

describe("the proposal form's refusals", () => {
  it("shows the API's milestone refusal next to the milestones", async () => {
    const api = loggedIn(new FakeApi(), "creator")
      .on(`GET /v1/projects/${PROJECT_ID}`, () => json(200, project()))
      .on(`GET /v1/projects/${PROJECT_ID}/proposals`, () => json(200, page([])))
      .on("POST /v1/proposals", () =>
        apiError(
          422,
          "proposal_milestones_do_not_add_up",
          "The proposal's milestones must add up exactly to its price.",
        ),
      );
    const { user } = renderApp(`/projects/${PROJECT_ID}`, api);
    await user.type(await screen.findByLabelText("Cover letter"), "I cut teasers every week.");
    await user.type(screen.getByLabelText("Price (EUR)"), "100");
    await user.type(screen.getByLabelText("Delivery in days"), "3");
    await user.click(screen.getByRole("button", { name: "Add a milestone" }));
    await user.type(screen.getByLabelText("Milestone 1 title"), "All of it");
    await user.type(screen.getByLabelText("Amount (EUR)"), "100");
    await user.click(screen.getByRole("button", { name: "Send proposal" }));
    expect(await screen.findByText(/must add up exactly to its price/)).toBeInTheDocument();
  });
});

describe("my proposals", () => {
  const mine = {
    ...proposal({ status: "accepted", decided_at: CREATED }),
    project_title: "Launch teaser for our app",
  };

  it("lists the proposals I sent with their project, and filters by status", async () => {
    const api = loggedIn(new FakeApi(), "creator").on("GET /v1/proposals/mine", () =>
      json(200, page([mine])),
    );
    const { user } = renderApp("/proposals/mine", api);
    const item = await screen.findByRole("article", { name: "Launch teaser for our app" });
    expect(within(item).getByRole("link", { name: "Launch teaser for our app" })).toHaveAttribute(
      "href",
      `/projects/${PROJECT_ID}`,
    );
    expect(item).toHaveTextContent("€450 · 10 days · 2 milestones");
    expect(within(item).getByText("Accepted")).toBeInTheDocument();

    await user.selectOptions(screen.getByLabelText("Status"), "pending");
    await waitFor(() =>
      expect(api.calls("GET /v1/proposals/mine").at(-1)?.search).toContain("status=pending"),
    );
  });

  it("says so when there are none", async () => {
    const api = loggedIn(new FakeApi(), "creator").on("GET /v1/proposals/mine", () =>
      json(200, page([])),
    );
    renderApp("/proposals/mine", api);
    expect(await screen.findByText("No proposals yet")).toBeInTheDocument();
  });
});
