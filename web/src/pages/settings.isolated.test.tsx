import { screen, waitFor, within } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PrivateProfile } from "@/api/queries";
import type { UploadOut } from "@/components/uploader";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const AVATAR_ID = "9a1b2c3d-0000-4000-8000-000000000042";

// The real uploader sends files to storage (its own tests cover that): here it hands over a
// finished upload, as it does once the API has the file.
vi.mock("@/components/uploader", () => ({
  Uploader: ({ label, onUploaded }: { label: string; onUploaded: (upload: UploadOut) => void }) => (
    <button
      type="button"
      onClick={() =>
        onUploaded({
          id: AVATAR_ID,
          owner_id: "client-1",
          kind: "image",
          purpose: "avatar",
          target_id: null,
          filename: "me.png",
          content_type: "image/png",
          size: 2048,
          state: "ready",
          failure_reason: null,
          public: true,
          probe: null,
          original: null,
          derived: {},
          created_at: "2026-11-20T10:00:00Z",
          completed_at: "2026-11-20T10:00:01Z",
          ready_at: "2026-11-20T10:00:02Z",
        })
      }
    >
      {label}
    </button>
  ),
}));

function creatorAccount(overrides: Partial<PrivateProfile> = {}) {
  let profile = privateProfile({
    role: "creator",
    full_name: "Maya Jensen",
    username: "maya-edits",
    email: "maya@example.com",
    bio: "Wedding films.",
    skills: ["Premiere Pro"],
    timezone: "Europe/Amsterdam",
    language: "en",
    ...overrides,
  });
  const api = new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, profile))
    .on("PUT /v1/users/me", async (request) => {
      const changes = (await request.json()) as Partial<PrivateProfile> & {
        avatar_upload_id?: string;
      };
      const { avatar_upload_id: avatar, ...rest } = changes;
      profile = { ...profile, ...rest };
      if (avatar)
        profile = { ...profile, avatar_upload_id: avatar, avatar_url: "https://cdn.test/a.jpg" };
      return json(200, profile);
    })
    .on("POST /v1/auth/resend-verification", () =>
      json(202, { message: "A new verification e-mail is on its way." }),
    )
    .on("GET /v1/users/me/sessions", () => json(200, sessions))
    .on("GET /v1/notifications/unread-count", () => json(200, { count: 0 }))
    .on("POST /v1/ws/ticket", () => apiError(503, "realtime_unavailable", "Later."));
  return api;
}

const sessions = [
  {
    id: "session-here",
    created_at: "2026-11-20T10:00:00Z",
    last_used_at: "2026-12-01T10:00:00Z",
    user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36",
    ip_address: "203.0.113.7",
    current: true,
  },
  {
    id: "session-phone",
    created_at: "2026-10-02T10:00:00Z",
    last_used_at: "2026-11-28T10:00:00Z",
    user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Version/18.0 Safari/605.1",
    ip_address: "198.51.100.4",
    current: false,
  },
];

function lastPut(api: FakeApi): unknown {
  const calls = api.calls("PUT /v1/users/me");
  return JSON.parse(calls[calls.length - 1]!.body);
}

beforeEach(() => {
  vi.stubGlobal("WebSocket", vi.fn());
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("the settings page", () => {
  it("checks the profile before sending it", async () => {
    const api = creatorAccount();
    const { user } = renderApp("/settings", api);

    const name = await screen.findByLabelText("Full name");
    await user.clear(name);
    await user.type(screen.getByLabelText("Hourly rate"), "12.345");
    await user.type(screen.getByLabelText("Website"), "maya.example.com");
    await user.click(screen.getByRole("button", { name: "Save profile" }));

    expect(await screen.findByText("Enter your name.")).toBeInTheDocument();
    expect(screen.getByLabelText("Hourly rate")).toHaveAccessibleDescription(
      "Enter an amount above 0 with at most two decimals, e.g. 45 or 45.50.",
    );
    expect(screen.getByLabelText("Website")).toHaveAccessibleDescription(
      "Enter a full link starting with https://.",
    );
    expect(api.calls("PUT /v1/users/me")).toHaveLength(0);
  });

  it("sends only what changed, as the API takes it", async () => {
    const api = creatorAccount();
    const { user } = renderApp("/settings", api);

    const bio = await screen.findByLabelText("About you");
    await user.clear(bio);
    await user.type(bio, "Cinematic wedding films.");
    const skills = screen.getByLabelText("Skills");
    await user.clear(skills);
    await user.type(skills, "Premiere Pro, Color grading, premiere pro");
    await user.type(screen.getByLabelText("Hourly rate"), "45.50");
    await user.selectOptions(screen.getByLabelText("Currency"), "USD");
    await user.selectOptions(screen.getByLabelText("Availability"), "part-time");
    await user.type(screen.getByLabelText("YouTube"), "https://youtube.com/@maya");
    await user.click(screen.getByRole("button", { name: "Save profile" }));

    expect(await screen.findByText("Your profile is saved.")).toBeInTheDocument();
    expect(lastPut(api)).toEqual({
      bio: "Cinematic wedding films.",
      skills: ["Premiere Pro", "Color grading"],
      hourly_rate: { currency: "USD", value: "45.50" },
      availability: "part-time",
      youtube_url: "https://youtube.com/@maya",
    });
    expect(api.calls("PUT /v1/users/me")[0]?.authorization).toBe("Bearer A1");
  });

  it("shows the API's refusal next to the field", async () => {
    const api = creatorAccount().on("PUT /v1/users/me", () =>
      apiError(422, "validation_error", "The request is not valid.", [
        {
          loc: ["body", "website_url"],
          msg: "Value error, must point to a public host",
          type: "value_error",
        },
      ]),
    );
    const { user } = renderApp("/settings", api);

    await user.type(await screen.findByLabelText("Website"), "https://localhost.test");
    await user.click(screen.getByRole("button", { name: "Save profile" }));

    expect(await screen.findByText("must point to a public host")).toBeInTheDocument();
    expect(screen.getByLabelText("Website")).toHaveAttribute("aria-invalid", "true");
  });

  it("saves a notification switch at once, with the whole map", async () => {
    const api = creatorAccount({
      notification_preferences: { review_received: { in_app: false, email: true } },
    });
    const { user } = renderApp("/settings", api);

    const email = await screen.findByRole("switch", { name: "An order was paid: by e-mail" });
    expect(email).toBeChecked(); // orders are e-mailed unless switched off
    expect(
      screen.getByRole("switch", { name: "A review was received: in the app" }),
    ).not.toBeChecked();

    await user.click(email);
    await waitFor(() => expect(api.calls("PUT /v1/users/me")).toHaveLength(1));
    expect(lastPut(api)).toEqual({
      notification_preferences: {
        review_received: { in_app: false, email: true },
        order_paid: { in_app: true, email: false },
      },
    });
    expect(await screen.findByText("Saved.")).toBeInTheDocument();
    expect(email).not.toBeChecked();
  });

  it("shows the address and offers to send the verification link again", async () => {
    const api = creatorAccount({ email_verified: false, must_verify_email: true });
    const { user } = renderApp("/settings", api);

    const email = await screen.findByRole("region", { name: "E-mail address" });
    expect(within(email).getByText("maya@example.com")).toBeInTheDocument();
    expect(within(email).getByText("Not verified yet")).toBeInTheDocument();
    await user.click(within(email).getByRole("button", { name: "Send the link again" }));
    expect(
      await within(email).findByText("A new verification e-mail is on its way."),
    ).toBeInTheDocument();
    expect(api.calls("POST /v1/auth/resend-verification")).toHaveLength(1);
  });

  it("says a verified address is verified, with no link to send", async () => {
    renderApp("/settings", creatorAccount());

    const email = await screen.findByRole("region", { name: "E-mail address" });
    expect(within(email).getByText("Verified")).toBeInTheDocument();
    expect(within(email).queryByRole("button", { name: "Send the link again" })).toBeNull();
  });

  it("sends a link to the new address and says where it went", async () => {
    const api = creatorAccount().on("POST /v1/users/me/email", () =>
      json(202, { message: "Follow the link we sent to your new address." }),
    );
    const { user } = renderApp("/settings", api);

    const form = within(await screen.findByRole("form", { name: "Change e-mail address" }));
    await user.click(form.getByRole("button", { name: "Send the confirmation link" }));
    expect(await form.findByText("Enter the new e-mail address.")).toBeInTheDocument();
    expect(form.getByLabelText("Current password")).toHaveAccessibleDescription(
      "Enter your current password.",
    );
    expect(api.calls("POST /v1/users/me/email")).toHaveLength(0);

    await user.type(form.getByLabelText("New e-mail address"), "  maya@new.example.com ");
    await user.type(form.getByLabelText("Current password"), "Old!Passw0rd");
    await user.click(form.getByRole("button", { name: "Send the confirmation link" }));

    expect(await form.findByRole("status")).toHaveTextContent(
      "We sent a link to maya@new.example.com. Your account moves there when you follow it; until then it keeps maya@example.com.",
    );
    expect(JSON.parse(api.calls("POST /v1/users/me/email")[0]!.body)).toEqual({
      new_email: "maya@new.example.com",
      password: "Old!Passw0rd",
    });
    expect(form.getByLabelText("New e-mail address")).toHaveValue("");
    expect(form.getByLabelText("Current password")).toHaveValue("");
  });

  it.each([
    [403, "wrong_password", "The current password is wrong.", "Current password"],
    [422, "same_email", "That is already your e-mail address.", "New e-mail address"],
    [409, "account_exists", "That e-mail or username is already taken.", "New e-mail address"],
  ])("shows a %i %s refusal on its field", async (status, code, message, field) => {
    const api = creatorAccount().on("POST /v1/users/me/email", () =>
      apiError(status, code, message),
    );
    const { user } = renderApp("/settings", api);

    const form = within(await screen.findByRole("form", { name: "Change e-mail address" }));
    await user.type(form.getByLabelText("New e-mail address"), "maya@new.example.com");
    await user.type(form.getByLabelText("Current password"), "Old!Passw0rd");
    await user.click(form.getByRole("button", { name: "Send the confirmation link" }));

    expect(await form.findByText(message)).toBeInTheDocument();
    expect(form.getByLabelText(field)).toHaveAccessibleDescription(message);
    expect(form.getByLabelText(field)).toHaveAttribute("aria-invalid", "true");
    expect(form.queryByRole("alert")).not.toBeInTheDocument();
    expect(form.queryByRole("status")).not.toBeInTheDocument();
  });

  it("shows the API's validation error on the address, and any other error above the form", async () => {
    let attempts = 0;
    const api = creatorAccount().on("POST /v1/users/me/email", () =>
      ++attempts === 1
        ? apiError(422, "validation_error", "The request is not valid.", [
            {
              loc: ["body", "new_email"],
              msg: "value is not a valid email address: The domain name is not valid.",
              type: "value_error",
            },
          ])
        : apiError(429, "rate_limited", "Too many requests: slow down and retry later."),
    );
    const { user } = renderApp("/settings", api);

    const form = within(await screen.findByRole("form", { name: "Change e-mail address" }));
    await user.type(form.getByLabelText("New e-mail address"), "maya@new.example");
    await user.type(form.getByLabelText("Current password"), "Old!Passw0rd");
    await user.click(form.getByRole("button", { name: "Send the confirmation link" }));
    expect(await form.findByText(/The domain name is not valid/)).toBeInTheDocument();
    expect(form.getByLabelText("New e-mail address")).toHaveAccessibleDescription(
      "value is not a valid email address: The domain name is not valid.",
    );

    await user.click(form.getByRole("button", { name: "Send the confirmation link" }));
    expect(await form.findByRole("alert")).toHaveTextContent(
      "Too many requests: slow down and retry later.",
    );
  });

  it("sets an uploaded picture as the avatar", async () => {
    const api = creatorAccount();
    const { user } = renderApp("/settings", api);

    await user.click(await screen.findByRole("button", { name: "Upload a new picture" }));
    expect(await screen.findByText("Your picture is updated.")).toBeInTheDocument();
    expect(lastPut(api)).toEqual({ avatar_upload_id: AVATAR_ID });
  });

  it("changes the password, with the API's refusal on the current one", async () => {
    let attempts = 0;
    const api = creatorAccount().on("POST /v1/users/me/password", () =>
      ++attempts === 1
        ? apiError(403, "wrong_password", "The current password is wrong.")
        : new Response(null, { status: 204 }),
    );
    const { user } = renderApp("/settings", api);

    const form = within(await screen.findByRole("form", { name: "Change password" }));
    await user.type(form.getByLabelText("Current password"), "Old!Passw0rd");
    await user.type(form.getByLabelText("New password"), "N3w!Passw0rd");
    await user.type(form.getByLabelText("New password again"), "N3w!Passw0rd-typo");
    await user.click(form.getByRole("button", { name: "Change password" }));
    expect(await form.findByText("The two passwords are not the same.")).toBeInTheDocument();
    expect(api.calls("POST /v1/users/me/password")).toHaveLength(0);

    await user.clear(form.getByLabelText("New password again"));
    await user.type(form.getByLabelText("New password again"), "N3w!Passw0rd");
    await user.click(form.getByRole("button", { name: "Change password" }));
    expect(await form.findByText("The current password is wrong.")).toBeInTheDocument();

    await user.click(form.getByRole("button", { name: "Change password" }));
    expect(await form.findByRole("status")).toHaveTextContent("Password changed.");
    expect(JSON.parse(api.calls("POST /v1/users/me/password")[1]!.body)).toEqual({
      current_password: "Old!Passw0rd",
      new_password: "N3w!Passw0rd",
    });
  });

  it("lists where the account is logged in and logs another device out", async () => {
    const api = creatorAccount().on(
      "DELETE /v1/users/me/sessions/session-phone",
      () => new Response(null, { status: 204 }),
    );
    const { user } = renderApp("/settings", api);

    const list = within(await screen.findByRole("list", { name: "Logged-in sessions" }));
    const [here, phone] = list.getAllByRole("listitem");
    expect(here).toHaveTextContent("Chrome on Linux");
    expect(here).toHaveTextContent("This device");
    expect(within(here!).queryByRole("button")).not.toBeInTheDocument();
    expect(phone).toHaveTextContent("Safari on iOS");

    await user.click(within(phone!).getByRole("button", { name: /^Log out Safari on iOS/ }));

    await waitFor(() =>
      expect(api.calls("DELETE /v1/users/me/sessions/session-phone")).toHaveLength(1),
    );
    await waitFor(() => expect(api.calls("GET /v1/users/me/sessions")).toHaveLength(2));
  });
});
