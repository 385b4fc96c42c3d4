import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";

afterEach(() => {
  cleanup();
});

// Pages are lazy routes: the first visit imports the page's module, which on a busy two-core CI
// machine can take longer than the library's default second. Waiting longer costs a passing
// test nothing (a `findBy…` returns as soon as the element is there).
configure({ asyncUtilTimeout: 5000 });

// jsdom has no media playback: make play() resolve and pause() do nothing.
Object.defineProperty(HTMLMediaElement.prototype, "play", {
  configurable: true,
  value: vi.fn(() => Promise.resolve()),
});
Object.defineProperty(HTMLMediaElement.prototype, "pause", { configurable: true, value: vi.fn() });
window.scrollTo = vi.fn() as unknown as typeof window.scrollTo;

// jsdom has no ResizeObserver, which Radix's Checkbox, Switch and Popper use.
globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};
