import { test, expect } from "@playwright/test";
import { ADMIN_PASSWORD, hydrated, signIn } from "./helpers";

test("a user creates a token on their profile, a pipeline uses it, and revoking it stops it at once", async ({ page, request }) => {
  const cspViolations: string[] = [];
  page.on("console", (msg) => {
    if (msg.text().includes("Content Security Policy")) cspViolations.push(msg.text());
  });
  await signIn(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await page.goto("/profile");
  await hydrated(page);
  await page.getByLabel("Token name").fill("release-pipeline");
  await page.getByRole("button", { name: "Create token" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Token “release-pipeline” created" })).toBeVisible();
  const secret = (await page.getByLabel("New token").textContent())?.trim() ?? "";
  expect(secret).toMatch(/^amd_/);
  await expect(page.getByRole("cell", { name: "release-pipeline", exact: true })).toBeVisible();

  const headers = { Authorization: `Bearer ${secret}` };
  expect((await request.get("/api/v1/requests", { headers })).status()).toBe(200);
  await page.reload();
  await hydrated(page);
  await expect(page.getByRole("row", { name: /release-pipeline/ })).not.toContainText("never");

  await page.getByRole("button", { name: "Revoke release-pipeline" }).click();
  await expect(page.getByRole("row", { name: /release-pipeline/ })).toContainText("revoked");
  const refused = await request.get("/api/v1/requests", { headers });
  expect(refused.status()).toBe(401);
  expect(refused.headers()["content-type"]).toContain("application/problem+json");
  expect(cspViolations).toEqual([]);
});

test("the API page lists every operation from the generated document", async ({ page }) => {
  await signIn(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await page.getByRole("link", { name: "API" }).click();
  await expect(page.getByRole("heading", { name: "Automation API" })).toBeVisible();
  await expect(page.getByRole("row", { name: /POST .*\/requests\/\{id\}\/approve/ })).toBeVisible();
  await expect(page.getByRole("row", { name: /GET .*\/audit/ })).toBeVisible();
});
