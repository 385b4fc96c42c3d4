import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { anonymous, renderApp } from "@/test/render";

function accounts() {
  return anonymous(new FakeApi())
    .on("POST /v1/auth/register", async (request) =>
      json(201, privateProfile(await request.json())),
    )
    .on("POST /v1/auth/login", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile({ full_name: "Maya Jensen" })));
}

async function fill(user: ReturnType<typeof renderApp>["user"], values: Record<string, string>) {
  for (const [label, value] of Object.entries(values)) {
    const input = await screen.findByLabelText(label);
    await user.clear(input);
    await user.type(input, value);
  }
}

const GOOD = {
  "Full name": "Maya Jensen",
  Username: "maya-edits",
  "E-mail": "maya@example.com",
  Password: "Str0ng!Passw0rd",
};

describe("the sign-up form", () => {
  it("checks every field before sending anything", async () => {
    const api = accounts();
    const { user } = renderApp("/signup", api);

    await user.click(await screen.findByRole("button", { name: "Create account" }));

    expect(await screen.findByText("Choose how you will use ReelByte.")).toBeInTheDocument();
    expect(screen.getByText("Enter your name.")).toBeInTheDocument();
    expect(screen.getByText("At least 3 characters.")).toBeInTheDocument();
    expect(screen.getByText("Enter your e-mail address.")).toBeInTheDocument();
    expect(screen.getByText("At least 8 characters.")).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/register")).toHaveLength(0);
  });

  it("holds to the API's rules for usernames and passwords", async () => {
    const api = accounts();
    const { user } = renderApp("/signup", api);

    await user.click(await screen.findByRole("radio", { name: /Hire creators/ }));
    await fill(user, { ...GOOD, Username: "maya edits!", Password: "alllowercase1" });
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("Letters, digits, - and _ only.")).toBeInTheDocument();
    expect(
      screen.getByText(
        "Use an upper-case letter, a lower-case letter, a digit and a special character.",
      ),
    ).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/register")).toHaveLength(0);
  });

  it("creates an account for both hiring and selling, then logs in", async () => {
    const api = accounts();
    const { user, router } = renderApp("/signup", api);

    await user.click(await screen.findByRole("radio", { name: /Both/ }));
    await fill(user, GOOD);
    await user.click(screen.getByRole("button", { name: "Create account" }));

    await screen.findByRole("button", { name: /Account menu for Maya Jensen/ });
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
    expect(JSON.parse(api.calls("POST /v1/auth/register")[0]!.body)).toEqual({
      full_name: "Maya Jensen",
      username: "maya-edits",
      email: "maya@example.com",
      password: "Str0ng!Passw0rd",
      role: "hybrid",
    });
    expect(api.calls("POST /v1/auth/login")).toHaveLength(1);
  });

  it("shows the API's answer when the account exists", async () => {
    const api = accounts().on("POST /v1/auth/register", () =>
      apiError(409, "account_exists", "That e-mail or username is already taken."),
    );
    const { user } = renderApp("/signup", api);

    await user.click(await screen.findByRole("radio", { name: /Sell video work/ }));
    await fill(user, GOOD);
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "That e-mail or username is already taken.",
    );
    expect(api.calls("POST /v1/auth/login")).toHaveLength(0);
  });

  it("puts the API's validation messages on their fields", async () => {
    const api = accounts().on("POST /v1/auth/register", () =>
      apiError(422, "validation_error", "The request is not valid.", [
        { loc: ["body", "email"], msg: "value is not a valid email address", type: "value_error" },
      ]),
    );
    const { user } = renderApp("/signup", api);

    await user.click(await screen.findByRole("radio", { name: /Hire creators/ }));
    await fill(user, GOOD);
    await user.click(screen.getByRole("button", { name: "Create account" }));

    expect(await screen.findByText("value is not a valid email address")).toBeInTheDocument();
    expect(screen.getByLabelText("E-mail")).toHaveAttribute("aria-invalid", "true");
  });
});
