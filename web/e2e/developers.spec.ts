/**
 * Developers in a browser. A fresh creator on Free is told API keys need a paid plan, subscribes
 * to Premium on the sandbox checkout, creates an API key (shown once, then only its prefix),
 * uses it (200), revokes it (401 after), then registers a webhook endpoint on a public address
 * and sees its signing secret once, edits it in place and rotates its secret (the new one shown
 * once). A private address is refused with the API's message. Axe checks the page; it is
 * photographed.
 */
import { expect, test } from "@playwright/test";
import { expectAccessible, logIn, screenshots } from "./support";

const stamp = Date.now().toString(36);
const creator = {
  full_name: "Devi Developer",
  username: `devi-${stamp}`,
  email: `devi-${stamp}@example.com`,
  password: "Devi!Passw0rd-e2e",
  role: "creator",
};

test.describe.configure({ mode: "serial" });

test("a creator on Free is pointed to the plans", async ({ page }) => {
  const registered = await page.request.post("/v1/auth/register", { data: creator });
  expect(registered.status(), await registered.text()).toBe(201);
  await logIn(page, creator.email, creator.password);
  await page.getByRole("button", { name: /account menu/i }).click();
  await page.getByRole("menuitem", { name: "Developers" }).click();
  await expect(page).toHaveURL(/\/settings\/developers$/);
  await expect(page.getByRole("heading", { level: 1, name: "Developers" })).toBeVisible();
  await expect(page.getByText("No API key yet")).toBeVisible();
  await expect(page.getByText(/does not include API access/)).toBeVisible();

  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill("Too early");
  await form.getByLabel(/Read gigs/).check();
  await form.getByRole("button", { name: "Create key" }).click();
  const refusal = form.getByRole("alert");
  await expect(refusal).toContainText(/upgrade to Pro or Premium/i);
  await expect(refusal.getByRole("link", { name: "See the plans" })).toHaveAttribute(
    "href",
    "/billing",
  );
  await expectAccessible(page, "developers (free)");
});

test("on Premium: an API key shown once, used, revoked; a webhook endpoint", async ({ page }) => {
  test.setTimeout(180_000); // a long walk through the page, with three axe checks
  await logIn(page, creator.email, creator.password);
  await page.goto("/billing");
  const premium = page.getByRole("listitem", { name: "Premium plan" });
  await premium.getByRole("button", { name: "Upgrade to Premium" }).click();
  await expect(page.getByRole("heading", { name: "Sandbox subscription checkout" })).toBeVisible();
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page.getByText(/Welcome to Premium|plan is active/).first()).toBeVisible();

  await page.goto("/billing");
  await page.getByRole("link", { name: "Developers", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Developers" })).toBeVisible();
  await expect(page.getByText(/does not include API access/)).toHaveCount(0);

  // Create a key: the dialog shows it once.
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill("Publishing script");
  await form.getByLabel(/Read gigs/).check();
  await form.getByRole("button", { name: "Create key" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("you will not see it again");
  const key = await dialog.getByLabel("API key").inputValue();
  expect(key).toMatch(/^rb_/);
  await dialog.getByRole("button", { name: "I have stored it" }).click();
  await expect(dialog).toBeHidden();

  const keys = page.getByRole("list", { name: "Your API keys" });
  const row = keys.getByRole("listitem").filter({ hasText: "Publishing script" });
  await expect(row).toContainText("Active");
  const prefix = (await row.locator("code").first().textContent())?.replace("…", "") ?? "";
  expect(key.startsWith(prefix)).toBe(true);
  await expect(page.getByText(key)).toHaveCount(0);

  // Use it (gigs:read opens /v1/users/me/gigs), then revoke it.
  const headers = { Authorization: `Bearer ${key}` };
  const used = await page.request.get("/v1/users/me/gigs", { headers });
  expect(used.status(), await used.text()).toBe(200);
  await row.getByRole("button", { name: "Revoke" }).click();
  await row.getByRole("button", { name: "Revoke Publishing script" }).click();
  await expect(page.getByText("No API key yet")).toBeVisible();
  const after = await page.request.get("/v1/users/me/gigs", { headers });
  expect(after.status()).toBe(401);

  // A webhook endpoint: a private address is refused, a public one gets a secret shown once.
  const hook = page.getByRole("form", { name: "Add a webhook endpoint" });
  await hook.getByLabel("Endpoint URL").fill("http://127.0.0.1:9/hook");
  await hook.getByLabel("order.completed").check();
  await hook.getByRole("button", { name: "Add endpoint" }).click();
  await expect(hook.getByLabel("Endpoint URL")).toHaveAttribute("aria-invalid", "true");
  await expect(hook.getByText(/not allowed|public|private/i).first()).toBeVisible();

  await hook.getByLabel("Endpoint URL").fill("https://93.184.215.14/reelbyte");
  await hook.getByRole("button", { name: "Add endpoint" }).click();
  const secretDialog = page.getByRole("dialog");
  await expect(secretDialog).toContainText("you will not see it again");
  await expect(secretDialog.getByLabel("Signing secret")).toHaveValue(/^whsec_/);
  const firstSecret = await secretDialog.getByLabel("Signing secret").inputValue();
  await secretDialog.getByRole("button", { name: "I have stored it" }).click();
  const endpoints = page.getByRole("list", { name: "Your webhook endpoints" });
  const endpoint = endpoints.getByRole("listitem").first();
  await expect(endpoint).toContainText("https://93.184.215.14/reelbyte");
  await expect(endpoint).toContainText("Enabled");
  await endpoint.getByRole("button", { name: "Disable" }).click();
  await expect(endpoint).toContainText("Disabled");
  await endpoint.getByRole("button", { name: "Enable" }).click();
  await expect(endpoint).toContainText("Enabled");

  // Edited in place: a new path and one more event.
  await endpoint.getByRole("button", { name: "Edit" }).click();
  const edit = endpoint.getByRole("form", { name: "Edit https://93.184.215.14/reelbyte" });
  await edit.getByLabel("Endpoint URL").fill("https://93.184.215.14/reelbyte/v2");
  await edit.getByLabel("order.paid").check();
  await expectAccessible(page, "developers (editing an endpoint)");
  await edit.getByRole("button", { name: "Save changes" }).click();
  await expect(edit).toBeHidden();
  await expect(endpoint).toContainText("https://93.184.215.14/reelbyte/v2");
  await expect(endpoint).toContainText("order.paid");

  // A new signing secret, after a confirmation, shown once.
  await endpoint.getByRole("button", { name: "Rotate secret" }).click();
  await endpoint
    .getByRole("button", { name: "Rotate the secret of https://93.184.215.14/reelbyte/v2" })
    .click();
  const rotated = page.getByRole("dialog", { name: /new signing secret/ });
  const newSecret = await rotated.getByLabel("Signing secret").inputValue();
  expect(newSecret).toMatch(/^whsec_/);
  expect(newSecret).not.toBe(firstSecret);
  await rotated.getByRole("button", { name: "I have stored it" }).click();
  await expect(rotated).toBeHidden();

  await endpoint.getByRole("button", { name: "Show deliveries" }).click();
  await expect(endpoint.getByText(/No delivery yet/)).toBeVisible();

  await expectAccessible(page, "developers");
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshots(page, "developers");
});
