// `reelbyte serve --demo` on a fresh data directory (its own embedded PostgreSQL, Redis and
// SeaweedFS), stopped with the test run. Usage: node e2e/serve.mjs <port>
// With E2E_TOPOLOGY=cluster: the production shape instead (bench/cluster.py), nginx on <port> in
// front of two instances and the workers, on servers of their own in a fresh folder.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const port = process.argv[2] ?? "8765";
const dataDir = mkdtempSync(join(tmpdir(), "rb-e2e-"));
const root = resolve(import.meta.dirname, "..", "..");
const env = {
  ...process.env,
  REELBYTE_DATA_DIR: dataDir,
  // Warnings and errors only: a request line per asset would bury the test report.
  LOG_LEVEL: "WARNING",
  // One browser on one address logs in as several people in a minute.
  RATE_LIMIT_LOGIN: "60/minute",
  // Each spec signs up its own people (a dozen or more in a run) from the one address.
  RATE_LIMIT_REGISTER: "200/hour",
  RATE_LIMIT_UPLOADS: "500/hour",
  RATE_LIMIT_MESSAGES: "1000/hour",
};
// The embedded servers, whatever the developer's shell points at.
for (const name of ["DATABASE_URL", "REDIS_URL", "S3_ENDPOINT_URL"]) delete env[name];

// The server's output passes through this process: should an embedded server outlive it, it
// holds this process's pipe, not Playwright's, and cannot keep the test run waiting.
const command =
  process.env.E2E_TOPOLOGY === "cluster"
    ? ["run", "python", "-m", "bench.cluster", "--demo", "--port", port, "--workdir", dataDir]
    : ["run", "reelbyte", "serve", "--demo", "--port", port];
const server = spawn("uv", command, {
  cwd: root,
  env,
  stdio: ["ignore", "pipe", "pipe"],
});
server.stdout.pipe(process.stdout);
server.stderr.pipe(process.stderr);
const stop = () => server.kill("SIGTERM");
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
server.on("exit", (code) => {
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(code ?? 0);
});
