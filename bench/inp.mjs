// INP while typing into the request editor: the longest interaction (keydown → next paint)
// over 40 key presses, as Chrome's Event Timing API reports it.
//   node bench/inp.mjs BASE_URL "amidesk_session=…"
import { chromium } from "playwright-core";

const [base, cookie] = process.argv.slice(2);
const [name, value] = cookie.split("=");
const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync"],
});
const context = await browser.newContext();
await context.addCookies([{ name, value, url: base }]);
const page = await context.newPage();
await page.goto(`${base}/requests/new`);
await page.waitForSelector("body[data-hydrated]");
await page.evaluate(() => {
  window.__interactions = new Map();
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (!e.interactionId) continue;
      const prev = window.__interactions.get(e.interactionId) ?? 0;
      window.__interactions.set(e.interactionId, Math.max(prev, e.duration));
    }
  }).observe({ type: "event", durationThreshold: 16, buffered: true });
});
const field = page.getByLabel("Name", { exact: true });
await field.click();
await field.pressSequentially("bench-image-typed-into-the-editor-1234", { delay: 60 });
await page.waitForTimeout(500);
const worst = await page.evaluate(() => Math.max(16, ...window.__interactions.values()));
console.log(Math.round(worst));
await browser.close();
