/**
 * Issue 19's proof, as one story in two browsers (the client's and the creator's) and an
 * admin's. A new client posts an invite-only project and invites the demo creator, who proposes
 * with two milestones; the client accepts and funds the first one on the sandbox provider's page.
 * They chat live: messages arrive without a reload and the read receipt updates. The creator
 * hands the milestone in with a video (each submission is a delivery of the order, reviewed like
 * one), the client comments at 00:05 and requests changes, the creator hands it in again, the
 * client approves the milestone and downloads the original. An admin suspends the client, whose next
 * page load logs them out with the reason. The creator subscribes to Pro on the sandbox page, runs
 * a trim and sees the usage meter move. Axe-core checks every page on the way.
 */
import { expect, test, type BrowserContext, type Page } from "@playwright/test";
import { DEMO_CREATOR, expectAccessible, logIn, signUp, testClip } from "./support";

const ADMIN = "admin@example.com";
const CREATOR_NAME = "Maya Jensen";
const stamp = Date.now().toString(36);
const client = {
  name: `Paula Proof ${stamp}`,
  username: `paula-${stamp}`,
  email: `paula-${stamp}@example.com`,
  password: "Paula!Passw0rd-e2e",
};
const PROJECT = `Brand film for our bakery ${stamp}`;
const SUSPENSION = "Proof: payments asked for outside ReelByte";

// Two videos are uploaded and transcoded on the way: a step may take longer than the default.
test.describe.configure({ mode: "serial", timeout: 180_000 });

let clientContext: BrowserContext;
let creatorContext: BrowserContext;
let asClient: Page;
let asCreator: Page;
let projectOrderPath = "";

test.beforeAll(async ({ browser }) => {
  clientContext = await browser.newContext();
  creatorContext = await browser.newContext();
  asClient = await clientContext.newPage();
  asCreator = await creatorContext.newPage();
});

test.afterAll(async () => {
  await clientContext.close();
  await creatorContext.close();
});

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

const thread = (page: Page) => page.getByRole("region", { name: "Messages", exact: true });
const composer = (page: Page) => page.getByLabel("Message", { exact: true });

const deliveries = (page: Page) => page.getByRole("region", { name: "Deliveries" });

/** The creator hands the funded milestone in: an 8-second clip, uploaded and processed, then
 * submitted; the submission is a delivery of the order, reviewed like one. */
async function submitMilestone(page: Page, note: string): Promise<void> {
  const milestone = page.getByRole("list", { name: "Milestones" }).getByRole("listitem").first();
  await milestone.getByLabel("Note to the client").fill(note);
  await milestone
    .getByRole("group", { name: "Add a video" })
    .locator('input[type="file"]')
    .setInputFiles(testClip(8));
  await expect(
    milestone.getByRole("list", { name: "Files to hand in" }).getByText("Ready", { exact: true }),
  ).toBeVisible({ timeout: 90_000 });
  await milestone.getByRole("button", { name: "Submit milestone" }).click();
  await expect(milestone).toContainText("Submitted");
  await expect(deliveries(page).getByText(note)).toBeVisible();
}

test("a client posts an invite-only project and invites a creator", async () => {
  const page = asClient;
  await signUp(page, client, "client");
  await page.getByRole("button", { name: /account menu/i }).click();
  await page.getByRole("menuitem", { name: "My projects" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My projects" })).toBeVisible();
  await expectAccessible(page, "my projects");
  await page.getByRole("link", { name: "Post a project" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Post a project" })).toBeVisible();
  await page.getByLabel("Title").fill(PROJECT);
  await page
    .getByLabel("Description")
    .fill("A 60-second film about our morning bake, for the website and Instagram.");
  const category = page.getByLabel("Category", { exact: true });
  await expect(category.locator("option").nth(1)).toBeAttached();
  await category.selectOption({ index: 1 });
  await page.getByLabel("From", { exact: true }).fill("400");
  await page.getByLabel("To", { exact: true }).fill("800");
  await page.getByLabel("Deadline").fill(inDays(30));
  await page.getByRole("radio", { name: /^Invite only/ }).check();
  await expectAccessible(page, "the project form");
  await page.getByRole("button", { name: "Post project" }).click();

  await expect(page.getByRole("heading", { level: 1, name: PROJECT })).toBeVisible();
  await page.getByLabel("Find a creator by name").fill("Maya");
  await page
    .getByRole("search", { name: "Find creators to invite" })
    .getByRole("button", { name: "Search" })
    .click();
  await page.getByRole("button", { name: `Invite ${CREATOR_NAME}` }).click();
  await expect(
    page.getByRole("list", { name: "Invited creators" }).getByText(CREATOR_NAME),
  ).toBeVisible();
  await expectAccessible(page, "the project page (owner)");
});

test("the invited creator proposes with two milestones", async () => {
  const page = asCreator;
  await logIn(page, DEMO_CREATOR);
  // The invitation is in her notifications; it leads to the project.
  await page.goto("/notifications");
  await expectAccessible(page, "the notifications");
  await page
    .getByRole("listitem")
    .filter({ hasText: PROJECT })
    .getByRole("link", { name: "Invited to a project" })
    .click();
  await expect(page.getByRole("heading", { level: 1, name: PROJECT })).toBeVisible();

  await page
    .getByLabel("Cover letter")
    .fill("I film and cut small-business stories: warm, honest, and on time.");
  await page.getByLabel("Price (EUR)").fill("600");
  await page.getByLabel("Delivery in days").fill("14");
  await page.getByRole("button", { name: "Add a milestone" }).click();
  await page.getByRole("button", { name: "Add a milestone" }).click();
  await page.getByLabel("Milestone 1 title").fill("Shoot and rough cut");
  await page.getByLabel("Amount (EUR)").first().fill("250");
  await page.getByLabel("Milestone 2 title").fill("Final film in two formats");
  await page.getByLabel("Amount (EUR)").nth(1).fill("350");
  await expect(page.getByText(/Milestones add up to €600/)).toBeVisible();
  await expectAccessible(page, "the proposal form");
  await page.getByRole("button", { name: "Send proposal" }).click();
  await expect(page.getByRole("heading", { name: "Your proposal" })).toBeVisible();
  await expectAccessible(page, "the project page (proposal sent)");
});

test("the client accepts the proposal and funds the first milestone", async () => {
  const page = asClient;
  await page.reload();
  const proposal = page.getByRole("article", { name: `Proposal from ${CREATOR_NAME}` });
  await expect(proposal).toBeVisible();
  await expectAccessible(page, "the proposals board");
  await proposal.getByRole("button", { name: `Accept ${CREATOR_NAME}’s proposal` }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("in 2 milestones");
  await expectAccessible(page, "the accept dialog");
  await dialog.getByRole("button", { name: "Accept and create the order" }).click();

  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  projectOrderPath = new URL(page.url()).pathname;
  await page.getByRole("button", { name: /^Fund Shoot and rough cut/ }).click();
  await expect(page).toHaveURL(/\/sandbox\/checkout\//);
  await expectAccessible(page, "the sandbox checkout");
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}\?payment=/);
  const milestones = page.getByRole("list", { name: "Milestones" }).getByRole("listitem");
  await expect(milestones.first()).toContainText("Funded", { timeout: 30_000 });
  await expect(milestones.nth(1)).toContainText("Not funded");
  await expectAccessible(page, "the order page (first milestone funded)");
});

test("they chat live: messages arrive without a reload and the read receipt updates", async () => {
  // The creator waits in her inbox; nothing below reloads either page.
  await asCreator.goto("/messages");
  await expect(asCreator.getByRole("heading", { level: 1, name: "Messages" })).toBeVisible();
  await expectAccessible(asCreator, "the inbox");

  await asClient.goto(projectOrderPath);
  await asClient.getByRole("button", { name: "Message the creator" }).click();
  await expect(asClient).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
  await composer(asClient).fill("The first milestone is funded. When can you shoot?");
  await composer(asClient).press("Enter");
  await expect(thread(asClient).getByText("When can you shoot?")).toBeVisible();

  const row = asCreator.getByRole("link", { name: new RegExp(client.name) });
  await expect(row).toContainText("1 unread");
  await row.click();
  await expect(thread(asCreator).getByText("When can you shoot?")).toBeVisible();
  await expect(thread(asClient).getByText("Seen")).toBeVisible();

  await composer(asCreator).fill("Thursday morning, while the first loaves come out.");
  await composer(asCreator).press("Enter");
  await expect(thread(asClient).getByText(/Thursday morning/)).toBeVisible();
  await expectAccessible(asClient, "the conversation (client)");
  await expectAccessible(asCreator, "the conversation (creator)");
});

test("the creator hands the first milestone in with a video", async () => {
  await asCreator.goto(projectOrderPath);
  await expect(asCreator.getByText("Funded").first()).toBeVisible();
  await submitMilestone(asCreator, "First cut of your film.");
  await expectAccessible(asCreator, "the order page (milestone submitted)");
});

test("the client comments at 00:05 and requests changes to the milestone", async () => {
  const page = asClient;
  await page.goto(projectOrderPath);
  const review = deliveries(page).getByTestId("delivery-review");
  const video = review.locator("video");
  await expect
    .poll(() => video.evaluate((element: HTMLVideoElement) => element.readyState), {
      timeout: 30_000,
    })
    .toBeGreaterThanOrEqual(1);
  await video.evaluate((element: HTMLVideoElement) => {
    element.pause();
    element.currentTime = 5.2;
  });
  await review.getByTestId("comment-layer").click({ position: { x: 120, y: 80 } });
  await review.getByLabel("Comment at 00:05").fill("Hold on the bread a beat longer here.");
  await review.getByRole("button", { name: "Post comment" }).click();
  await expect(
    review
      .getByRole("listitem", { name: "Comment at 00:05" })
      .getByText("Hold on the bread a beat longer here."),
  ).toBeVisible();
  // The original is the creator's until the milestone is approved.
  await review.getByRole("button", { name: "Download original" }).click();
  await expect(review.getByRole("alert")).toContainText(/approved|released/i);
  await expectAccessible(page, "the order page (video review)");

  await deliveries(page).getByRole("button", { name: "Request changes", exact: true }).click();
  const dialog = page.getByRole("dialog", { name: "Request changes to “Shoot and rough cut”" });
  await expect(dialog.getByRole("checkbox", { name: /1 open comment/ })).toBeChecked();
  await dialog.getByLabel("What should change").fill("See my comment at 00:05.");
  await expectAccessible(page, "the request-changes dialog");
  await dialog.getByRole("button", { name: "Request changes", exact: true }).click();
  await expect(dialog).toBeHidden();
  const milestones = page.getByRole("list", { name: "Milestones" }).getByRole("listitem");
  await expect(milestones.first()).toContainText("Funded");
  await expect(page.getByText("See my comment at 00:05.").first()).toBeVisible();
});

test("the creator hands the milestone in again", async () => {
  await asCreator.reload();
  await expect(asCreator.getByText("The client asked for changes:")).toBeVisible();
  await submitMilestone(asCreator, "Second cut: the bread gets its moment.");
  await expect(deliveries(asCreator).getByText("After a revision request")).toBeVisible();
});

test("the client approves the milestone and the original downloads", async () => {
  const page = asClient;
  await page.reload();
  await deliveries(page).getByRole("button", { name: "Approve milestone" }).click();
  const dialog = page.getByRole("dialog", { name: "Approve “Shoot and rough cut”?" });
  await expectAccessible(page, "the approve dialog");
  await dialog.getByRole("button", { name: "Approve and release payment" }).click();
  await expect(dialog).toBeHidden();
  const milestones = page.getByRole("list", { name: "Milestones" }).getByRole("listitem");
  await expect(milestones.first()).toContainText("Approved");
  const download = page.waitForEvent("download");
  await deliveries(page)
    .getByTestId("delivery-review")
    .first()
    .getByRole("button", { name: "Download original" })
    .click();
  expect((await download).suggestedFilename()).toMatch(/\.mp4$/);
  await expectAccessible(page, "the order page (milestone approved)");
});

test("an admin suspends the client, whose next page load logs them out with the reason", async ({
  page,
}) => {
  await logIn(page, ADMIN);
  await page.getByRole("button", { name: /account menu/i }).click();
  await page.getByRole("menuitem", { name: "Admin console" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  const search = page.getByRole("search", { name: "Search users" });
  await search.getByRole("searchbox").fill(client.username);
  await search.getByRole("button", { name: "Search" }).click();
  const row = page.getByRole("listitem", { name: new RegExp(`@${client.username}`) });
  await expect(row).toBeVisible();
  await expectAccessible(page, "the admin users page");
  await row.getByRole("button", { name: `Suspend @${client.username}` }).click();
  const dialog = page.getByRole("dialog", { name: `Suspend @${client.username}` });
  await dialog.getByLabel("Reason").fill(SUSPENSION);
  await expectAccessible(page, "the suspend dialog");
  await dialog.getByRole("button", { name: "Suspend account" }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByText(SUSPENSION)).toBeVisible();

  await asClient.reload();
  await expect(asClient).toHaveURL(/\/login/);
  await expect(asClient.getByRole("alert")).toContainText(SUSPENSION);
  await expect(asClient.getByRole("button", { name: /account menu/i })).toHaveCount(0);
  await expectAccessible(asClient, "the log-in page (suspended)");
});

test("the creator subscribes to Pro, runs a trim and sees the usage meter move", async () => {
  const page = asCreator;
  await page.goto("/billing");
  await expectAccessible(page, "the billing page");
  await page
    .getByRole("listitem", { name: "Pro plan" })
    .getByRole("button", { name: "Upgrade to Pro" })
    .click();
  await expect(page.getByRole("heading", { name: "Sandbox subscription checkout" })).toBeVisible();
  await expectAccessible(page, "the sandbox subscription checkout");
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page.getByRole("heading", { name: "Welcome to Pro" })).toBeVisible();
  await expectAccessible(page, "the subscription's return page");
  await page.getByRole("link", { name: "Back to your plan" }).click();
  await expect(page.getByRole("listitem", { name: "Pro plan" })).toContainText("Your plan");

  await page.getByRole("button", { name: /account menu/i }).click();
  await page.getByRole("menuitem", { name: "Video tools" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Video tools" })).toBeVisible();
  const meters = page.getByRole("complementary");
  await expect(meters).toContainText(/pro plan/i);
  const trims = meters.getByRole("listitem").filter({ hasText: "Trims" });
  await expect(trims).toContainText(/^Trims0 of \d+/);

  const picker = page.getByLabel("Your video");
  await expect(picker.locator("option")).not.toHaveCount(1);
  await picker.selectOption({ index: 1 });
  const end = page.getByRole("slider", { name: "End of the clip" });
  await end.focus();
  await end.press("Shift+ArrowLeft");
  await expectAccessible(page, "the video tools page");
  await page.getByRole("button", { name: /^Trim / }).click();
  await expect(trims).toContainText(/^Trims1 of \d+/);
  await expect(page.getByTestId("video-job").first()).toBeVisible();
  await expectAccessible(page, "the video tools page (a trim running)");
});
