/// <reference types="vitest/config" />
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import tailwindcss from "@tailwindcss/vite";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// `npm run dev` talks to a running `reelbyte serve` (the API, its WebSockets and /docs).
const API = process.env.REELBYTE_API ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react(), tailwindcss()],
  resolve: {
    alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) },
  },
  server: {
    proxy: {
      "/v1": { target: API, ws: true, changeOrigin: false }, // /v1/ws/* are WebSockets
      "/ws": { target: API, ws: true, changeOrigin: false },
      "/docs": { target: API },
      "/openapi.json": { target: API },
    },
  },
  preview: {
    proxy: {
      "/v1": { target: API, ws: true },
      "/ws": { target: API, ws: true },
      "/docs": { target: API },
      "/openapi.json": { target: API },
    },
  },
  build: {
    target: "es2022",
    sourcemap: false,
    // dist/.vite/manifest.json: which chunks each route needs (scripts/bundle-size.mjs reads it).
    manifest: true,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    css: false,
    // A test may wait for several lazy pages in turn (setup.ts waits up to 5 s for each).
    testTimeout: 20_000,
    maxWorkers: availableParallelism(), // vitest's default leaves a core out
    // One jsdom and module graph per worker, not per file: a fresh one for each of ~50 files took
    // most of the run (134 s → 30 s on 2 cores). setup.ts cleans the DOM after every test, and
    // each test renders with its own QueryClient and router. A file that replaces a module with
    // vi.mock needs a module graph of its own: it is named *.isolated.test.tsx.
    projects: [
      {
        extends: true,
        test: {
          name: "shared",
          include: ["src/**/*.test.{ts,tsx}"],
          exclude: ["src/**/*.isolated.test.tsx"],
          isolate: false,
        },
      },
      { extends: true, test: { name: "isolated", include: ["src/**/*.isolated.test.tsx"] } },
    ],
  },
});
