import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { SubscriptionOut } from "@/api/billing";
import type { ApiKey, WebhookEndpoint } from "@/api/developers";
import type { PlanOut } from "@/api/video-tools";
import { ShownOnceDialog } from "@/components/developers/shown-once-dialog";
import { apiError, FakeApi, json, tokens } from "@/test/fake-api";
import { privateProfile } from "@/test/fixtures";
import { renderApp } from "@/test/render";

const NOW = "2026-11-20T10:00:00Z";
const premium: PlanOut = {
  code: "premium",
  name: "Premium",
  price: { currency: "EUR", value: "49.00" },
  interval: "month",
  trims_per_period: null,
  hooks_per_period: null,
  max_source_seconds: 7200,
  storage_quota_mb: 204_800,
  marketplace_fee_percentage: "8.00",
  priority_processing: true,
  api_access: true,
  webhooks: true,
};
const free: PlanOut = {
  ...premium,
  code: "free",
  name: "Free",
  api_access: false,
  webhooks: false,
};

function subscription(plan: PlanOut): SubscriptionOut {
  return {
    plan,
    status: plan.code === "free" ? "free" : "active",
    cancel_at_period_end: false,
    current_period_start: null,
    current_period_end: null,
    grace_ends_at: null,
    past_due_since: null,
    pending_plan: null,
  };
}

const KEY: ApiKey = {
  id: "0a1b2c3d-0000-4000-8000-000000000201",
  name: "Publishing script",
  prefix: "rb_live_ab12",
  scopes: ["gigs:read"],
  status: "active",
  created_at: NOW,
  expires_at: null,
  last_used_at: null,
  last_used_ip: null,
  disabled_at: null,
};

const ENDPOINT: WebhookEndpoint = {
  id: "0a1b2c3d-0000-4000-8000-000000000301",
  url: "https://hooks.example.com/reelbyte",
  description: null,
  events: ["order.completed"],
  is_active: true,
  consecutive_failures: 0,
  created_at: NOW,
  updated_at: NOW,
  disabled_at: null,
  disabled_reason: null,
};

function api(plan: PlanOut, keys: ApiKey[] = [], endpoints: WebhookEndpoint[] = []) {
  return new FakeApi()
    .on("POST /v1/auth/refresh", () => tokens("A1"))
    .on("GET /v1/users/me", () => json(200, privateProfile({ role: "creator" })))
    .on("GET /v1/billing/subscription", () => json(200, subscription(plan)))
    .on("GET /v1/api-keys", () =>
      json(200, { items: keys, total: keys.length, page: 1, page_size: 100 }),
    )
    .on("GET /v1/webhooks/endpoints", () =>
      json(200, { items: endpoints, total: endpoints.length, page: 1, page_size: 100 }),
    );
}

describe("the shown-once dialog", () => {
  it("shows the value with a copy button and a warning, and forgets it when closed", async () => {
    const user = userEvent.setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const onClose = vi.fn();
    render(
      <ShownOnceDialog
        title="Your API key"
        label="API key"
        value="rb_live_secret"
        onClose={onClose}
      />,
    );
    const dialog = screen.getByRole("dialog", { name: "Your API key" });
    expect(dialog).toHaveTextContent("you will not see it again");
    expect(within(dialog).getByLabelText("API key")).toHaveValue("rb_live_secret");
    await user.click(within(dialog).getByRole("button", { name: "Copy to clipboard" }));
    expect(writeText).toHaveBeenCalledWith("rb_live_secret");
    expect(await within(dialog).findByText("Copied to the clipboard.")).toBeInTheDocument();
    await user.click(within(dialog).getByRole("button", { name: "I have stored it" }));
    expect(onClose).toHaveBeenCalled();
  });

  it("is closed without a value", () => {
    render(
      <ShownOnceDialog title="Secret" label="Signing secret" value={null} onClose={() => {}} />,
    );
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });
});

describe("the developers page", () => {
  it("lists keys by prefix and creates one, shown once", async () => {
    const fake = api(premium, [KEY]).on("POST /v1/api-keys", () =>
      json(201, { ...KEY, id: "new", name: "CI", key: "rb_live_ab12_full_secret" }),
    );
    const { user } = renderApp("/settings/developers", fake);
    const list = await screen.findByRole("list", { name: "Your API keys" });
    expect(list).toHaveTextContent("rb_live_ab12…");
    expect(list).toHaveTextContent("never used");

    const form = screen.getByRole("form", { name: "Create an API key" });
    await user.click(within(form).getByRole("button", { name: "Create key" }));
    expect(within(form).getByText("Give the key a name.")).toBeInTheDocument();
    await user.type(within(form).getByLabelText("Name"), "CI");
    await user.click(within(form).getByRole("button", { name: "Create key" }));
    expect(within(form).getByText("Choose at least one scope.")).toBeInTheDocument();
    expect(fake.calls("POST /v1/api-keys")).toHaveLength(0);

    await user.click(within(form).getByLabelText(/Read orders/));
    await user.click(within(form).getByRole("button", { name: "Create key" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByLabelText("API key")).toHaveValue("rb_live_ab12_full_secret");
    expect(JSON.parse(fake.calls("POST /v1/api-keys")[0]!.body)).toEqual({
      name: "CI",
      scopes: ["orders:read"],
      expires_at: null,
    });
    await user.click(within(dialog).getByRole("button", { name: "I have stored it" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.queryByText("rb_live_ab12_full_secret")).not.toBeInTheDocument();
  });

  it("shows the plan refusal with a link to the plans", async () => {
    const fake = api(free).on("POST /v1/api-keys", () =>
      apiError(
        403,
        "plan_has_no_api_access",
        "Your plan does not include API access: upgrade to Pro or Premium to create API keys.",
      ),
    );
    const { user } = renderApp("/settings/developers", fake);
    expect(await screen.findByText(/Your Free plan does not include API access/)).toBeVisible();
    const form = screen.getByRole("form", { name: "Create an API key" });
    await user.type(within(form).getByLabelText("Name"), "Too early");
    await user.click(within(form).getByLabelText(/Read gigs/));
    await user.click(within(form).getByRole("button", { name: "Create key" }));
    const alert = await within(form).findByRole("alert");
    expect(alert).toHaveTextContent("upgrade to Pro or Premium");
    expect(within(alert).getByRole("link", { name: "See the plans" })).toHaveAttribute(
      "href",
      "/billing",
    );
  });

  it("revokes a key after a confirmation", async () => {
    const fake = api(premium, [KEY]).on(
      `DELETE /v1/api-keys/${KEY.id}`,
      () => new Response(null, { status: 204 }),
    );
    const { user } = renderApp("/settings/developers", fake);
    const list = await screen.findByRole("list", { name: "Your API keys" });
    await user.click(within(list).getByRole("button", { name: "Revoke" }));
    expect(fake.calls(`DELETE /v1/api-keys/${KEY.id}`)).toHaveLength(0);
    await user.click(within(list).getByRole("button", { name: "Revoke Publishing script" }));
    await waitFor(() => expect(fake.calls(`DELETE /v1/api-keys/${KEY.id}`)).toHaveLength(1));
  });

  it("adds a webhook endpoint, shows its secret once, and the URL refusal by the field", async () => {
    let refuse = true;
    const fake = api(premium).on("POST /v1/webhooks/endpoints", () =>
      refuse
        ? apiError(422, "webhook_url_not_allowed", "Webhooks may only go to public addresses.")
        : json(201, { ...ENDPOINT, secret: "whsec_abc" }),
    );
    const { user } = renderApp("/settings/developers", fake);
    const form = await screen.findByRole("form", { name: "Add a webhook endpoint" });
    await user.type(within(form).getByLabelText("Endpoint URL"), "http://10.0.0.1/hook");
    await user.click(within(form).getByRole("button", { name: "Add endpoint" }));
    expect(within(form).getByText("Choose at least one event.")).toBeInTheDocument();
    await user.click(within(form).getByLabelText("order.completed"));
    await user.click(within(form).getByRole("button", { name: "Add endpoint" }));
    expect(
      await within(form).findByText("Webhooks may only go to public addresses."),
    ).toBeVisible();
    expect(within(form).getByLabelText("Endpoint URL")).toHaveAttribute("aria-invalid", "true");

    refuse = false;
    await user.clear(within(form).getByLabelText("Endpoint URL"));
    await user.type(within(form).getByLabelText("Endpoint URL"), ENDPOINT.url);
    await user.click(within(form).getByRole("button", { name: "Add endpoint" }));
    const dialog = await screen.findByRole("dialog");
    expect(within(dialog).getByLabelText("Signing secret")).toHaveValue("whsec_abc");
    expect(JSON.parse(fake.calls("POST /v1/webhooks/endpoints")[1]!.body)).toEqual({
      url: ENDPOINT.url,
      events: ["order.completed"],
      description: null,
    });
  });

  it("edits an endpoint in place, sending only what changed", async () => {
    const path = `PUT /v1/webhooks/endpoints/${ENDPOINT.id}`;
    let refuse = true;
    const fake = api(premium, [], [ENDPOINT]).on(path, () =>
      refuse
        ? apiError(422, "webhook_url_not_allowed", "Webhooks may only go to public addresses.")
        : json(200, { ...ENDPOINT, url: "https://hooks.example.com/v2", is_active: false }),
    );
    const { user } = renderApp("/settings/developers", fake);
    const list = await screen.findByRole("list", { name: "Your webhook endpoints" });
    await user.click(within(list).getByRole("button", { name: "Edit" }));
    const form = within(list).getByRole("form", { name: `Edit ${ENDPOINT.url}` });
    const url = within(form).getByLabelText("Endpoint URL");
    expect(url).toHaveValue(ENDPOINT.url);
    expect(within(form).getByLabelText("order.completed")).toBeChecked();

    // No event left: refused before asking the API.
    await user.click(within(form).getByLabelText("order.completed"));
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(within(form).getByText("Choose at least one event.")).toBeInTheDocument();
    expect(fake.calls(path)).toHaveLength(0);

    await user.click(within(form).getByLabelText("order.paid"));
    await user.clear(url);
    await user.type(url, "http://10.0.0.1/hook");
    await user.click(within(form).getByLabelText(/Enabled/));
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    expect(
      await within(form).findByText("Webhooks may only go to public addresses."),
    ).toBeVisible();
    expect(url).toHaveAttribute("aria-invalid", "true");

    refuse = false;
    await user.clear(url);
    await user.type(url, "https://hooks.example.com/v2");
    await user.click(within(form).getByRole("button", { name: "Save changes" }));
    await waitFor(() =>
      expect(within(list).queryByRole("form", { name: /^Edit/ })).not.toBeInTheDocument(),
    );
    expect(JSON.parse(fake.calls(path)[1]!.body)).toEqual({
      url: "https://hooks.example.com/v2",
      events: ["order.paid"],
      is_active: false,
    });
  });

  it("closes the edit form without a call when nothing changed", async () => {
    const path = `PUT /v1/webhooks/endpoints/${ENDPOINT.id}`;
    const fake = api(premium, [], [ENDPOINT]).on(path, () => json(200, ENDPOINT));
    const { user } = renderApp("/settings/developers", fake);
    const list = await screen.findByRole("list", { name: "Your webhook endpoints" });
    await user.click(within(list).getByRole("button", { name: "Edit" }));
    await user.click(within(list).getByRole("button", { name: "Save changes" }));
    expect(within(list).queryByRole("form", { name: /^Edit/ })).not.toBeInTheDocument();
    expect(within(list).getByRole("button", { name: "Edit" })).toBeVisible();
    expect(fake.calls(path)).toHaveLength(0);
  });

  it("rotates the signing secret after a confirmation and shows the new one once", async () => {
    const path = `POST /v1/webhooks/endpoints/${ENDPOINT.id}/rotate-secret`;
    const fake = api(premium, [], [ENDPOINT]).on(path, () =>
      json(200, { ...ENDPOINT, secret: "whsec_new" }),
    );
    const { user } = renderApp("/settings/developers", fake);
    const list = await screen.findByRole("list", { name: "Your webhook endpoints" });
    await user.click(within(list).getByRole("button", { name: "Rotate secret" }));
    expect(within(list).getByText(/current secret stops signing at once/)).toBeVisible();
    await user.click(within(list).getByRole("button", { name: "Keep the current secret" }));
    expect(fake.calls(path)).toHaveLength(0);

    await user.click(within(list).getByRole("button", { name: "Rotate secret" }));
    await user.click(
      within(list).getByRole("button", { name: `Rotate the secret of ${ENDPOINT.url}` }),
    );
    const dialog = await screen.findByRole("dialog", { name: /new signing secret/ });
    expect(within(dialog).getByLabelText("Signing secret")).toHaveValue("whsec_new");
    expect(fake.calls(path)).toHaveLength(1);
    await user.click(within(dialog).getByRole("button", { name: "I have stored it" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(screen.queryByText("whsec_new")).not.toBeInTheDocument();
    expect(within(list).getByRole("button", { name: "Rotate secret" })).toBeVisible();
  });

  it("shows a refused rotation", async () => {
    const fake = api(premium, [], [ENDPOINT]).on(
      `POST /v1/webhooks/endpoints/${ENDPOINT.id}/rotate-secret`,
      () => apiError(404, "webhook_endpoint_not_found", "This webhook endpoint is not here."),
    );
    const { user } = renderApp("/settings/developers", fake);
    const list = await screen.findByRole("list", { name: "Your webhook endpoints" });
    await user.click(within(list).getByRole("button", { name: "Rotate secret" }));
    await user.click(within(list).getByRole("button", { name: /^Rotate the secret of/ }));
    expect(await within(list).findByRole("alert")).toHaveTextContent("not here");
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
  });

  it("shows an endpoint's delivery log and redelivers", async () => {
    const delivery = {
      id: "0a1b2c3d-0000-4000-8000-000000000401",
      endpoint_id: ENDPOINT.id,
      event_type: "order.completed",
      status: "failed",
      attempt_count: 3,
      attempts: [],
      created_at: NOW,
      delivered_at: null,
      last_error: "HTTP 500",
      last_latency_ms: 120,
      last_status_code: 500,
      next_attempt_at: null,
      payload: {},
    };
    const fake = api(premium, [], [ENDPOINT])
      .on(`GET /v1/webhooks/endpoints/${ENDPOINT.id}/deliveries`, () =>
        json(200, { items: [delivery], next_cursor: null }),
      )
      .on(`POST /v1/webhooks/deliveries/${delivery.id}/redeliver`, () =>
        json(202, { ...delivery, status: "pending" }),
      );
    const { user } = renderApp("/settings/developers", fake);
    const list = await screen.findByRole("list", { name: "Your webhook endpoints" });
    await user.click(within(list).getByRole("button", { name: "Show deliveries" }));
    const table = await within(list).findByRole("table");
    expect(table).toHaveTextContent("Failed");
    expect(table).toHaveTextContent("500");
    expect(table).toHaveTextContent("120 ms");
    await user.click(within(table).getByRole("button", { name: /Redeliver order.completed/ }));
    await waitFor(() =>
      expect(fake.calls(`POST /v1/webhooks/deliveries/${delivery.id}/redeliver`)).toHaveLength(1),
    );
  });
});
