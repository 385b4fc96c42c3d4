import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { DeliveryOut } from "@/api/orders";
import type { MilestoneOut } from "@/api/projects";
import { thread } from "@/components/review/test-fixtures";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { renderApp } from "@/test/render";
import { isLatestOfMilestone } from "./milestone-review-model";
import { delivery, loggedIn, ORDER_ID, orderDetail, videoDeliverable } from "./test-fixtures";

const PATH = `/orders/${ORDER_ID}`;
const MILESTONES = `GET /v1/orders/${ORDER_ID}/milestones`;
const REJECT = "POST /v1/milestones/milestone-1/reject";
const APPROVE = "POST /v1/milestones/milestone-1/approve";

function milestone(overrides: Partial<MilestoneOut> = {}): MilestoneOut {
  return {
    id: "milestone-1",
    order_id: ORDER_ID,
    position: 1,
    title: "Rough cut",
    description: null,
    amount: { currency: "EUR", value: "100.00" },
    status: "submitted",
    due_date: null,
    funded_at: "2026-11-20T09:00:00Z",
    submitted_at: "2026-11-21T09:00:00Z",
    approved_at: null,
    submission_note: "Here is your film!",
    rejection_reason: null,
    deliverables: [],
    files: [],
    ...overrides,
  };
}

function submission(overrides: Partial<DeliveryOut> = {}): DeliveryOut {
  return delivery({
    milestone_id: "milestone-1",
    deliverables: [videoDeliverable({ milestone_id: "milestone-1" })],
    ...overrides,
  });
}

function milestoneOrder(status = "submitted", as: "client" | "creator" = "client") {
  const order = orderDetail({
    status: "in_progress",
    uses_milestones: true,
    proposal_id: "proposal-1",
    deliveries: [submission()],
  });
  return loggedIn(new FakeApi(), as)
    .on(`GET /v1/orders/${ORDER_ID}`, () => json(200, order))
    .on(MILESTONES, () => json(200, [milestone({ status })]))
    .on("GET /v1/deliveries/delivery-1/comments", () => json(200, [thread()]))
    .on("POST /v1/ws/ticket", () => json(200, { ticket: "T-1", expires_in: 45 }));
}

describe("a milestone's submission, in the review", () => {
  it("opens in the video review with the client's decision beside it", async () => {
    renderApp(PATH, milestoneOrder());

    const deliveries = await screen.findByRole("region", { name: "Deliveries" });
    expect(await within(deliveries).findByText("Rough cut")).toBeInTheDocument();
    expect(await within(deliveries).findByTestId("delivery-review")).toBeInTheDocument();
    expect(
      await within(deliveries).findByRole("listitem", { name: "Comment at 00:05" }),
    ).toBeInTheDocument();
    expect(within(deliveries).getByRole("button", { name: "Approve milestone" })).toBeEnabled();
    expect(within(deliveries).getByRole("button", { name: "Request changes" })).toBeEnabled();
  });

  it("requests changes bundling the open comments", async () => {
    const api = milestoneOrder().on(REJECT, () => json(200, milestone({ status: "funded" })));
    const { user } = renderApp(PATH, api);

    const deliveries = await screen.findByRole("region", { name: "Deliveries" });
    await within(deliveries).findByRole("listitem", { name: "Comment at 00:05" });
    await user.click(within(deliveries).getByRole("button", { name: "Request changes" }));
    const dialog = await screen.findByRole("dialog", { name: "Request changes to “Rough cut”" });
    expect(within(dialog).getByText(/Include the 1 open comment/)).toBeInTheDocument();
    await user.type(within(dialog).getByLabelText("What should change"), "Tighter.");
    await user.click(within(dialog).getByRole("button", { name: "Request changes" }));

    await waitFor(() => expect(api.calls(REJECT)).toHaveLength(1));
    expect(JSON.parse(api.calls(REJECT)[0]!.body)).toEqual({
      reason: "Tighter.",
      comment_ids: [],
      include_open_comments: true,
    });
  });

  it("approves the milestone, and shows the API's refusal in the dialog", async () => {
    const api = milestoneOrder().on(APPROVE, () =>
      apiError(409, "invalid_transition", "This milestone is funded."),
    );
    const { user } = renderApp(PATH, api);

    const deliveries = await screen.findByRole("region", { name: "Deliveries" });
    await user.click(await within(deliveries).findByRole("button", { name: "Approve milestone" }));
    const dialog = await screen.findByRole("dialog", { name: "Approve “Rough cut”?" });
    await user.click(within(dialog).getByRole("button", { name: "Approve and release payment" }));

    expect(await within(dialog).findByText("This milestone is funded.")).toBeInTheDocument();
    expect(api.calls(APPROVE)).toHaveLength(1);
  });

  it("offers no decision once approved, nor to the creator", async () => {
    renderApp(PATH, milestoneOrder("approved"));
    const deliveries = await screen.findByRole("region", { name: "Deliveries" });
    expect(await within(deliveries).findByText("(approved)", { exact: false })).toBeInTheDocument();
    expect(within(deliveries).queryByRole("button", { name: "Approve milestone" })).toBeNull();

    renderApp(PATH, milestoneOrder("submitted", "creator"));
    expect(await screen.findAllByText("Rough cut")).not.toHaveLength(0);
    expect(screen.queryByRole("button", { name: "Request changes" })).toBeNull();
  });
});

describe("isLatestOfMilestone", () => {
  it("picks the milestone's last submission, whatever else was delivered", () => {
    const first = submission({ id: "a" });
    const other = submission({ id: "b", milestone_id: "milestone-2" });
    const second = submission({ id: "c" });
    const all = [first, other, second];
    expect(isLatestOfMilestone(second, all)).toBe(true);
    expect(isLatestOfMilestone(first, all)).toBe(false);
    expect(isLatestOfMilestone(other, all)).toBe(true);
  });
});
