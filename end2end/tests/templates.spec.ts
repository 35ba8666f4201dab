import { test, expect } from "@playwright/test";
import { ADMIN_PASSWORD, hydrated, signIn } from "./helpers";

const PASSWORD = "a long enough password";

test("an approver builds a template in the editor and a requester starts from it with its locked fields read-only", async ({ browser }) => {
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

  // The approver creates the template in the template editor, then edits it into version 2.
  const approverContext = await browser.newContext();
  const approver = await approverContext.newPage();
  await signIn(approver, "tpl-approver", PASSWORD);
  await expect(approver.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await approver.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Templates" }).click();
  await hydrated(approver);
  await approver.getByRole("link", { name: "New template" }).click();
  await expect(approver.getByRole("heading", { name: "New template" })).toBeVisible();
  await hydrated(approver);
  await approver.getByLabel("Template name").fill("Graviton base");
  await approver.getByLabel("What it is for").fill("arm64, UEFI");
  await approver.getByLabel("Name", { exact: true }).fill("{team}-arm-{seq}");
  await expect(approver.getByRole("status").filter({ hasText: "would be named Golden-Images-arm-1" })).toBeVisible();
  await approver.getByLabel("Architecture", { exact: true }).selectOption("arm64");
  await approver.getByLabel("BootMode", { exact: true }).selectOption("uefi");
  await expect(approver.getByLabel("Name mode", { exact: true })).toHaveValue("default");
  await approver.getByLabel("Architecture mode", { exact: true }).selectOption("locked");
  await approver.getByLabel("BootMode mode", { exact: true }).selectOption("locked");
  await approver.getByRole("button", { name: "Create template" }).click();
  await expect(approver.getByRole("heading", { name: "Graviton base" })).toBeVisible();
  await expect(approver.getByRole("row", { name: /Architecture locked arm64/ })).toBeVisible();
  await hydrated(approver);
  await approver.getByRole("link", { name: "Edit" }).click();
  await expect(approver.getByRole("heading", { name: "Edit Graviton base" })).toBeVisible();
  await hydrated(approver);
  await approver.getByLabel("Description", { exact: true }).fill("Built by the golden image pipeline");
  await approver.getByRole("button", { name: "Save new version" }).click();
  await expect(approver.getByRole("row", { name: /^2 tpl-approver/ })).toBeVisible();
  await expect(approver.getByRole("row", { name: /Description \(mode\)\s+default/ })).toBeVisible();
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
  await expect(r.getByRole("row", { name: /^2 tpl-approver .* 1$/ })).toBeVisible();
  await expect(r.getByRole("link", { name: "Edit" })).toHaveCount(0);
  await requesterContext.close();
});
