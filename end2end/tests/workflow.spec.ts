import { test, expect, type Browser, type Page } from "@playwright/test";
import { ADMIN_PASSWORD, hydrated, signIn } from "./helpers";

const PASSWORD = "a long enough password";

async function addUser(page: Page, username: string, role: string) {
  await page.goto("/admin");
  await hydrated(page);
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Display name").fill(username);
  await page.getByLabel("Initial password").fill(PASSWORD);
  await page.getByLabel("Role", { exact: true }).selectOption(role);
  await page.getByLabel("Team", { exact: true }).fill("Imaging");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("status").filter({ hasText: "User created." })).toBeVisible();
}

async function as(browser: Browser, username: string, password = PASSWORD) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, username, password);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  return { context, page };
}

test("a requester submits, an approver reviews the preflight and approves, and the image is registered", async ({ browser }) => {
  const admin = await as(browser, "admin", ADMIN_PASSWORD);
  await addUser(admin.page, "wf-requester", "requester");
  await addUser(admin.page, "wf-approver", "approver");
  await admin.context.close();

  // The requester writes the request (an instance-store image needs no snapshot) and submits it.
  const requester = await as(browser, "wf-requester");
  const r = requester.page;
  await r.getByRole("link", { name: "New request", exact: true }).click();
  await hydrated(r);
  await r.getByLabel("Name", { exact: true }).fill("e2e-two-roles");
  await r.getByRole("group", { name: "Block device mapping 1" }).getByRole("button", { name: "Remove" }).click();
  await r.getByLabel("RootDeviceName").fill("");
  await r.getByLabel("ImageLocation").fill("my-bucket/e2e.manifest.xml");
  await expect(r.getByText("Every field passes the RegisterImage rules.")).toBeVisible();
  await r.getByRole("button", { name: "Save draft" }).click();
  await expect(r).toHaveURL(/\/requests\/\d+$/);
  const url = r.url();
  await hydrated(r);
  await r.getByRole("button", { name: "Submit for approval" }).click();
  await expect(r.locator(".workflow .state")).toHaveText("pending");
  await expect(r.getByText("someone else must approve")).toBeVisible();

  // The approver sees the live preflight and approves the exact content.
  const approver = await as(browser, "wf-approver");
  const a = approver.page;
  a.on("console", (m) => console.log("APPROVER CONSOLE", m.type(), m.text().slice(0, 400)));
  a.on("pageerror", (e) => console.log("APPROVER PAGEERROR", String(e).slice(0, 400)));
  await a.goto(url);
  await hydrated(a);
  const checks = a.getByRole("list", { name: "Preflight" });
  await expect(checks.getByText("Name is free")).toBeVisible();
  await expect(checks.getByText("DryRun")).toBeVisible();
  await a.getByLabel("Comment").fill("Looks right.");
  await a.getByRole("button", { name: "Approve" }).click();

  // Both see the image registered.
  await expect(a.getByText(/Image ami-/)).toBeVisible({ timeout: 20_000 });
  await r.reload();
  await expect(r.locator(".workflow .state").first()).toHaveText("registered");
  await expect(r.getByText(/Image ami-/)).toBeVisible();
  await expect(r.getByRole("status").filter({ hasText: "available" })).toBeVisible({ timeout: 15_000 });
  await requester.context.close();
  await approver.context.close();
});
