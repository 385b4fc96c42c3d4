// `npm run check:api`: fails when src/api/schema.d.ts is not what `npm run gen:api` would write
// from openapi.json. With `--from-app` it first checks that openapi.json is the running code's
// document (`uv run python -m reelbyte.openapi_dump`), so CI catches an API change whose types
// were not regenerated.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const web = dirname(dirname(fileURLToPath(import.meta.url)));
const specPath = join(web, "openapi.json");
const schemaPath = join(web, "src", "api", "schema.d.ts");
const regenerate =
  "run `uv run python -m reelbyte.openapi_dump > web/openapi.json` at the repository root, " +
  "then `npm run gen:api` in web/";

function fail(message) {
  console.error(`check:api: ${message}`);
  process.exit(1);
}

function read(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return fail(`${path} is missing: ${regenerate}`);
  }
}

if (process.argv.includes("--from-app")) {
  const dumped = execFileSync("uv", ["run", "python", "-m", "reelbyte.openapi_dump"], {
    cwd: dirname(web),
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (dumped !== read(specPath)) fail(`web/openapi.json is older than the API: ${regenerate}`);
}

const scratch = mkdtempSync(join(tmpdir(), "reelbyte-api-"));
try {
  const generated = join(scratch, "schema.d.ts");
  const cli = join(web, "node_modules", "openapi-typescript", "bin", "cli.js");
  execFileSync(process.execPath, [cli, specPath, "--output", generated], {
    cwd: web,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (read(generated) !== read(schemaPath)) {
    fail(`src/api/schema.d.ts is not generated from openapi.json: ${regenerate}`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log("check:api: src/api/schema.d.ts matches openapi.json");
