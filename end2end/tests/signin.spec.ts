import { test, expect } from "@playwright/test";
import { ADMIN_PASSWORD, hydrated, signIn } from "./helpers";

test("a visitor is sent to sign in and lands on the page they asked for", async ({ page }) => {
  await page.goto("/audit");
  await expect(page).toHaveURL(/\/signin\?next=\/audit/);
  await hydrated(page);
  await page.getByLabel("Username").fill("admin");
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole("heading", { name: "Audit history" })).toBeVisible();
  await expect(page.getByText("Administrator")).toBeVisible();
});

test("a wrong password shows one clear message and stays on the form", async ({ page }) => {
  await signIn(page, "admin", "not the password");
  await expect(page.getByRole("alert")).toHaveText("Wrong username or password.");
  await expect(page).toHaveURL(/\/signin/);
});

test("signing out ends the session", async ({ page }) => {
  await signIn(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/signin/);
  await page.goto("/requests");
  await expect(page).toHaveURL(/\/signin\?next=\/requests/);
});

test("the status line shows that EC2 answers with the service's credentials", async ({ page }) => {
  await signIn(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("status").filter({ hasText: "EC2 reachable" })).toBeVisible();
});

test("the navigation marks the page the user is on, also after moving within the app", async ({ page }) => {
  await signIn(page, "admin", ADMIN_PASSWORD);
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Requests" })).toHaveAttribute("aria-current", "page");
  await hydrated(page);
  await nav.getByRole("link", { name: "Templates" }).click();
  await expect(page).toHaveURL(/\/templates$/);
  await expect(nav.getByRole("link", { name: "Templates" })).toHaveAttribute("aria-current", "page");
  await expect(nav.getByRole("link", { name: "Requests" })).not.toHaveAttribute("aria-current", "page");
});

test("an admin adds a requester, who sees no Admin or Audit navigation", async ({ browser }) => {
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, "admin", ADMIN_PASSWORD);
  await expect(admin.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await admin.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).click();
  await expect(admin.getByRole("heading", { name: "Users" })).toBeVisible();
  await hydrated(admin);
  await admin.getByLabel("Username", { exact: true }).fill("rita");
  await admin.getByLabel("Display name").fill("Rita Requester");
  await admin.getByLabel("Initial password").fill("rita's long password");
  await admin.getByLabel("Role", { exact: true }).selectOption("requester");
  await admin.getByLabel("Team", { exact: true }).fill("Platform");
  await admin.getByRole("button", { name: "Create user" }).click();
  await expect(admin.getByRole("status").filter({ hasText: "User created." })).toBeVisible();
  await expect(admin.getByRole("cell", { name: "Rita Requester" })).toBeVisible();

  const ritaContext = await browser.newContext();
  const rita = await ritaContext.newPage();
  await signIn(rita, "rita", "rita's long password");
  await expect(rita.getByText("Rita Requester")).toBeVisible();
  const nav = rita.getByRole("navigation", { name: "Main" });
  await expect(nav.getByRole("link", { name: "Requests" })).toBeVisible();
  await expect(nav.getByRole("link", { name: "Admin" })).toHaveCount(0);
  await expect(nav.getByRole("link", { name: "Audit" })).toHaveCount(0);
  await adminContext.close();
  await ritaContext.close();
});

test("the app bundle arrives compressed and the page still hydrates", async ({ page }) => {
  const wasm = page.waitForResponse((r) => r.url().endsWith("/pkg/amidesk_bg.wasm"));
  await page.goto("/signin");
  const response = await wasm;
  const headers = await response.allHeaders();
  expect(["br", "gzip"]).toContain(headers["content-encoding"]);
  // Revalidated on every use: a cached bundle never meets a newer server's pages.
  expect(headers["cache-control"]).toBe("no-cache");
  await hydrated(page);
});
