import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { OrderDetail, OrderReviews, ReviewCreate } from "@/api/orders";
import {
  CLIENT_ID,
  CREATOR_ID,
  delivery,
  event,
  loggedIn,
  ORDER_ID,
  orderDetail,
  payment,
  videoDeliverable,
} from "@/components/order/test-fixtures";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { review } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const ORDER = `GET /v1/orders/${ORDER_ID}`;
const DELIVERABLES = `GET /v1/orders/${ORDER_ID}/deliverables`;
const REVIEWS = `GET /v1/orders/${ORDER_ID}/reviews`;
const PATH = `/orders/${ORDER_ID}`;

function orders(order: OrderDetail, as: "client" | "creator" = "client") {
  return loggedIn(new FakeApi(), as).on(ORDER, () => json(200, order));
}

describe("a delivered order, for its client", () => {
  it("shows the delivery and the client's choices", async () => {
    const api = orders(orderDetail({ revisions_used: 1 }));
    renderApp(PATH, api);

    expect(
      await screen.findByRole("heading", {
        level: 1,
        name: "I will edit your wedding highlight film",
      }),
    ).toBeInTheDocument();
    const deliveries = screen.getByRole("region", { name: "Deliveries" });
    expect(await within(deliveries).findByText("Here is your film!")).toBeInTheDocument();
    const video = await within(deliveries).findByLabelText("final-cut.mp4");
    expect(video.tagName).toBe("VIDEO");
    expect(video).toHaveAttribute("poster", "https://cdn.test/signed/final-cut-poster.jpg");
    expect(screen.getByRole("button", { name: "Approve delivery" })).toBeEnabled();
    expect(screen.getByRole("button", { name: "Request a revision" })).toBeEnabled();
    expect(screen.getByText("2 revisions left of 3.")).toBeInTheDocument();
    expect(api.calls(DELIVERABLES)).toHaveLength(0); // the deliveries come with the order
  });

  it("lists each delivery with its own files, newest first", async () => {
    const first = delivery({ message: "First cut." });
    const second = delivery({
      id: "delivery-2",
      message: "Shorter intro, as asked.",
      revision_number: 1,
      created_at: "2026-11-24T09:00:00Z",
      deliverables: [
        videoDeliverable({ id: "deliverable-2", delivery_id: "delivery-2", title: "v2.mp4" }),
        videoDeliverable({
          id: "deliverable-3",
          delivery_id: "delivery-2",
          title: "Also on Vimeo",
          url: "https://vimeo.com/3",
          file: null,
        }),
      ],
    });
    renderApp(PATH, orders(orderDetail({ revisions_used: 1, deliveries: [first, second] })));

    const deliveries = await screen.findByRole("region", { name: "Deliveries" });
    const headings = within(deliveries).getAllByRole("heading", { level: 3 });
    expect(headings).toHaveLength(2);
    expect(headings[0]).toHaveTextContent(/^Delivery 2/);
    expect(headings[1]).toHaveTextContent(/^Delivery 1/);
    const [newest, oldest] = headings.map((heading) => within(heading.closest("li")!));
    expect(newest!.getByText("After a revision request")).toBeInTheDocument();
    expect(newest!.getByText("Shorter intro, as asked.")).toBeInTheDocument();
    const newestFiles = within(newest!.getByRole("list", { name: "Files of delivery 2" }));
    expect(newestFiles.getByLabelText("v2.mp4")).toBeInTheDocument();
    expect(newestFiles.getByRole("link", { name: "Also on Vimeo" })).toHaveAttribute(
      "href",
      "https://vimeo.com/3",
    );
    expect(oldest!.getByText("First cut.")).toBeInTheDocument();
    const oldestFiles = within(oldest!.getByRole("list", { name: "Files of delivery 1" }));
    expect(oldestFiles.getByLabelText("final-cut.mp4")).toBeInTheDocument();
    expect(oldestFiles.queryByLabelText("v2.mp4")).not.toBeInTheDocument();
  });

  it("asks for a reason before requesting a revision, and sends it", async () => {
    const revised = orderDetail({
      status: "revision_requested",
      revisions_used: 1,
      events: [
        ...orderDetail().events,
        event({
          kind: "revision_requested",
          from_status: "delivered",
          to_status: "revision_requested",
          note: "Shorter intro, please.",
          created_at: "2026-11-23T12:00:00Z",
        }),
      ],
    });
    let current = orderDetail();
    const api = orders(current)
      .on(ORDER, () => json(200, current))
      .on(`POST /v1/orders/${ORDER_ID}/request-revision`, () => {
        current = revised;
        return json(200, current);
      });
    const { user } = renderApp(PATH, api);

    await user.click(await screen.findByRole("button", { name: "Request a revision" }));
    const dialog = await screen.findByRole("dialog", { name: "Request a revision" });
    expect(dialog).toHaveAccessibleDescription(
      "Tell the creator what to change. You have used 0 of 3 revisions.",
    );
    await user.click(within(dialog).getByRole("button", { name: "Request revision" }));
    expect(await within(dialog).findByText("Give a reason.")).toBeInTheDocument();
    expect(api.calls(`POST /v1/orders/${ORDER_ID}/request-revision`)).toHaveLength(0);

    await user.type(within(dialog).getByLabelText("What should change"), "Shorter intro, please.");
    await user.click(within(dialog).getByRole("button", { name: "Request revision" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(JSON.parse(api.calls(`POST /v1/orders/${ORDER_ID}/request-revision`)[0]!.body)).toEqual({
      reason: "Shorter intro, please.",
      comment_ids: [],
      include_open_comments: false,
    });
    expect(screen.queryByRole("button", { name: "Approve delivery" })).not.toBeInTheDocument();
    expect(screen.getAllByText("Revision requested").length).toBeGreaterThan(0);
  });

  it("explains why no revision can be asked once all are used", async () => {
    renderApp(PATH, orders(orderDetail({ revisions_used: 3 })));

    expect(await screen.findByRole("button", { name: "Request a revision" })).toBeDisabled();
    expect(
      screen.getByText("No revisions left: this order included 3 revisions, all used."),
    ).toBeInTheDocument();
  });
});

describe("an order, for its creator", () => {
  it("offers no client actions on a delivered order", async () => {
    renderApp(PATH, orders(orderDetail(), "creator"));

    expect(await screen.findByRole("region", { name: "Deliveries" })).toBeInTheDocument();
    expect(screen.getByText("You earn")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Approve delivery" })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Request a revision" })).not.toBeInTheDocument();
    expect(screen.queryByRole("region", { name: "Deliver work" })).not.toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Ask to cancel" })).toBeInTheDocument();
  });

  it("offers to deliver work while the order is in progress, and asks for a message", async () => {
    const api = orders(orderDetail({ status: "in_progress" }), "creator").on(DELIVERABLES, () =>
      json(200, []),
    );
    const { user } = renderApp(PATH, api);

    const deliver = await screen.findByRole("region", { name: "Deliver work" });
    await user.click(within(deliver).getByRole("button", { name: "Deliver work" }));

    expect(
      await within(deliver).findByText("Tell the client what you are delivering."),
    ).toBeInTheDocument();
    expect(api.calls(`POST /v1/orders/${ORDER_ID}/deliver`)).toHaveLength(0);
  });
});

describe("coming back from the payment provider", () => {
  it("polls the order until the payment is confirmed", async () => {
    let asked = 0;
    const api = loggedIn(new FakeApi())
      .on(ORDER, () => {
        asked += 1;
        return json(200, orderDetail({ status: asked < 2 ? "pending_payment" : "in_progress" }));
      })
      .on("GET /v1/payments/payment-1", () =>
        json(200, payment({ status: asked < 2 ? "open" : "paid" })),
      );
    renderApp(`${PATH}?payment=payment-1`, api);

    expect(await screen.findByText(/Confirming your payment…/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Pay now (€240)" })).toBeDisabled();

    expect(
      await screen.findByText(/your payment arrived/, {}, { timeout: 5000 }),
    ).toBeInTheDocument();
    expect(screen.queryByText(/Confirming your payment…/)).not.toBeInTheDocument();
    expect(api.calls(ORDER).length).toBeGreaterThanOrEqual(2);
  });

  it("says when the payment did not go through, and offers to pay again", async () => {
    const api = loggedIn(new FakeApi())
      .on(ORDER, () => json(200, orderDetail({ status: "pending_payment" })))
      .on("GET /v1/payments/payment-1", () => json(200, payment({ status: "canceled" })));
    renderApp(`${PATH}?payment=payment-1`, api);

    expect(
      await screen.findByText(/You cancelled the payment: nothing was charged/),
    ).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Pay now (€240)" })).toBeEnabled();
  });
});

const CLIENT_REVIEWER = {
  id: CLIENT_ID,
  username: "sam",
  full_name: "Sam Client",
  avatar_url: null,
};
const CREATOR_REVIEWER = {
  id: CREATOR_ID,
  username: "maya-edits",
  full_name: "Maya Jensen",
  avatar_url: null,
};

/** The client's review of the creator, and the creator's of the client. */
const byClient = review({ order_id: ORDER_ID, reviewer: CLIENT_REVIEWER, reply: null });
const byCreator = review({
  id: "review-2",
  order_id: ORDER_ID,
  gig_id: null,
  reviewee_id: CLIENT_ID,
  reviewer: CREATOR_REVIEWER,
  comment: "Clear brief, quick feedback.",
  reply: null,
});

/** A completed order whose reviews answer `reviews` (asked again after a review is posted). */
function completed(reviews: () => OrderReviews, as: "client" | "creator" = "client") {
  return orders(orderDetail({ status: "completed" }), as).on(REVIEWS, () => json(200, reviews()));
}

async function fillReview(
  user: ReturnType<typeof renderApp>["user"],
  [overall, second, third, fourth]: [string, string, string, string],
  labels: [string, string, string],
) {
  const pick = (group: string, stars: string) =>
    user.click(
      within(screen.getByRole("group", { name: group })).getByRole("radio", { name: stars }),
    );
  await pick("Overall", overall);
  await pick(labels[0], second);
  await pick(labels[1], third);
  await pick(labels[2], fourth);
}

describe("reviewing a completed order, as its client", () => {
  it("asks for every rating before posting", async () => {
    const api = completed(() => ({ mine: null, theirs: null }));
    const { user } = renderApp(PATH, api);

    expect(
      await screen.findByText("How did it go? Your review helps other clients choose."),
    ).toBeInTheDocument();
    await user.click(screen.getByRole("button", { name: "Post review" }));

    expect(await screen.findAllByText("Choose from 1 to 5 stars.")).toHaveLength(4);
    expect(screen.getByRole("group", { name: "Overall" })).toHaveAttribute("aria-invalid", "true");
    expect(api.calls("POST /v1/reviews")).toHaveLength(0);
  });

  it("posts the review and then shows it, hidden from the creator for now", async () => {
    let reviews: OrderReviews = { mine: null, theirs: null };
    const api = completed(() => reviews).on("POST /v1/reviews", async (request) => {
      const body = (await request.json()) as ReviewCreate;
      reviews = {
        mine: { ...byClient, ...body, published: false, published_at: null },
        theirs: null,
      };
      return json(201, reviews.mine);
    });
    const { user } = renderApp(PATH, api);

    await screen.findByRole("button", { name: "Post review" });
    await fillReview(
      user,
      ["4 stars", "5 stars", "4 stars", "3 stars"],
      ["Communication", "Quality of the work", "Delivery on time"],
    );
    expect(
      within(screen.getByRole("group", { name: "Overall" })).getByRole("radio", {
        name: "4 stars",
      }),
    ).toBeChecked();
    await user.type(screen.getByLabelText("Your review (optional)"), "Lovely film.");
    await user.click(screen.getByRole("button", { name: "Post review" }));

    expect(
      await screen.findByText(/Only you can see it for now: it is shown once the creator reviews/),
    ).toBeInTheDocument();
    expect(screen.getByRole("img", { name: "Rated 4.0 out of 5" })).toBeInTheDocument();
    expect(JSON.parse(api.calls("POST /v1/reviews")[0]!.body)).toEqual({
      order_id: ORDER_ID,
      rating: 4,
      communication_rating: 5,
      quality_rating: 4,
      timeliness_rating: 3,
      comment: "Lovely film.",
    });
    expect(screen.queryByRole("button", { name: "Post review" })).not.toBeInTheDocument();
    await waitFor(() => expect(api.calls(REVIEWS)).toHaveLength(2)); // asked again after posting
    expect(screen.queryByRole("region", { name: /review of you/ })).not.toBeInTheDocument();
  });

  it("shows both reviews once both are published", async () => {
    renderApp(
      PATH,
      completed(() => ({ mine: byClient, theirs: byCreator })),
    );

    expect(await screen.findByText("Beautiful film, delivered early.")).toBeInTheDocument();
    const mine = screen.getByRole("region", { name: "Your review" });
    expect(within(mine).getByText("Beautiful film, delivered early.")).toBeInTheDocument();
    expect(within(mine).getByText("Quality of the work")).toBeInTheDocument();
    const theirs = screen.getByRole("region", { name: "The creator’s review of you" });
    expect(within(theirs).getByText("Clear brief, quick feedback.")).toBeInTheDocument();
    expect(within(theirs).getByText("Clarity of the brief")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Post review" })).not.toBeInTheDocument();
    expect(screen.queryByText(/Only you can see it/)).not.toBeInTheDocument();
  });

  it("says reviews are closed when the other party's was published without one", async () => {
    renderApp(
      PATH,
      completed(() => ({ mine: null, theirs: byCreator })),
    );

    expect(await screen.findByText("Reviews for this order are closed.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Post review" })).not.toBeInTheDocument();
    expect(screen.getByRole("region", { name: "The creator’s review of you" })).toBeInTheDocument();
  });

  it("shows the API's error when the reviews cannot be loaded, and retries", async () => {
    let failing = true;
    const api = orders(orderDetail({ status: "completed" })).on(REVIEWS, () =>
      failing
        ? apiError(503, "service_unavailable", "The database is busy.")
        : json(200, { mine: null, theirs: null }),
    );
    const { user } = renderApp(PATH, api);

    const alert = await screen.findByRole("alert");
    expect(within(alert).getByText("Could not load the reviews")).toBeInTheDocument();
    failing = false;
    await user.click(within(alert).getByRole("button", { name: /try again/i }));
    expect(await screen.findByRole("button", { name: "Post review" })).toBeInTheDocument();
  });
});

describe("reviewing a completed order, as its creator", () => {
  it("asks how working with the client was, and shows the client's review once both are in", async () => {
    let reviews: OrderReviews = { mine: null, theirs: null };
    const api = completed(() => reviews, "creator").on("POST /v1/reviews", async (request) => {
      const body = (await request.json()) as ReviewCreate;
      // The client reviewed already: this second review publishes both.
      reviews = { mine: { ...byCreator, ...body }, theirs: byClient };
      return json(201, reviews.mine);
    });
    const { user } = renderApp(PATH, api);

    expect(await screen.findByText(/How was working with this client\?/)).toBeInTheDocument();
    expect(screen.getByText(/What was it like to work with this client\?/)).toBeInTheDocument();
    await fillReview(
      user,
      ["5 stars", "5 stars", "4 stars", "5 stars"],
      ["Communication", "Clarity of the brief", "Feedback on time"],
    );
    await user.type(screen.getByLabelText("Your review (optional)"), "A pleasure.");
    await user.click(screen.getByRole("button", { name: "Post review" }));

    const theirs = await screen.findByRole("region", { name: "The client’s review of you" });
    expect(within(theirs).getByText("Beautiful film, delivered early.")).toBeInTheDocument();
    expect(
      within(screen.getByRole("region", { name: "Your review" })).getByText("A pleasure."),
    ).toBeInTheDocument();
    expect(JSON.parse(api.calls("POST /v1/reviews")[0]!.body)).toEqual({
      order_id: ORDER_ID,
      rating: 5,
      communication_rating: 5,
      quality_rating: 4,
      timeliness_rating: 5,
      comment: "A pleasure.",
    });
  });
});
