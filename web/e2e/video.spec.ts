/**
 * Video review and the creator's video tools in a browser. A fresh creator (with a gig whose
 * package declares a video spec) and a fresh client with a paid order: the creator delivers a
 * video and sees its spec check; the client comments at 00:05, cannot download the original yet
 * and asks for a revision bundling the comment; the creator's second delivery addresses it; the
 * client approves and the original downloads. Then the creator trims a video on the tools page
 * and watches the job finish. Axe-core checks each page; both pages are photographed.
 */
import { expect, test, type APIRequestContext, type Page } from "@playwright/test";
import { expectAccessible, logIn, logOut, screenshots, testClip } from "./support";

const stamp = Date.now().toString(36);
const creator = {
  full_name: "Vera Cutter",
  username: `vera-${stamp}`,
  email: `vera-${stamp}@example.com`,
  password: "Vera!Passw0rd-e2e",
  role: "creator",
};
const client = {
  full_name: "Otto Client",
  username: `otto-${stamp}`,
  email: `otto-${stamp}@example.com`,
  password: "Otto!Passw0rd-e2e",
  role: "client",
};

test.describe.configure({ mode: "serial" });
let orderPath = "";

async function register(request: APIRequestContext, person: typeof creator): Promise<string> {
  const registered = await request.post("/v1/auth/register", { data: person });
  expect(registered.status(), await registered.text()).toBe(201);
  const login = await request.post("/v1/auth/login", {
    data: { email: person.email, password: person.password },
  });
  expect(login.ok(), await login.text()).toBeTruthy();
  return ((await login.json()) as { access_token: string }).access_token;
}

function bearer(token: string) {
  return { Authorization: `Bearer ${token}` };
}

/** Upload a delivery video on the order page and wait until it is processed. */
async function uploadDelivery(page: Page, message: string): Promise<void> {
  await page.getByLabel("Message to the client").fill(message);
  await page
    .getByRole("group", { name: "Add a video" })
    .locator('input[type="file"]')
    .setInputFiles(testClip(8));
  await expect(
    page.getByRole("list", { name: "Files to deliver" }).getByText("Ready", { exact: true }),
  ).toBeVisible({ timeout: 90_000 });
}

test("a fresh creator and client get a paid order", async ({ page }) => {
  const request = page.request;
  const creatorToken = await register(request, creator);
  const clientToken = await register(request, client);

  const [category] = (await (await request.get("/v1/categories")).json()) as { id: number }[];
  if (!category) throw new Error("the demo has no categories");
  const gig = await request.post("/v1/gigs", {
    headers: bearer(creatorToken),
    data: {
      title: `Vertical social cut of your footage ${stamp}`,
      description: "A punchy edit for social media, delivered to spec.",
      category_id: category.id,
      packages: [
        {
          tier: "basic",
          description: "One 16:9 cut, 30 fps, mastered to -14 LUFS.",
          price: { currency: "EUR", value: "80.00" },
          delivery_days: 3,
          revisions: 2,
          video_spec: {
            aspect_ratio: "16:9",
            frame_rate: { fps: 30 },
            loudness: { target_lufs: -14 },
          },
        },
      ],
    },
  });
  expect(gig.status(), await gig.text()).toBe(201);
  const { id: gigId, packages } = (await gig.json()) as { id: string; packages: { id: string }[] };
  const [basic] = packages;
  if (!basic) throw new Error("the gig has no package");

  const order = await request.post("/v1/orders", {
    headers: bearer(clientToken),
    data: { gig_id: gigId, package_id: basic.id, requirements: "Footage: example.com/raw" },
  });
  expect(order.status(), await order.text()).toBe(201);
  const { id: orderId } = (await order.json()) as { id: string };
  const checkout = await request.post("/v1/payments/checkout", {
    headers: { ...bearer(clientToken), "Idempotency-Key": crypto.randomUUID() },
    data: { order_id: orderId },
  });
  expect(checkout.ok(), await checkout.text()).toBeTruthy();
  const { checkout_url } = (await checkout.json()) as { checkout_url: string };

  // The sandbox provider's page, as the client would pay on it.
  await page.goto(checkout_url);
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}\?payment=/);
  orderPath = `/orders/${orderId}`;
});

test("the creator delivers a video and sees its spec check", async ({ page }) => {
  await logIn(page, creator.email, creator.password);
  await page.goto(orderPath);
  await expect(page.getByText("In progress").first()).toBeVisible({ timeout: 30_000 });
  await uploadDelivery(page, "First cut, as briefed.");
  // The check measures the file against the package: 25 fps against 30 fails.
  await expect(page.getByText(/Spec check: (failed|warning)/)).toBeVisible({ timeout: 60_000 });
  await page.getByRole("button", { name: "Deliver work" }).click();
  await expect(page.getByText("Delivered").first()).toBeVisible();
  const review = page.getByTestId("delivery-review");
  await expect(review.getByText("Frame rate")).toBeVisible();
  await expect(review.getByText(/Measured 25/).first()).toBeVisible();
  await logOut(page);
});

test("the client comments at 00:05, cannot download yet and asks for a revision", async ({
  page,
}) => {
  await logIn(page, client.email, client.password);
  await page.goto(orderPath);
  const review = page.getByTestId("delivery-review");
  const video = review.locator("video");
  await expect
    .poll(() => video.evaluate((element: HTMLVideoElement) => element.readyState), {
      timeout: 30_000,
    })
    .toBeGreaterThanOrEqual(1);

  // Pause at 00:05 and click the picture: the comment is pinned there.
  await video.evaluate((element: HTMLVideoElement) => {
    element.pause();
    element.currentTime = 5.2;
  });
  await review.getByTestId("comment-layer").click({ position: { x: 120, y: 80 } });
  await review.getByLabel("Comment at 00:05").fill("Cut to the wide shot a beat earlier.");
  await review.getByRole("button", { name: "Post comment" }).click();
  const thread = review.getByRole("listitem", { name: "Comment at 00:05" });
  await expect(thread.getByText("Cut to the wide shot a beat earlier.")).toBeVisible();
  await expect(review.getByRole("button", { name: "Go to the comment at 00:05" })).toBeVisible();

  // The original is the creator's until the work is approved.
  await review.getByRole("button", { name: "Download original" }).click();
  await expect(review.getByRole("alert")).toContainText(/approved|released/i);
  await expectAccessible(page, "the order page (video review)");
  await review.evaluate((element) => {
    element.scrollIntoView({ block: "start" });
    window.scrollBy(0, -96); // below the sticky header
  });
  await screenshots(page, "video-review");

  await page.getByRole("button", { name: "Request a revision" }).click();
  const dialog = page.getByRole("dialog", { name: "Request a revision" });
  await expect(dialog.getByRole("checkbox", { name: /1 open comment/ })).toBeChecked();
  await dialog.getByLabel("What should change").fill("See my comment on the timeline.");
  await dialog.getByRole("button", { name: "Request revision" }).click();
  await expect(page.getByText("Revision requested").first()).toBeVisible();
  await logOut(page);
});

test("the creator's second delivery addresses the comment; the client approves and downloads", async ({
  page,
}) => {
  await logIn(page, creator.email, creator.password);
  await page.goto(orderPath);
  const addressed = page.getByRole("group", { name: "Comments this delivery addresses" });
  await expect(addressed.getByRole("checkbox", { name: /00:05/ })).toBeChecked();
  await uploadDelivery(page, "Second cut: the wide shot comes earlier.");
  await page.getByRole("button", { name: "Deliver work" }).click();
  await expect(page.getByText("Delivered").first()).toBeVisible();
  await expect(page.getByText("Addressed in delivery 2")).toBeVisible();
  await logOut(page);

  await logIn(page, client.email, client.password);
  await page.goto(orderPath);
  await page.getByRole("button", { name: "Approve delivery" }).click();
  await page.getByRole("button", { name: "Approve and release payment" }).click();
  await expect(page.getByText("Completed").first()).toBeVisible();

  const latest = page.getByTestId("delivery-review").first();
  const download = page.waitForEvent("download");
  await latest.getByRole("button", { name: "Download original" }).click();
  expect((await download).suggestedFilename()).toMatch(/\.mp4$/);
  await logOut(page);
});

test("a creator trims a video on the tools page and sees it finish", async ({ page }) => {
  await logIn(page, creator.email, creator.password);
  await page.getByRole("button", { name: /account menu/i }).click();
  await page.getByRole("menuitem", { name: "Video tools" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Video tools" })).toBeVisible();

  const picker = page.getByLabel("Your video");
  await expect(picker.locator("option")).not.toHaveCount(1);
  await picker.selectOption({ index: 1 });
  const start = page.getByRole("slider", { name: "Start of the clip" });
  await start.focus();
  await start.press("Shift+ArrowRight");
  await expect(start).toHaveAttribute("aria-valuetext", "00:01.00");
  const end = page.getByRole("slider", { name: "End of the clip" });
  await end.focus();
  await end.press("Shift+ArrowLeft");
  await end.press("Shift+ArrowLeft");
  await page.getByLabel("Re-frame", { exact: true }).selectOption("9:16");
  await expectAccessible(page, "the video tools page");
  // The plan's trims meter counts the trim.
  const trims = page.getByRole("complementary").getByRole("listitem").filter({ hasText: "Trims" });
  await expect(trims).toContainText(/^Trims0/);
  await page.getByRole("button", { name: /^Trim / }).click();
  await expect(trims).toContainText(/^Trims1/);

  const job = page.getByTestId("video-job").first();
  await expect(job.getByText("Done")).toBeVisible({ timeout: 90_000 });
  await job.getByRole("button", { name: "Preview clip" }).click();
  await expect(job.locator("video")).toBeVisible();
  await expectAccessible(page, "the video tools page (a finished trim)");
  await page.getByRole("heading", { name: "2. Cut it" }).evaluate((element) => {
    element.scrollIntoView({ block: "start" });
    window.scrollBy(0, -96); // below the sticky header
  });
  await screenshots(page, "video-tools");
});
