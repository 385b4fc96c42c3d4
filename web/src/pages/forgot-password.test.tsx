import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { FakeApi, json } from "@/test/fake-api";
import { anonymous, renderApp } from "@/test/render";

describe("forgetting a password", () => {
  it("asks for an e-mail and answers the same, whatever the address", async () => {
    const api = anonymous(new FakeApi()).on("POST /v1/auth/forgot-password", () =>
      json(202, { message: "If an account exists for that address, a reset link is on its way." }),
    );
    const { user } = renderApp("/forgot-password", api);

    await user.click(await screen.findByRole("button", { name: "Send the link" }));
    expect(await screen.findByText("Enter your e-mail address.")).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/forgot-password")).toHaveLength(0);

    await user.type(screen.getByLabelText("E-mail"), "nobody@example.com");
    await user.click(screen.getByRole("button", { name: "Send the link" }));

    expect(await screen.findByRole("heading", { name: "Check your e-mail" })).toBeInTheDocument();
    expect(screen.getByRole("status")).toHaveTextContent(
      "If an account exists for that address, a link to choose a new password is on its way.",
    );
    expect(JSON.parse(api.calls("POST /v1/auth/forgot-password")[0]!.body)).toEqual({
      email: "nobody@example.com",
    });
  });
});
