/**
 * The whole marketplace in a browser: a new client finds a gig, orders and pays for it; the
 * creator delivers a video; the client watches it, approves and reviews; the creator's balance
 * shows the earnings and the review shows on the gig page. Axe-core checks every page on the
 * way, and the main pages are photographed for the README.
 */
import { expect, test, type Page } from "@playwright/test";
import { DEMO_CREATOR, expectAccessible, logIn, logOut, screenshots, testClip } from "./support";

const GIG_TITLE = "Cinematic wedding highlight film from your footage";
const client = {
  name: "Rosa Client",
  username: `rosa-${Date.now().toString(36)}`,
  email: `rosa-${Date.now().toString(36)}@example.com`,
  password: "Rosa!Passw0rd-e2e",
};

test.describe.configure({ mode: "serial" });
let orderPath = "";

async function reviewEverything(page: Page, comment: string): Promise<void> {
  // Each rating is a group of star radios; the client's and the creator's questions differ.
  const form = page.locator("form", { has: page.getByRole("button", { name: "Post review" }) });
  const fiveStars = form.getByRole("radio", { name: "5 stars" });
  await expect(fiveStars.first()).toBeAttached();
  // As a keyboard user would: the radios are visually hidden behind their stars.
  for (const radio of await fiveStars.all()) await radio.press("Space");
  await expect(fiveStars.first()).toBeChecked();
  await form.getByRole("textbox", { name: /your review/i }).fill(comment);
  await page.getByRole("button", { name: "Post review" }).click();
}

test("a new client signs up, finds a gig, orders the Standard package and pays", async ({
  page,
}) => {
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
  await expectAccessible(page, "the home page");
  await screenshots(page, "home");

  await page.goto("/signup");
  await expectAccessible(page, "the sign-up page");
  await page.getByLabel("Full name").fill(client.name);
  await page.getByLabel("Username").fill(client.username);
  await page.getByLabel("E-mail").fill(client.email);
  await page.getByLabel("Password").fill(client.password);
  await page.getByRole("radio", { name: /^Hire creators/ }).check();
  await page.getByRole("button", { name: /create/i }).click();
  await expect(page.getByRole("button", { name: /account menu/i })).toBeVisible();

  const search = page.getByRole("combobox", { name: /search/i }).first();
  await search.fill("wedding");
  await search.press("Enter");
  await expect(page).toHaveURL(/\/search\?.*q=wedding/);
  await expectAccessible(page, "the search page");
  await screenshots(page, "search");
  await page.getByRole("link", { name: GIG_TITLE }).first().click();

  await expect(page.getByRole("heading", { level: 1, name: GIG_TITLE })).toBeVisible();
  await expectAccessible(page, "the gig page");
  await screenshots(page, "gig");
  await page.getByRole("button", { name: /Continue with Standard/i }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Your order" })).toBeVisible();
  await expectAccessible(page, "the order form");
  await page.getByLabel("What do you need?").fill("Raw footage: https://example.com/our-day");
  await page.getByRole("button", { name: /Continue to payment/ }).click();

  // The sandbox provider's own checkout page, then back to the order in the app.
  await expect(page).toHaveURL(/\/sandbox\/checkout\//);
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}\?payment=/);
  await expect(page.getByText("In progress").first()).toBeVisible({ timeout: 30_000 });
  await expectAccessible(page, "the order page (paid)");
  orderPath = new URL(page.url()).pathname;
  await logOut(page);
});

test("the creator uploads a delivery video", async ({ page }) => {
  await logIn(page, DEMO_CREATOR);
  await page.goto("/dashboard");
  await expectAccessible(page, "the creator dashboard");
  await screenshots(page, "dashboard");

  await page.goto(orderPath);
  await page.getByLabel("Message to the client").fill("Here is your highlight film.");
  await page
    .getByRole("group", { name: "Add a video" })
    .locator('input[type="file"]')
    .setInputFiles(testClip());
  const deliver = page.getByRole("button", { name: "Deliver work" });
  // Uploaded straight to storage, then probed and transcoded by the job worker.
  await expect(
    page.getByRole("list", { name: "Files to deliver" }).getByText("Ready", { exact: true }),
  ).toBeVisible({ timeout: 60_000 });
  await expectAccessible(page, "the order page (delivering)");
  await deliver.click();
  await expect(page.getByText("Delivered").first()).toBeVisible();
  await logOut(page);
});

test("the client watches the delivery, approves it and reviews the creator", async ({ page }) => {
  await logIn(page, client.email, client.password);
  await page.goto(orderPath);
  const video = page.locator("video").first();
  await expect(video).toBeVisible();
  await expect
    .poll(() => video.evaluate((element: HTMLVideoElement) => element.readyState), {
      timeout: 30_000,
    })
    .toBeGreaterThanOrEqual(1); // the browser loaded the delivered video's metadata
  await expectAccessible(page, "the order page (delivered)");
  await screenshots(page, "order");

  await page.getByRole("button", { name: "Approve delivery" }).click();
  await expectAccessible(page, "the approve dialog");
  await page.getByRole("button", { name: "Approve and release payment" }).click();
  await expect(page.getByText("Completed").first()).toBeVisible();

  await reviewEverything(page, "Beautiful film, delivered on time.");
  await expect(page.getByText("Beautiful film, delivered on time.")).toBeVisible();
  await logOut(page);
});

test("the creator sees the earnings and reviews the client; the review shows on the gig", async ({
  page,
}) => {
  await logIn(page, DEMO_CREATOR);
  await page.goto("/earnings");
  await expect(page.getByText("€297.50").first()).toBeVisible(); // €350 less the 15 % fee
  await expectAccessible(page, "the earnings page");
  await screenshots(page, "earnings");

  await page.goto(orderPath);
  await reviewEverything(page, "Clear brief, quick answers.");
  await expect(page.getByText("Clear brief, quick answers.")).toBeVisible();

  await page.goto("/search?q=wedding");
  await page.getByRole("link", { name: GIG_TITLE }).first().click();
  await expect(page.getByText("Beautiful film, delivered on time.")).toBeVisible();
});
