import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { OrderOut } from "@/api/orders";
import { loggedIn, ORDER_ID, orderDetail } from "@/components/order/test-fixtures";
import { FakeApi, json } from "@/test/fake-api";
import { renderApp } from "@/test/render";

function listOf(items: OrderOut[], total = items.length) {
  return {
    items,
    total,
    page: 1,
    page_size: 20,
    total_pages: Math.ceil(total / 20),
    next_cursor: null,
    total_is_exact: true,
  };
}

function summary(overrides: Partial<OrderOut>): OrderOut {
  const order: Partial<ReturnType<typeof orderDetail>> = orderDetail(overrides);
  delete order.events;
  return order as OrderOut;
}

describe("the orders page", () => {
  it("lists the client's orders, each linking to its page", async () => {
    const api = loggedIn(new FakeApi()).on("GET /v1/orders", () =>
      json(
        200,
        listOf([
          summary({ status: "delivered" }),
          summary({ id: "order-2", title: "Product reel", status: "completed" }),
        ]),
      ),
    );
    renderApp("/orders", api);

    const list = await screen.findByRole("list", { name: "Orders" });
    const rows = within(list).getAllByRole("listitem");
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByRole("link")).toHaveAttribute("href", `/orders/${ORDER_ID}`);
    expect(rows[0]).toHaveTextContent("Delivered");
    expect(rows[0]).toHaveTextContent("€240");
    expect(within(rows[1]!).getByRole("link")).toHaveAttribute("href", "/orders/order-2");
    expect(rows[1]).toHaveTextContent("Completed");
    // A client has one side: the list asks for their orders as a client.
    expect(new URLSearchParams(api.calls("GET /v1/orders")[0]!.search).get("role")).toBe("client");
  });

  it("filters by status through the API", async () => {
    const api = loggedIn(new FakeApi()).on("GET /v1/orders", (_request, seen) =>
      json(
        200,
        new URLSearchParams(seen.search).get("status") === "completed"
          ? listOf([summary({ id: "order-2", title: "Product reel", status: "completed" })])
          : listOf([summary({ status: "delivered" })]),
      ),
    );
    const { user, router } = renderApp("/orders", api);

    await screen.findByText("I will edit your wedding highlight film");
    await user.selectOptions(screen.getByLabelText("Status"), "completed");

    expect(await screen.findByText("Product reel")).toBeInTheDocument();
    await waitFor(() =>
      expect(screen.queryByText("I will edit your wedding highlight film")).not.toBeInTheDocument(),
    );
    expect(router.state.location.search).toBe("?status=completed");
  });

  it("shows an empty state with the way to find a gig", async () => {
    const api = loggedIn(new FakeApi()).on("GET /v1/orders", () => json(200, listOf([])));
    renderApp("/orders", api);

    expect(await screen.findByText("No orders yet")).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Browse gigs" })).toHaveAttribute("href", "/search");
  });
});
