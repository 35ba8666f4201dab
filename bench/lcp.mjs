// Which elements the browser takes for the largest contentful paint, and when, relative to
// the hydration bundle: a diagnostic for budget 6.
//   node bench/lcp.mjs BASE_URL "amidesk_session=…" PATH
import { chromium } from "playwright-core";

const [base, cookie, path] = process.argv.slice(2);
const [name, value] = cookie.split("=");
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext({ viewport: { width: 1350, height: 940 } });
await context.addCookies([{ name, value, url: base }]);
const page = await context.newPage();
await page.addInitScript(() => {
  window.__lcp = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const el = e.element;
      window.__lcp.push({
        t: Math.round(e.startTime), size: e.size,
        el: el ? `${el.tagName}#${el.id}.${el.className}: ${(el.textContent || "").slice(0, 60)}` : "(removed)",
      });
    }
  }).observe({ type: "largest-contentful-paint", buffered: true });
});
await page.goto(`${base}/${path}`);
await page.waitForSelector("body[data-hydrated]");
await page.waitForTimeout(1000);
const out = await page.evaluate(() => ({
  lcp: window.__lcp,
  fcp: Math.round(performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? -1),
  wasm: performance.getEntriesByType("resource").filter((r) => r.name.includes(".wasm"))
    .map((r) => Math.round(r.responseEnd)),
}));
console.log(JSON.stringify(out, null, 1));
await browser.close();
