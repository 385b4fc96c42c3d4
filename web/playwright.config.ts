/**
 * Browser tests: Debian's Chromium (never a downloaded browser) against a real `reelbyte serve
 * --demo` on its embedded servers, started afresh for the run (e2e/serve.mjs).
 */
import { defineConfig, devices } from "@playwright/test";

const port = Number(process.env.E2E_PORT ?? 8765);
export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: "e2e",
  outputDir: "e2e-results",
  fullyParallel: false,
  workers: 1, // one server, one database: the specs share it and run in order
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: "list",
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium" },
  },
  projects: [{ name: "chromium", use: { ...devices["Desktop Chrome"], channel: undefined } }],
  webServer: {
    command: `node e2e/serve.mjs ${port}`,
    url: `${baseURL}/health/ready`,
    // The cluster (E2E_TOPOLOGY=cluster) starts five Python processes and nginx, not one.
    timeout: process.env.E2E_TOPOLOGY === "cluster" ? 600_000 : 240_000,
    reuseExistingServer: false,
    stdout: "ignore",
    stderr: "pipe",
    // SIGTERM, so that serve stops its embedded PostgreSQL, Redis and SeaweedFS (the default
    // SIGKILL would leave them running).
    gracefulShutdown: { signal: "SIGTERM", timeout: 30_000 },
  },
});
