import { test, expect } from "@playwright/test";
import { ADMIN_PASSWORD, hydrated, signIn } from "./helpers";

/** The wasm files the page fetched, by file name. */
function wasmFetched(page: import("@playwright/test").Page): string[] {
  const names: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (url.pathname.endsWith(".wasm")) names.push(url.pathname.split("/").pop() ?? "");
  });
  return names;
}

test("the request list loads only the main bundle, and the editor's code arrives when it is opened", async ({ page }) => {
  await signIn(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  const fetched = wasmFetched(page);
  await page.goto("/requests");
  await hydrated(page);
  expect(fetched).toEqual(["amidesk_bg.wasm"]);

  await page.getByRole("link", { name: "New request", exact: true }).click();
  await expect(page.getByRole("heading", { name: "New request" })).toBeVisible();
  const name = page.getByLabel("Name", { exact: true });
  await name.fill("x");
  await expect(page.locator("#Name-error")).toContainText("3 to 128 characters");
  expect(fetched.some((f) => f.startsWith("split___new_request_route"))).toBe(true);
});

test("a page opened directly preloads its own code and hydrates", async ({ page }) => {
  await signIn(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  const response = await page.goto("/requests/new");
  const html = (await response?.text()) ?? "";
  expect(html).toMatch(/<link[^>]* href="\/pkg\/split___new_request_route[^"]*\.wasm" rel="preload"/);
  await hydrated(page);
  const name = page.getByLabel("Name", { exact: true });
  await name.fill("x");
  await expect(page.locator("#Name-error")).toContainText("3 to 128 characters");
});

test("the request list arrives complete: without scripts it shows its rows, not a placeholder", async ({ browser }) => {
  const withScripts = await browser.newContext();
  const page = await withScripts.newPage();
  await signIn(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  const noScripts = await browser.newContext({
    javaScriptEnabled: false,
    storageState: await withScripts.storageState(),
  });
  const plain = await noScripts.newPage();
  await plain.goto("/requests");
  await expect(plain.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await expect(plain.getByText("Loading…")).toHaveCount(0);
  await expect(plain.getByRole("table").or(plain.getByText("No requests here"))).toBeVisible();
  await noScripts.close();
  await withScripts.close();
});
