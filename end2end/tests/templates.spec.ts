import { test, expect } from "@playwright/test";
import { ADMIN_PASSWORD, hydrated, signIn } from "./helpers";

const PASSWORD = "a long enough password";

test("a requester starts from a team template and cannot change its locked fields", async ({ browser }) => {
  const adminContext = await browser.newContext();
  const admin = await adminContext.newPage();
  await signIn(admin, "admin", ADMIN_PASSWORD);
  await expect(admin.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  for (const [username, role] of [["tpl-approver", "approver"], ["tpl-requester", "requester"]]) {
    await admin.goto("/admin");
    await hydrated(admin);
    await admin.getByLabel("Username", { exact: true }).fill(username);
    await admin.getByLabel("Display name").fill(username);
    await admin.getByLabel("Initial password").fill(PASSWORD);
    await admin.getByLabel("Role", { exact: true }).selectOption(role);
    await admin.getByLabel("Team", { exact: true }).fill("Golden Images");
    await admin.getByRole("button", { name: "Create user" }).click();
    await expect(admin.getByRole("status").filter({ hasText: "User created." })).toBeVisible();
  }
  await adminContext.close();

  // The approver publishes a template (through the same server function the editor will use).
  const approverContext = await browser.newContext();
  const approver = await approverContext.newPage();
  await signIn(approver, "tpl-approver", PASSWORD);
  await expect(approver.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  const options = await (await approver.request.post("/api/requests/options")).json();
  const created = await approver.request.post("/api/templates/create", {
    data: {
      team_id: options.teams[0].id,
      name: "Graviton base",
      description: "arm64, UEFI",
      content: {
        form: { name: "{team}-arm-{seq}", architecture: "arm64", boot_mode: "uefi" },
        modes: { Name: "default", Architecture: "locked", BootMode: "locked" },
      },
    },
  });
  expect(created.status()).toBe(200);
  await approverContext.close();

  // The requester starts from it: the name is expanded, the locked fields are read-only.
  const requesterContext = await browser.newContext();
  const r = await requesterContext.newPage();
  await signIn(r, "tpl-requester", PASSWORD);
  await expect(r.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await r.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Templates" }).click();
  await hydrated(r);
  await r.getByRole("button", { name: "New request from Graviton base" }).click();
  await expect(r).toHaveURL(/\/requests\/\d+$/);
  await hydrated(r);
  await expect(r.getByLabel("Name", { exact: true })).toHaveValue("Golden-Images-arm-1");
  await expect(r.getByLabel("Architecture")).toHaveValue("arm64");
  await expect(r.getByLabel("Architecture")).toBeDisabled();
  await expect(r.getByLabel("BootMode")).toBeDisabled();
  await expect(r.getByLabel("Name", { exact: true })).toBeEnabled();

  // The template page lists its versions and the requests made from each.
  await r.goto("/templates");
  await r.getByRole("link", { name: "Graviton base" }).click();
  await expect(r.getByRole("heading", { name: "Graviton base" })).toBeVisible();
  await expect(r.getByRole("row", { name: /^1 tpl-approver .* 1$/ })).toBeVisible();
  await requesterContext.close();
});
