/**
 * Messages in two browsers: a fresh client opens a conversation from a fresh creator's profile and
 * writes; the creator sees it arrive without reloading, reads it (the client sees "Seen"), types
 * (the client sees it) and answers. Then the client's chat socket is dropped while the creator
 * sends two messages: once reconnected, the client shows each exactly once. Inbox and
 * conversation pass axe; the conversation is photographed.
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
