/**
 * The admin console and the account pages: an admin suspends a freshly signed-up user, who is
 * logged out on their next page load and told why; every admin page and the analytics with a
 * date range pass axe; a person exports their data and deletes their account.
 */
import { expect, test, type Browser, type Page } from "@playwright/test";
import { expectAccessible, logIn, screenshots } from "./support";

const ADMIN = "admin@example.com";
const CLIENT = "ada@example.com";
const PASSWORD = "Str0ng!Passw0rd-e2e";

/** A new client account, made through the API, logged in on a page of its own. */
async function freshUser(browser: Browser, name: string) {
  const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
  const username = `${name}-${stamp}`;
  const email = `${username}@example.com`;
  const context = await browser.newContext();
  const page = await context.newPage();
  const response = await page.request.post("/v1/auth/register", {
    data: { email, username, password: PASSWORD, full_name: `Sam ${stamp}`, role: "client" },
  });
  expect(response.ok()).toBeTruthy();
  await logIn(page, email, PASSWORD);
  return { page, email, username, close: () => context.close() };
}

async function openAdmin(page: Page, path: string, heading: string | RegExp) {
  await page.goto(path);
  await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
}

test("a non-admin is told the admin console is not for them", async ({ page }) => {
  await logIn(page, CLIENT);
  await page.getByRole("button", { name: /account menu/i }).click();
  await expect(page.getByRole("menuitem", { name: "Admin console" })).toHaveCount(0);
  await page.keyboard.press("Escape");
  await page.goto("/admin");
  await expect(page.getByText("You are not allowed here")).toBeVisible();
  await expectAccessible(page, "the admin console, not allowed");
});

test("an admin suspends a user, who is logged out on their next page load with the reason", async ({
  page,
  browser,
}) => {
  const sam = await freshUser(browser, "sam");
  await sam.page.goto("/settings");
  await expect(sam.page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();

  await logIn(page, ADMIN);
  await page.getByRole("button", { name: /account menu/i }).click();
  await page.getByRole("menuitem", { name: "Admin console" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await expectAccessible(page, "the admin users page");

  await page.getByLabel("Role").selectOption("client");
  await expect(page).toHaveURL(/role=client/);
  const search = page.getByRole("search", { name: "Search users" });
  await search.getByRole("searchbox").fill(sam.username);
  await search.getByRole("button", { name: "Search" }).click();
  const row = page.getByRole("listitem", { name: new RegExp(`@${sam.username}`) });
  await expect(row).toBeVisible();
  await expect(page.getByRole("list", { name: "Users" }).getByRole("listitem")).toHaveCount(1);

  const reason = "Spam sent to several creators";
  await row.getByRole("button", { name: `Suspend @${sam.username}` }).click();
  const dialog = page.getByRole("dialog", { name: `Suspend @${sam.username}` });
  await expectAccessible(page, "the suspend dialog");
  await dialog.getByRole("button", { name: "Suspend account" }).click();
  await expect(dialog.getByText("Say why")).toBeVisible();
  await dialog.getByLabel("Reason").fill(reason);
  await dialog.getByRole("button", { name: "Suspend account" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByText(reason)).toBeVisible();
  await expect(row.getByRole("button", { name: /Lift the suspension/ })).toBeVisible();
  await screenshots(page, "admin-users");

  // Their next page load: the session is gone, the log-in page says why.
  await sam.page.reload();
  await expect(sam.page).toHaveURL(/\/login/);
  await sam.page.getByLabel("E-mail").fill(sam.email);
  await sam.page.getByLabel("Password").fill(PASSWORD);
  await sam.page.getByRole("button", { name: "Log in" }).click();
  await expect(sam.page.getByRole("alert")).toContainText(reason);
  await expect(sam.page).toHaveURL(/\/login/);
  await sam.close();

  // The suspension is in the audit log.
  await openAdmin(page, "/admin/audit", "Audit log");
  await page.getByLabel("Action").fill("user.suspend");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByRole("list", { name: "Audit log" })).toContainText(reason);
  await expectAccessible(page, "the audit log");
});

test("every admin page and the analytics for a date range pass axe", async ({ page }) => {
  await logIn(page, ADMIN);
  await openAdmin(page, "/admin/reports", "Reports");
  await expect(
    page.getByRole("list", { name: "Reports" }).or(page.getByText("Nothing to review")),
  ).toBeVisible();
  await expectAccessible(page, "the report queue");

  await openAdmin(page, "/admin/reviews", "Reported reviews");
  await expect(
    page.getByRole("list", { name: "Flagged reviews" }).or(page.getByText("No flagged reviews")),
  ).toBeVisible();
  await expectAccessible(page, "the flagged reviews");
  await page.getByRole("tab", { name: "Reports" }).click();
  await expect(
    page.getByRole("list", { name: "Reported reviews" }).or(page.getByText("Nothing to review")),
  ).toBeVisible();
  await expectAccessible(page, "the reported reviews");

  await openAdmin(page, "/admin/disputes", "Disputes");
  await expect(
    page.getByRole("list", { name: "Disputes" }).or(page.getByText("No disputes")),
  ).toBeVisible();
  await expectAccessible(page, "the dispute queue");

  await openAdmin(page, "/admin/analytics", "Analytics");
  const today = new Date();
  const monthAgo = new Date(today.getTime() - 30 * 86_400_000);
  const day = (date: Date) => date.toISOString().slice(0, 10);
  await page.getByLabel("From", { exact: true }).fill(day(monthAgo));
  await page.getByLabel("To", { exact: true }).fill(day(today));
  await page.getByLabel("Interval").selectOption("week");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/from=.*&to=|interval=week/);
  await expect(page.getByRole("img", { name: /^Sign-ups:/ })).toBeVisible();
  await expect(page.getByRole("img", { name: /^Orders:/ })).toBeVisible();
  await expect(page.locator(".recharts-surface").first()).toBeVisible();
  await expectAccessible(page, "the analytics");
  await screenshots(page, "admin-analytics");

  // A range that ends before it starts is refused next to the field.
  await page.getByLabel("From", { exact: true }).fill(day(today));
  await page.getByLabel("To", { exact: true }).fill(day(monthAgo));
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page.getByText("The range must start before it ends.")).toBeVisible();
});

test("a person exports their data, ends their other sessions and deletes their account", async ({
  page,
  browser,
}) => {
  const sam = await freshUser(browser, "del");
  await logIn(page, sam.email, PASSWORD); // a second session, to end from the first
  await sam.page.goto("/settings");
  const settings = sam.page;
  await expect(settings.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();

  await settings.getByRole("button", { name: /Log out 1 other session/ }).click();
  await expect(settings.getByText("Your other sessions were logged out.")).toBeVisible();

  await settings.getByRole("button", { name: "Export my data" }).click();
  const exports = settings.getByRole("list", { name: "Your data exports" });
  await expect(exports).toBeVisible();
  await expect(exports.getByRole("link", { name: "Download ZIP" })).toBeVisible({
    timeout: 60_000,
  });
  await expectAccessible(settings, "the account settings");
  await screenshots(settings, "account-settings");

  const remove = settings.getByRole("button", { name: "Delete my account" });
  await expect(remove).toBeDisabled();
  await settings.getByLabel(/Type your username/).fill(sam.username);
  await remove.click();
  await expect(settings).toHaveURL(/:\d+\/$/);
  await expect(settings.getByText("Your account has been deleted.")).toBeVisible();
  await sam.close();
});
