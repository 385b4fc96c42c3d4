import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { externalNavigation } from "@/components/order/external-navigation";
import { loggedIn, ORDER_ID, orderDetail, payment } from "@/components/order/test-fixtures";
import { apiError, EMAIL_NOT_VERIFIED, emailNotVerified, FakeApi, json } from "@/test/fake-api";
import { gigOut } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const PATH = "/orders/new?gig=wedding-highlight-film&package=pkg-standard";
const CONTINUE = "Continue to payment (€240)";

function shop() {
  return loggedIn(new FakeApi()).on("GET /v1/gigs/wedding-highlight-film", () =>
    json(200, gigOut()),
  );
}

let assign: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  assign = vi.spyOn(externalNavigation, "assign").mockImplementation(() => undefined);
});
afterEach(() => {
  assign.mockRestore();
});

describe("ordering a package", () => {
  it("shows the chosen package and asks for requirements before placing anything", async () => {
    const api = shop();
    const { user } = renderApp(PATH, api);

    expect(
      await screen.findByRole("heading", {
        name: "Standard: I will edit your wedding highlight film",
      }),
    ).toBeInTheDocument();
    expect(screen.getByText("by Maya Jensen")).toBeInTheDocument();
    expect(screen.getByText("5 days")).toBeInTheDocument();
    expect(screen.getByRole("list", { name: "Included in Standard" })).toHaveTextContent(
      "1080p master",
    );

    await user.click(screen.getByRole("button", { name: CONTINUE }));

    expect(await screen.findByText("Tell the creator what you need.")).toBeInTheDocument();
    expect(screen.getByLabelText("What do you need?")).toHaveAttribute("aria-invalid", "true");
    expect(api.calls("POST /v1/orders")).toHaveLength(0);
  });

  it("places the order, starts the checkout with an Idempotency-Key and goes to pay", async () => {
    const keys: (string | null)[] = [];
    const api = shop()
      .on("POST /v1/orders", () => json(201, orderDetail({ status: "pending_payment" })))
      .on("POST /v1/payments/checkout", (request) => {
        keys.push(request.headers.get("Idempotency-Key"));
        return json(201, payment());
      });
    const { user } = renderApp(PATH, api);

    await user.type(
      await screen.findByLabelText("What do you need?"),
      "  A 3-minute film, upbeat music.  ",
    );
    await user.click(screen.getByRole("button", { name: CONTINUE }));

    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://pay.test/checkout/payment-1"));
    expect(JSON.parse(api.calls("POST /v1/orders")[0]!.body)).toEqual({
      gig_id: "gig-wedding-highlight-film",
      package_id: "pkg-standard",
      requirements: "A 3-minute film, upbeat music.",
    });
    expect(JSON.parse(api.calls("POST /v1/payments/checkout")[0]!.body)).toEqual({
      order_id: ORDER_ID,
    });
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    const order = api.seen.findIndex((seen) => seen.path === "/v1/orders");
    const checkout = api.seen.findIndex((seen) => seen.path === "/v1/payments/checkout");
    expect(order).toBeLessThan(checkout);
  });

  it("shows the API's refusal of one's own gig", async () => {
    const api = shop().on("POST /v1/orders", () =>
      apiError(403, "own_gig", "You cannot order your own gig."),
    );
    const { user } = renderApp(PATH, api);

    await user.type(await screen.findByLabelText("What do you need?"), "Test order");
    await user.click(screen.getByRole("button", { name: CONTINUE }));

    expect(await screen.findByRole("alert")).toHaveTextContent("You cannot order your own gig.");
    expect(api.calls("POST /v1/payments/checkout")).toHaveLength(0);
    expect(assign).not.toHaveBeenCalled();
  });

  it("offers a new verification link when the e-mail address is not verified", async () => {
    const api = shop()
      .on("POST /v1/orders", () => emailNotVerified())
      .on("POST /v1/auth/resend-verification", () =>
        json(202, { message: "A new verification e-mail is on its way." }),
      );
    const { user } = renderApp(PATH, api);

    await user.type(await screen.findByLabelText("What do you need?"), "A short film");
    await user.click(screen.getByRole("button", { name: CONTINUE }));

    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent(EMAIL_NOT_VERIFIED);
    await user.click(within(alert).getByRole("button", { name: "Send the link again" }));
    expect(
      await within(alert).findByText("A new verification e-mail is on its way."),
    ).toBeInTheDocument();
    expect(screen.getAllByText(EMAIL_NOT_VERIFIED)).toHaveLength(1);
    expect(api.calls("POST /v1/payments/checkout")).toHaveLength(0);
  });

  it("goes to the order, where payment can be tried again, when the checkout fails", async () => {
    const api = shop()
      .on("POST /v1/orders", () => json(201, orderDetail({ status: "pending_payment" })))
      .on("POST /v1/payments/checkout", () =>
        apiError(503, "provider_unavailable", "The payment provider is not answering; try again."),
      )
      .on(`GET /v1/orders/${ORDER_ID}`, () =>
        json(200, orderDetail({ status: "pending_payment" })),
      );
    const { user, router } = renderApp(PATH, api);

    await user.type(await screen.findByLabelText("What do you need?"), "A short film");
    await user.click(screen.getByRole("button", { name: CONTINUE }));

    expect(await screen.findByRole("button", { name: "Pay now (€240)" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe(`/orders/${ORDER_ID}`);
    expect(screen.getByRole("alert")).toHaveTextContent(
      "The payment provider is not answering; try again.",
    );
    expect(assign).not.toHaveBeenCalled();
  });
});
