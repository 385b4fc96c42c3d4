/// <reference types="vitest/config" />
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
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
    // A test may wait for several lazy pages in turn (setup.ts waits up to 5 s for each).
    testTimeout: 20_000,
  },
});
