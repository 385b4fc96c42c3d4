import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { apiError, FakeApi, json } from "@/test/fake-api";
import { anonymous, renderApp } from "@/test/render";

const TOKEN = "reset-token-0123456789abcdef";
const STRONG = "N3w!Passw0rd";

function resets(
  answer = () => json(200, { message: "Your password has been changed. Log in with the new one." }),
) {
  return anonymous(new FakeApi()).on("POST /v1/auth/reset-password", answer);
}

describe("choosing a new password", () => {
  it("asks for the same password twice", async () => {
    const api = resets();
    const { user } = renderApp(`/reset-password?token=${TOKEN}`, api);

    await user.type(await screen.findByLabelText("New password"), STRONG);
    await user.type(screen.getByLabelText("New password again"), "N3w!Passw0rt");
    await user.click(screen.getByRole("button", { name: "Change password" }));

    expect(await screen.findByText("The two passwords are not the same.")).toBeInTheDocument();
    expect(screen.getByLabelText("New password again")).toHaveAttribute("aria-invalid", "true");
    expect(api.calls("POST /v1/auth/reset-password")).toHaveLength(0);
  });

  it("holds the password to the API's rules", async () => {
    const api = resets();
    const { user } = renderApp(`/reset-password?token=${TOKEN}`, api);

    const password = await screen.findByLabelText("New password");
    await user.type(password, "short");
    await user.type(screen.getByLabelText("New password again"), "short");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(await screen.findByText("At least 8 characters.")).toBeInTheDocument();

    await user.clear(password);
    await user.type(password, "alllowercase1");
    await user.click(screen.getByRole("button", { name: "Change password" }));
    expect(
      await screen.findByText(
        "Use an upper-case letter, a lower-case letter, a digit and a special character.",
      ),
    ).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/reset-password")).toHaveLength(0);
  });

  it("sends the token and the new password, then offers to log in", async () => {
    const api = resets();
    const { user } = renderApp(`/reset-password?token=${TOKEN}`, api);

    await user.type(await screen.findByLabelText("New password"), STRONG);
    await user.type(screen.getByLabelText("New password again"), STRONG);
    await user.click(screen.getByRole("button", { name: "Change password" }));

    expect(await screen.findByRole("heading", { name: "Password changed" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Log in with your new password" })).toHaveAttribute(
      "href",
      "/login",
    );
    expect(JSON.parse(api.calls("POST /v1/auth/reset-password")[0]!.body)).toEqual({
      token: TOKEN,
      new_password: STRONG,
    });
  });

  it("says so when the link has expired, with a way to get a new one", async () => {
    const api = resets(() =>
      apiError(400, "link_expired", "This link has expired; ask for a new one."),
    );
    const { user } = renderApp(`/reset-password?token=${TOKEN}`, api);

    await user.type(await screen.findByLabelText("New password"), STRONG);
    await user.type(screen.getByLabelText("New password again"), STRONG);
    await user.click(screen.getByRole("button", { name: "Change password" }));

    expect(await screen.findByRole("alert")).toHaveTextContent(
      "This link has expired; ask for a new one.",
    );
    expect(screen.getByRole("link", { name: "Ask for a new link" })).toHaveAttribute(
      "href",
      "/forgot-password",
    );
  });

  it("refuses a link without its token", async () => {
    renderApp("/reset-password", resets());
    expect(
      await screen.findByRole("heading", { name: "This link does not work" }),
    ).toBeInTheDocument();
  });
});
