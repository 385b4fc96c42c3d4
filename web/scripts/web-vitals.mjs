/* global window, document, MutationObserver -- these run inside the page (page.evaluate) */
// Web vitals of a running ReelByte in Debian's Chromium: Largest Contentful Paint and Cumulative
// Layout Shift of the home and a gig page (a fresh browser context each time: nothing cached),
// and how long the search box's suggestions take to appear after a keystroke.
// Usage: node scripts/web-vitals.mjs <base URL> <gig slug> [rounds]  → JSON on stdout.
import { chromium } from "@playwright/test";

const [base, slug, roundsArg] = process.argv.slice(2);
const rounds = Number(roundsArg ?? 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
});

/** LCP and CLS as the page reports them once it has settled. */
async function vitals(path) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__vitals = { lcp: 0, cls: 0 };
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) window.__vitals.lcp = entry.startTime;
    }).observe({ type: "largest-contentful-paint", buffered: true });
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries())
        if (!entry.hadRecentInput) window.__vitals.cls += entry.value;
    }).observe({ type: "layout-shift", buffered: true });
  });
  await page.goto(base + path, { waitUntil: "networkidle" });
  await page.waitForTimeout(500);
  const result = await page.evaluate(() => window.__vitals);
  await context.close();
  return result;
}

/** Milliseconds from each keystroke to the suggestions shown for it. */
async function suggestionLatencies(words) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(() =>
    document.addEventListener("keydown", () => (window.__keydown = performance.now()), true),
  );
  await page.goto(base + "/", { waitUntil: "networkidle" });
  const box = page.getByRole("combobox").first();
  const samples = [];
  for (const word of words) {
    await box.fill("");
    await page.waitForTimeout(300);
    for (let i = 1; i <= word.length; i++) {
      const typed = word.slice(0, i);
      if (typed.length < 2) {
        await box.press(word[i - 1]);
        continue;
      }
      // Watch before the keystroke: the list shown for what is typed now is the first change
      // after it (the time counts from the keydown event in the page).
      await page.evaluate(() => {
        const list = () => document.querySelector('[role="listbox"]');
        const before = list()?.textContent ?? null;
        window.__shown = new Promise((resolve) => {
          const observer = new MutationObserver(() => {
            const now = list();
            if (now && now.querySelector('[role="option"]') && now.textContent !== before) {
              observer.disconnect();
              resolve(performance.now() - window.__keydown);
            }
          });
          observer.observe(document.body, { subtree: true, childList: true, characterData: true });
          setTimeout(() => {
            observer.disconnect();
            resolve(null);
          }, 2000);
        });
      });
      await box.press(word[i - 1]);
      const shown = await page.evaluate(() => window.__shown);
      if (shown !== null) samples.push(shown);
    }
  }
  await context.close();
  return samples;
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)] : null;
};

const pages = { home: "/", gig: `/gigs/${slug}` };
const runs = { home: [], gig: [] };
for (let round = 0; round < rounds; round++) {
  for (const [name, path] of Object.entries(pages)) runs[name].push(await vitals(path));
}
const latencies = await suggestionLatencies(["wedding", "music video", "podcast", "logo"]);
await browser.close();

const summary = {};
for (const [name, samples] of Object.entries(runs)) {
  summary[name] = {
    lcp_ms: median(samples.map((sample) => sample.lcp)),
    cls: Math.max(...samples.map((sample) => sample.cls)),
  };
}
summary.suggestions = {
  samples: latencies.length,
  median_ms: median(latencies),
  p90_ms: [...latencies].sort((a, b) => a - b)[Math.floor(latencies.length * 0.9)] ?? null,
};
console.log(JSON.stringify(summary));
