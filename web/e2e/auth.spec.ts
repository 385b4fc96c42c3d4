import { expect, test } from "@playwright/test";
import { DEMO_CREATOR, expectAccessible, screenshots } from "./support";

test("a wrong password shows an error and keeps the visitor on the log-in page", async ({
  page,
}) => {
  await page.goto("/login");
  await expectAccessible(page, "the log-in page");
  await screenshots(page, "login");
  await page.getByLabel("E-mail").fill(DEMO_CREATOR);
  await page.getByLabel("Password").fill("not-the-password-1");
  await page.getByRole("button", { name: "Log in" }).click();

  await expect(page.getByRole("alert")).toContainText(/incorrect|invalid|wrong/i);
  await expect(page).toHaveURL(/\/login/);
});

test("a protected page sends the visitor to log in, and back after it", async ({ page }) => {
  await page.goto("/settings");
  await expect(page).toHaveURL(/\/login\?next=%2Fsettings/);

  await page.getByLabel("E-mail").fill(DEMO_CREATOR);
  await page.getByLabel("Password").fill("Demo!Passw0rd");
  await page.getByRole("button", { name: "Log in" }).click();

  await expect(page).toHaveURL(/\/settings$/);
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
});
