/**
 * Messages in two browsers: a fresh client opens a conversation from a fresh creator's profile and
 * writes; the creator sees it arrive without reloading, reads it (the client sees "Seen"), types
 * (the client sees it) and answers. Then the client's chat socket is dropped while the creator
 * sends two messages: once reconnected, the client shows each exactly once. Inbox and
 * conversation pass axe; the conversation is photographed.
 *
 * Then: a conversation opened while the other person is already connected says "Online"; a PDF
 * attached in one browser appears in the other without a reload (a text file is refused with a
 * readable reason); archived, the conversation waits under "Archived" until it is brought back.
 */
import { expect, test, type Browser, type Page } from "@playwright/test";
import { expectAccessible, logIn, screenshots } from "./support";

const PASSWORD = "Str0ng!Passw0rd-e2e";

async function freshUser(browser: Browser, name: string, role: "client" | "creator") {
  const stamp = `${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
  const username = `${name}-${stamp}`;
  const email = `${username}@example.com`;
  const fullName = `${name.charAt(0).toUpperCase()}${name.slice(1)} ${stamp}`;
  const context = await browser.newContext();
  // Keep the page's WebSockets at hand, to drop them as a network failure would.
  await context.addInitScript(() => {
    const sockets: WebSocket[] = [];
    (window as unknown as { __sockets: WebSocket[] }).__sockets = sockets;
    const Original = window.WebSocket;
    window.WebSocket = class extends Original {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    };
  });
  const page = await context.newPage();
  const response = await page.request.post("/v1/auth/register", {
    data: { email, username, password: PASSWORD, full_name: fullName, role },
  });
  expect(response.ok()).toBeTruthy();
  const { id } = (await response.json()) as { id: string };
  await logIn(page, email, PASSWORD);
  return { page, context, id, fullName };
}

/** The smallest PDF a parser takes: one empty page. */
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

const thread = (page: Page) => page.getByRole("region", { name: "Messages", exact: true });
const composer = (page: Page) => page.getByLabel("Message", { exact: true });

test("two people chat live, with receipts, typing and a dropped connection", async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const client = await freshUser(browser, "chloe", "client");
  const creator = await freshUser(browser, "carl", "creator");

  await creator.page.goto("/messages");
  await expect(creator.page.getByText("No conversations yet")).toBeVisible();
  await expectAccessible(creator.page, "the empty inbox");

  await client.page.goto(`/creators/${creator.id}`);
  await client.page.getByRole("button", { name: "Message", exact: true }).click();
  await expect(client.page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
  await expect(client.page.getByText("No messages yet. Say hello.")).toBeVisible();
  await composer(client.page).fill("Hello! Can you cut a teaser?");
  await composer(client.page).press("Enter");
  await expect(thread(client.page).getByText("Hello! Can you cut a teaser?")).toBeVisible();
  await expect(composer(client.page)).toHaveValue("");

  // The creator's inbox shows it without a reload, unread.
  const row = creator.page.getByRole("link", { name: new RegExp(client.fullName) });
  await expect(row).toContainText("1 unread");
  await row.click();
  await expect(thread(creator.page).getByText("Hello! Can you cut a teaser?")).toBeVisible();

  // The creator has read it.
  await expect(thread(client.page).getByText("Seen")).toBeVisible();

  // Typing shows on the other side; Shift+Enter is a new line, Enter sends.
  await composer(creator.page).pressSequentially("Sure");
  await expect(client.page.getByText(`${creator.fullName} is typing…`)).toBeVisible();
  await composer(creator.page).press("Shift+Enter");
  await composer(creator.page).pressSequentially("When do you need it?");
  await expect(composer(creator.page)).toHaveValue("Sure\nWhen do you need it?");
  await composer(creator.page).press("Enter");
  await expect(thread(client.page).getByText(/When do you need it\?/)).toBeVisible();
  await expect(client.page.getByText(`${creator.fullName} is typing…`)).toHaveCount(0);

  await expectAccessible(client.page, "a conversation");
  await expectAccessible(creator.page, "the inbox beside a conversation");
  await screenshots(client.page, "messages");

  // The client's connection drops while the creator writes twice.
  await client.context.setOffline(true);
  await client.page.evaluate(() => {
    for (const socket of (window as unknown as { __sockets: WebSocket[] }).__sockets) {
      socket.close();
    }
  });
  for (const text of ["Missed one", "Missed two"]) {
    await composer(creator.page).fill(text);
    await composer(creator.page).press("Enter");
    await expect(thread(creator.page).getByText(text, { exact: true })).toBeVisible();
  }
  await client.page.waitForTimeout(1500);
  await client.context.setOffline(false);
  for (const text of ["Missed one", "Missed two"]) {
    await expect(thread(client.page).getByText(text, { exact: true })).toHaveCount(1, {
      timeout: 30_000,
    });
  }
  // And still live after the reconnection.
  await composer(creator.page).fill("Back online?");
  await composer(creator.page).press("Enter");
  await expect(thread(client.page).getByText("Back online?", { exact: true })).toHaveCount(1, {
    timeout: 30_000,
  });
  await expect(thread(client.page).getByText("Missed two", { exact: true })).toHaveCount(1);

  await client.context.close();
  await creator.context.close();
});

test("presence on opening, a file sent live, and the archive", async ({ browser }) => {
  test.setTimeout(120_000);
  const client = await freshUser(browser, "nora", "client");
  const creator = await freshUser(browser, "otto", "creator");

  // The creator is connected before the client opens the conversation.
  await creator.page.goto("/messages");
  await expect(creator.page.getByText("No conversations yet")).toBeVisible();

  await client.page.goto(`/creators/${creator.id}`);
  await client.page.getByRole("button", { name: "Message", exact: true }).click();
  await expect(client.page).toHaveURL(/\/messages\/[0-9a-f-]{36}$/);
  const header = client.page.getByRole("region", { name: `Conversation with ${creator.fullName}` });
  await expect(header.getByText(/· Online$/)).toBeVisible();

  await composer(client.page).fill("The brief follows.");
  await composer(client.page).press("Enter");
  await creator.page.getByRole("link", { name: new RegExp(client.fullName) }).click();
  await expect(thread(creator.page).getByText("The brief follows.")).toBeVisible();

  // A kind of file a message does not take is refused before anything is sent.
  const attach = client.page.getByLabel("Attach a file");
  await attach.setInputFiles({
    name: "notes.txt",
    mimeType: "text/plain",
    buffer: Buffer.from("hi"),
  });
  await expect(client.page.getByRole("alert")).toContainText("notes.txt cannot be sent");

  await attach.setInputFiles({ name: "brief.pdf", mimeType: "application/pdf", buffer: tinyPdf() });
  await expect(client.page.getByText("Ready to send")).toBeVisible({ timeout: 30_000 });
  await client.page.getByRole("button", { name: "Send", exact: true }).click();
  await expect(thread(client.page).getByRole("link", { name: /brief\.pdf/ })).toBeVisible();
  // The creator's open conversation shows it without a reload.
  const file = thread(creator.page).getByRole("link", { name: /brief\.pdf/ });
  await expect(file).toBeVisible();
  expect(await file.getAttribute("href")).toMatch(/^https?:\/\//);

  // The client archives it: it moves to Archived, and comes back.
  await client.page.getByRole("button", { name: "Archive", exact: true }).click();
  await expect(client.page.getByText(/Archived\. A new message brings it back/)).toBeVisible();
  const inbox = client.page.getByRole("navigation", { name: "Conversations" });
  await expect(inbox.getByText("No conversations yet")).toBeVisible();
  await inbox.getByRole("link", { name: "Archived" }).click();
  await expect(inbox.getByRole("link", { name: new RegExp(creator.fullName) })).toBeVisible();
  await expectAccessible(client.page, "the archive");
  await inbox
    .getByRole("button", { name: `Unarchive the conversation with ${creator.fullName}` })
    .click();
  await expect(inbox.getByText("No archived conversations")).toBeVisible();
  await inbox.getByRole("link", { name: "Inbox" }).click();
  await expect(inbox.getByRole("link", { name: new RegExp(creator.fullName) })).toBeVisible();

  await client.context.close();
  await creator.context.close();
});
