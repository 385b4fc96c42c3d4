/**
 * Payouts in a browser. A fresh creator adds a sandbox payout method, goes through the sandbox
 * provider's onboarding page (approve), comes back to /settings/payouts and sees it verified;
 * sets a weekly payout schedule; downloads this month's statement as PDF. Axe-core checks the
 * pages; the payouts page is photographed. Then the billing page: the creator subscribes to Pro
 * on the sandbox checkout, sees it active, cancels at the period end and resumes.
 */
import { expect, test } from "@playwright/test";
import { expectAccessible, logIn, screenshots } from "./support";

const stamp = Date.now().toString(36);
const creator = {
  full_name: "Paula Payout",
  username: `paula-${stamp}`,
  email: `paula-${stamp}@example.com`,
  password: "Paula!Passw0rd-e2e",
  role: "creator",
};

test.describe.configure({ mode: "serial" });

test("a creator adds a sandbox payout method, is verified, schedules and downloads", async ({
  page,
}) => {
  const registered = await page.request.post("/v1/auth/register", { data: creator });
  expect(registered.status(), await registered.text()).toBe(201);
  await logIn(page, creator.email, creator.password);

  await page.goto("/earnings");
  await page.getByRole("link", { name: "Payouts", exact: true }).first().click();
  await expect(page).toHaveURL(/\/settings\/payouts$/);
  await expect(page.getByRole("heading", { level: 1, name: "Payouts" })).toBeVisible();
  await expect(page.getByText("No payout method yet")).toBeVisible();
  await expectAccessible(page, "payouts (empty)");

  const add = page.getByRole("form", { name: "Add a payout method" });
  await add.getByLabel("Provider").selectOption("sandbox");
  await add.getByRole("button", { name: "Add and start onboarding" }).click();

  // The sandbox provider's own page (served by the API), then back to the web app.
  await expect(page.getByRole("heading", { name: "Sandbox payout onboarding" })).toBeVisible();
  await page.getByRole("button", { name: "Approve" }).click();
  await expect(page).toHaveURL(/\/settings\/payouts\?method=/);
  const methods = page.getByRole("list", { name: "Your payout methods" });
  await expect(methods.getByText("Verified", { exact: true })).toBeVisible();
  await expect(methods.getByText("Default", { exact: true })).toBeVisible();
  await expect(page.getByText(/Withdrawals can now go there/)).toBeVisible();

  const schedule = page.getByRole("form", { name: "Payout schedule" });
  await schedule.getByLabel("Pay out").selectOption("weekly");
  await schedule.getByLabel("On", { exact: true }).selectOption("5");
  await schedule.getByRole("button", { name: "Save schedule" }).click();
  await expect(schedule.getByText(/Every Friday/)).toBeVisible();
  await expect(schedule.getByText(/Next payout:/)).toBeVisible();

  const statement = page.waitForResponse(
    (response) =>
      response.url().includes("/v1/payments/me/statements/") &&
      response.request().method() === "GET",
  );
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Download PDF" }).click();
  const response = await statement;
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toContain("application/pdf");
  expect((await download).suggestedFilename()).toMatch(/\.pdf$/);

  await expectAccessible(page, "payouts");
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshots(page, "payouts");
});

test("an e-mailed confirmation link that does not work says why", async ({ page }) => {
  await page.goto("/payout-methods/confirm?token=not-a-real-token-but-long-enough-to-send");
  await expect(page.getByRole("alert")).toContainText(/not valid or has expired/);
  await expectAccessible(page, "payout method confirmation");
});

test("the creator subscribes to Pro from the billing page", async ({ page }) => {
  await logIn(page, creator.email, creator.password);
  await page.getByRole("button", { name: /account menu/i }).click();
  await page.getByRole("menuitem", { name: "Billing" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Billing" })).toBeVisible();
  const proPlan = page.getByRole("listitem", { name: "Pro plan" });
  await expect(proPlan).toBeVisible();
  await expectAccessible(page, "billing (free)");

  await proPlan.getByRole("button", { name: "Upgrade to Pro" }).click();
  await expect(page.getByRole("heading", { name: "Sandbox subscription checkout" })).toBeVisible();
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page.getByText(/Welcome to Pro|plan is active/).first()).toBeVisible();

  await page.goto("/billing");
  await expect(page.getByText("Active", { exact: true })).toBeVisible();
  await expect(proPlan.getByText("Your plan", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Cancel subscription" }).click();
  await page.getByRole("button", { name: "Cancel at the end of the period" }).click();
  await expect(page.getByText(/Your subscription ends on/)).toBeVisible();
  await page.getByRole("button", { name: "Keep my subscription" }).click();
  await expect(page.getByRole("button", { name: "Cancel subscription" })).toBeVisible();

  await expectAccessible(page, "billing");
  await screenshots(page, "billing");
});
