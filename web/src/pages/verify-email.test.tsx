import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { anonymous, renderApp } from "@/test/render";

const TOKEN = "verify-token-0123456789abcdef";

describe("confirming an e-mail address", () => {
  it("sends the link's token once and says it worked", async () => {
    const api = anonymous(new FakeApi()).on("POST /v1/auth/verify-email", () =>
      json(200, privateProfile({ email_verified: true })),
    );
    renderApp(`/verify-email?token=${TOKEN}`, api);

    expect(await screen.findByRole("heading", { name: "E-mail confirmed" })).toBeInTheDocument();
    expect(screen.getByText("Thank you: sam@example.com is confirmed.")).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/verify-email")).toHaveLength(1);
    expect(JSON.parse(api.calls("POST /v1/auth/verify-email")[0]!.body)).toEqual({ token: TOKEN });
  });

  it("tells an expired link from an invalid one", async () => {
    const api = anonymous(new FakeApi()).on("POST /v1/auth/verify-email", () =>
      apiError(400, "link_expired", "This link has expired; ask for a new one."),
    );
    renderApp(`/verify-email?token=${TOKEN}`, api);

    expect(
      await screen.findByRole("heading", { name: "This link has expired" }),
    ).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent(
      "This link has expired; ask for a new one.",
    );
    expect(screen.getByRole("link", { name: "Log in to get a new link" })).toBeInTheDocument();
  });

  it("explains a link that was already used", async () => {
    const api = anonymous(new FakeApi()).on("POST /v1/auth/verify-email", () =>
      apiError(400, "invalid_link", "This link is not valid or was already used."),
    );
    renderApp(`/verify-email?token=${TOKEN}`, api);

    expect(
      await screen.findByRole("heading", { name: "This link does not work" }),
    ).toBeInTheDocument();
    expect(screen.getByRole("alert")).toHaveTextContent(
      "This link is not valid or was already used.",
    );
  });
});
