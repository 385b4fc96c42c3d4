/**
 * Projects in a browser: a new client posts an invite-only project and invites the demo creator;
 * she proposes with two milestones (kept on the proposal) and finds it in My proposals; the client
 * compares the proposals, accepts hers (the order comes planned with those milestones), and
 * funds the first milestone on the sandbox provider's page; the milestone shows funded. Axe-core
 * checks every page on the way; the browse page, My proposals and the proposals board are
 * photographed.
 */
import { expect, test } from "@playwright/test";
import { DEMO_CREATOR, expectAccessible, logIn, logOut, screenshots } from "./support";

const stamp = Date.now().toString(36);
const client = {
  name: "Nora Producer",
  username: `nora-${stamp}`,
  email: `nora-${stamp}@example.com`,
  password: "Nora!Passw0rd-e2e",
};
const TITLE = `Launch teaser for our cycling app ${stamp}`;

test.describe.configure({ mode: "serial" });
let projectPath = "";

/** A one-page PDF, valid enough for the API's sniffing. */
function tinyPdf(): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
  ];
  let body = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

test("a new client posts an invite-only project and invites a creator", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Full name").fill(client.name);
  await page.getByLabel("Username").fill(client.username);
  await page.getByLabel("E-mail").fill(client.email);
  await page.getByLabel("Password").fill(client.password);
  await page.getByRole("radio", { name: /^Hire creators/ }).check();
  await page.getByRole("button", { name: /create/i }).click();
  await expect(page.getByRole("button", { name: /account menu/i })).toBeVisible();

  await page.getByRole("button", { name: /account menu/i }).click();
  await page.getByRole("menuitem", { name: "My projects" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My projects" })).toBeVisible();
  await expect(page.getByText("No open projects")).toBeVisible();
  await expectAccessible(page, "my projects (empty)");
  await page.getByRole("link", { name: "Post a project" }).click();

  await expect(page.getByRole("heading", { level: 1, name: "Post a project" })).toBeVisible();
  await expectAccessible(page, "the project form");
  // Sent empty: the form says what is missing, next to each field.
  await page.getByRole("button", { name: "Post project" }).click();
  await expect(page.getByText("Choose a category.")).toBeVisible();

  await page.getByLabel("Title").fill(TITLE);
  await page
    .getByLabel("Description")
    .fill("A 30-second teaser from our ride footage, 9:16 for Reels and 16:9 for YouTube.");
  const category = page.getByLabel("Category", { exact: true });
  await expect(category.locator("option").nth(1)).toBeAttached();
  await category.selectOption({ index: 1 });
  await page.getByLabel("From", { exact: true }).fill("300");
  await page.getByLabel("To", { exact: true }).fill("600");
  await page.getByLabel("Deadline").fill(inDays(30));
  await page.getByLabel("Skills").fill("color grading, motion graphics");
  await page.getByRole("radio", { name: /^Invite only/ }).check();
  await page.getByRole("button", { name: "Post project" }).click();

  await expect(page.getByRole("heading", { level: 1, name: TITLE })).toBeVisible();
  await expect(page.getByText("Your project is posted.")).toBeVisible();
  await expect(page.getByText("No proposals yet")).toBeVisible();
  projectPath = new URL(page.url()).pathname;

  // A brief as a PDF: uploaded for the project, then attached to it.
  await page
    .getByRole("group", { name: "Add a PDF (a brief, a script)" })
    .locator('input[type="file"]')
    .setInputFiles({ name: "brief.pdf", mimeType: "application/pdf", buffer: tinyPdf() });
  await expect(
    page.getByRole("list", { name: "Attachments" }).getByRole("link", { name: "brief.pdf" }),
  ).toBeVisible({ timeout: 30_000 });

  await page.getByLabel("Find a creator by name").fill("Maya");
  await page
    .getByRole("search", { name: "Find creators to invite" })
    .getByRole("button", { name: "Search" })
    .click();
  await page.getByRole("button", { name: "Invite Maya Jensen" }).click();
  await expect(
    page.getByRole("list", { name: "Invited creators" }).getByText("Maya Jensen"),
  ).toBeVisible();
  await expectAccessible(page, "the project page (owner)");
  await logOut(page);
});

test("the invited creator proposes with two milestones", async ({ page }) => {
  await logIn(page, DEMO_CREATOR);
  await page.goto(projectPath);
  await expect(page.getByRole("heading", { level: 1, name: TITLE })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Send a proposal" })).toBeVisible();
  await expectAccessible(page, "the project page (creator)");

  await page
    .getByLabel("Cover letter")
    .fill("I cut sports teasers every week: fast, rhythmic, graded to pop on phones.");
  await page.getByLabel("Price (EUR)").fill("450");
  await page.getByLabel("Delivery in days").fill("10");
  await page.getByRole("button", { name: "Add a milestone" }).click();
  await page.getByRole("button", { name: "Add a milestone" }).click();
  await page.getByLabel("Milestone 1 title").fill("Rough cut");
  await page.getByLabel("Amount (EUR)").first().fill("150");
  await page.getByLabel("Milestone 2 title").fill("Final teaser in both formats");
  await page.getByLabel("Amount (EUR)").nth(1).fill("250");
  // The sum is checked live against the price.
  await expect(page.getByText(/€50(\.00)? left to assign/)).toBeVisible();
  await page.getByLabel("Amount (EUR)").nth(1).fill("300");
  await expect(page.getByText(/Milestones add up to €450/)).toBeVisible();
  await expectAccessible(page, "the proposal form");
  await page.getByRole("button", { name: "Send proposal" }).click();

  await expect(page.getByRole("heading", { name: "Your proposal" })).toBeVisible();
  await expect(page.getByText("Pending", { exact: true })).toBeVisible();
  await expect(page.getByRole("list", { name: "Your milestones" })).toContainText("Rough cut");
  await expect(page.getByText("Proposed milestones:")).toHaveCount(0); // not in the letter
  await expectAccessible(page, "the project page (proposal sent)");

  await page.getByRole("button", { name: /account menu/i }).click();
  await page.getByRole("menuitem", { name: "My proposals" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "My proposals" })).toBeVisible();
  const mine = page.getByRole("article", { name: TITLE });
  await expect(mine).toContainText("€450");
  await expect(mine).toContainText("2 milestones");
  await expect(mine.getByText("Pending", { exact: true })).toBeVisible();
  await expectAccessible(page, "my proposals");
  await screenshots(page, "my-proposals");
  await mine.getByRole("link", { name: TITLE }).click();
  await expect(page.getByRole("heading", { level: 1, name: TITLE })).toBeVisible();
  await logOut(page);
});

test("the client compares, accepts and funds the first milestone", async ({ page }) => {
  await logIn(page, client.email, client.password);
  await page.goto("/projects");
  await expect(page.getByRole("link", { name: TITLE })).toBeVisible();
  await expectAccessible(page, "the projects page");
  await screenshots(page, "projects");

  await page.getByRole("link", { name: TITLE }).click();
  const board = page.getByRole("article", { name: "Proposal from Maya Jensen" });
  await expect(board).toBeVisible();
  await expect(board.getByRole("list", { name: /Milestones proposed/ })).toContainText("Rough cut");
  await board.getByRole("button", { name: "Shortlist" }).click();
  await expect(board.getByRole("button", { name: "Shortlisted" })).toBeVisible();
  await expectAccessible(page, "the proposals board");
  // The board under the sticky header, for the README.
  await page.evaluate(() => {
    const heading = document.getElementById("proposals");
    if (heading)
      window.scrollTo({ top: heading.getBoundingClientRect().top + window.scrollY - 96 });
  });
  await screenshots(page, "proposals-board");

  await board.getByRole("button", { name: "Accept Maya Jensen’s proposal" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("in 2 milestones");
  await expectAccessible(page, "the accept dialog");
  await dialog.getByRole("button", { name: "Accept and create the order" }).click();

  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}$/);
  const milestones = page.getByRole("list", { name: "Milestones" });
  await expect(milestones.getByRole("listitem")).toHaveCount(2);
  await expect(milestones.getByRole("listitem").first()).toContainText("Not funded");
  await expectAccessible(page, "the order page (milestones)");

  await page.getByRole("button", { name: /^Fund Rough cut/ }).click();
  await expect(page).toHaveURL(/\/sandbox\/checkout\//);
  await page.getByRole("button", { name: "Pay" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]{36}\?payment=/);
  await expect(
    page.getByRole("list", { name: "Milestones" }).getByRole("listitem").first(),
  ).toContainText("Funded", { timeout: 30_000 });
  await expect(page.getByText("In progress").first()).toBeVisible({ timeout: 30_000 });
  await expectAccessible(page, "the order page (first milestone funded)");
});
