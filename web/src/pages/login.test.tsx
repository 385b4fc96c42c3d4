import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { anonymous, renderApp } from "@/test/render";

function accounts() {
  return anonymous(new FakeApi())
    .on("POST /v1/auth/login", async (request) => {
      const body = (await request.json()) as { email: string; password: string };
      return body.password === "Str0ng!Passw0rd"
        ? tokens("A1")
        : apiError(401, "invalid_credentials", "The e-mail or password is wrong.");
    })
    .on("GET /v1/users/me", () => json(200, privateProfile()));
}

describe("the log-in form", () => {
  it("asks for an e-mail and a password before sending anything", async () => {
    const api = accounts();
    const { user } = renderApp("/login", api);

    await user.click(await screen.findByRole("button", { name: "Log in" }));

    expect(await screen.findByText("Enter your e-mail address.")).toBeInTheDocument();
    expect(screen.getByText("Enter your password.")).toBeInTheDocument();
    expect(screen.getByLabelText("E-mail")).toHaveAttribute("aria-invalid", "true");
    expect(screen.getByLabelText("E-mail")).toHaveAccessibleDescription(
      "Enter your e-mail address.",
    );
    expect(api.calls("POST /v1/auth/login")).toHaveLength(0);
  });

  it("refuses an address that is not an e-mail", async () => {
    const api = accounts();
    const { user } = renderApp("/login", api);

    await user.type(await screen.findByLabelText("E-mail"), "maya.example.com");
    await user.type(screen.getByLabelText("Password"), "whatever");
    await user.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByText("Enter a valid e-mail address.")).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/login")).toHaveLength(0);
  });

  it("shows the API's error for a wrong password", async () => {
    const api = accounts();
    const { user } = renderApp("/login", api);

    await user.type(await screen.findByLabelText("E-mail"), "sam@example.com");
    await user.type(screen.getByLabelText("Password"), "wrong-password");
    await user.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("The e-mail or password is wrong.");
    expect(screen.getByLabelText("Password")).toHaveFocus();
    expect(api.calls("POST /v1/auth/refresh")).toHaveLength(1); // the start-up check only
  });

  it("logs in and goes back to the page that asked for it", async () => {
    const api = accounts();
    const { user, router } = renderApp("/login?next=%2Fsettings", api);

    await user.type(await screen.findByLabelText("E-mail"), "sam@example.com");
    await user.type(screen.getByLabelText("Password"), "Str0ng!Passw0rd");
    await user.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByRole("heading", { name: "Your account" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/settings");
    expect(screen.getByText("sam@example.com")).toBeInTheDocument();
    expect(api.calls("GET /v1/users/me")[0]?.authorization).toBe("Bearer A1");
  });

  it("never sends a person off the site after logging in", async () => {
    const api = accounts();
    const { user, router } = renderApp("/login?next=%2F%2Fevil.example%2F", api);

    await user.type(await screen.findByLabelText("E-mail"), "sam@example.com");
    await user.type(screen.getByLabelText("Password"), "Str0ng!Passw0rd");
    await user.click(screen.getByRole("button", { name: "Log in" }));

    await screen.findByRole("button", { name: /Account menu for Sam Client/ });
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
  });
});

describe("the user menu", () => {
  it("logs out: the API ends the session and the header offers to log in again", async () => {
    const api = accounts()
      .on("POST /v1/auth/refresh", () => tokens("A9"))
      .on("POST /v1/auth/logout", () => new Response(null, { status: 204 }));
    const { user } = renderApp("/", api);

    await user.click(await screen.findByRole("button", { name: "Account menu for Sam Client" }));
    await user.click(await screen.findByRole("menuitem", { name: "Log out" }));

    expect(await screen.findByRole("link", { name: "Log in" })).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/logout")[0]?.authorization).toBe("Bearer A9");
  });
});

describe("a protected page", () => {
  it("sends an anonymous visitor to log in, with the way back", async () => {
    const { router } = renderApp("/settings?tab=profile", accounts());
    expect(await screen.findByRole("heading", { name: "Log in" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toBe(
      `?next=${encodeURIComponent("/settings?tab=profile")}`,
    );
  });

  it("opens for someone whose session the refresh cookie restores", async () => {
    const api = accounts().on("POST /v1/auth/refresh", () => tokens("A9"));
    renderApp("/settings", api);
    expect(await screen.findByRole("heading", { name: "Your account" })).toBeInTheDocument();
  });
});
