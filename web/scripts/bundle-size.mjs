// `npm run size` (after `npm run build`): the gzipped JavaScript a route needs on its first load
// (the entry and its static imports, plus the page chunk and its static imports), read from
// dist/.vite/manifest.json. Fails when the home route is over its budget (200 KB, the issue's).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const BUDGET_KB = 200;
const PAGES = {
  home: "src/pages/home.tsx",
  gig: "src/pages/gig.tsx",
  search: "src/pages/search.tsx",
  login: "src/pages/login.tsx",
  signup: "src/pages/signup.tsx",
};

const dist = join(dirname(dirname(fileURLToPath(import.meta.url))), "dist");
let manifest;
try {
  manifest = JSON.parse(readFileSync(join(dist, ".vite", "manifest.json"), "utf8"));
} catch {
  console.error("size: no dist/.vite/manifest.json: run `npm run build` first");
  process.exit(1);
}

function closure(key, seen = new Set()) {
  const chunk = manifest[key];
  if (!chunk || seen.has(key)) return seen;
  seen.add(key);
  for (const imported of chunk.imports ?? []) closure(imported, seen);
  return seen;
}

const gzipped = (file) => gzipSync(readFileSync(join(dist, file))).length;
const kb = (bytes) => (bytes / 1024).toFixed(1);

const entry = Object.keys(manifest).find((key) => manifest[key].isEntry);
const entryCss = (manifest[entry].css ?? []).reduce((sum, file) => sum + gzipped(file), 0);
let failed = false;
for (const [name, page] of Object.entries(PAGES)) {
  const keys = new Set([...closure(entry), ...closure(page)]);
  const js = [...keys].reduce((sum, key) => sum + gzipped(manifest[key].file), 0);
  const over = name === "home" && js > BUDGET_KB * 1024;
  failed ||= over;
  const budget = name === "home" ? ` (budget ${BUDGET_KB} KB${over ? ": OVER" : ""})` : "";
  console.log(`${name.padEnd(7)} ${kb(js).padStart(6)} KB JS gzipped${budget}`);
}
console.log(`css     ${kb(entryCss).padStart(6)} KB gzipped`);
process.exit(failed ? 1 : 0);
