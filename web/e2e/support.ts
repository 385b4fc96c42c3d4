/** What the browser tests share: accessibility checks, screenshots, demo logins, a test clip. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";

export const DEMO_PASSWORD = "Demo!Passw0rd";
export const DEMO_CREATOR = "maya@example.com";
const ROOT = resolve(import.meta.dirname, "..", "..");
const SCREENSHOTS = join(ROOT, "docs", "screenshots");

/** No serious or critical axe-core violation on the page as it is now. */
export async function expectAccessible(page: Page, where: string): Promise<void> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} — ${violation.nodes
          .slice(0, 3)
          .map((node) => node.target.join(" "))
          .join(", ")}`,
    );
  expect(bad, `accessibility violations on ${where}`).toEqual([]);
}

/** docs/screenshots/<name>-desktop.png and <name>-phone.png, for the README. */
export async function screenshots(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const size = page.viewportSize();
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-desktop.png`) });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(300); // the layout settles at the new width
  await page.screenshot({ path: join(SCREENSHOTS, `${name}-phone.png`) });
  if (size) await page.setViewportSize(size);
}

export async function logIn(page: Page, email: string, password = DEMO_PASSWORD): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page.getByRole("button", { name: /account menu/i })).toBeVisible();
}

/** A new account signed up on the sign-up page, left logged in. */
export async function signUp(
  page: Page,
  person: { name: string; username: string; email: string; password: string },
  role: "client" | "creator",
): Promise<void> {
  await page.goto("/signup");
  await page.getByLabel("Full name").fill(person.name);
  await page.getByLabel("Username").fill(person.username);
  await page.getByLabel("E-mail").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page
    .getByRole("radio", { name: role === "client" ? /^Hire creators/ : /^Sell video work/ })
    .check();
  await page.getByRole("button", { name: /create/i }).click();
  await expect(page.getByRole("button", { name: /account menu/i })).toBeVisible();
}

export async function logOut(page: Page): Promise<void> {
  await page.getByRole("button", { name: /account menu/i }).click();
  await page.getByRole("menuitem", { name: "Log out" }).click();
  await expect(page.getByRole("link", { name: "Log in" })).toBeVisible();
}

/** A 640×360 H.264 clip with sound (4 s unless told), made by the ffmpeg imageio-ffmpeg ships. */
export function testClip(seconds = 4): string {
  const name =
    seconds === 4 ? "reelbyte-e2e-delivery.mp4" : `reelbyte-e2e-delivery-${seconds}s.mp4`;
  const path = join(tmpdir(), name);
  if (existsSync(path)) return path;
  const ffmpeg = execFileSync(
    "uv",
    ["run", "python", "-c", "import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())"],
    { cwd: ROOT, encoding: "utf8" },
  ).trim();
  execFileSync(ffmpeg, [
    "-y",
    "-loglevel",
    "error",
    "-f",
    "lavfi",
    "-i",
    `testsrc2=size=640x360:rate=25:duration=${seconds}`,
    "-f",
    "lavfi",
    "-i",
    `sine=frequency=440:duration=${seconds}`,
    "-c:v",
    "libx264",
    "-pix_fmt",
    "yuv420p",
    "-c:a",
    "aac",
    "-shortest",
    "-movflags",
    "+faststart",
    path,
  ]);
  return path;
}
