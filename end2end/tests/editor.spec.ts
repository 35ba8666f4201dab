import { test, expect, type Page } from "@playwright/test";
import { ADMIN_PASSWORD, hydrated, signIn } from "./helpers";

const PASSWORD = "requester's long password";

async function ensureRequester(page: Page, username = "editor-e2e") {
  // The admin creates a requester in the Platform team through the admin page.
  await signIn(page, "admin", ADMIN_PASSWORD);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await page.goto("/admin");
  await hydrated(page);
  await page.getByLabel("Username", { exact: true }).fill(username);
  await page.getByLabel("Display name").fill("Eddie Editor");
  await page.getByLabel("Initial password").fill(PASSWORD);
  await page.getByLabel("Role", { exact: true }).selectOption("requester");
  await page.getByLabel("Team", { exact: true }).fill("Platform");
  await page.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("status").filter({ hasText: "User created." })).toBeVisible();
  await page.context().clearCookies();
}

test("a requester fills the form with two volumes, sees errors come and go, saves and finds the draft after a reload", async ({ page }) => {
  await ensureRequester(page);
  await signIn(page, "editor-e2e", PASSWORD);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await page.getByRole("link", { name: "New request", exact: true }).click();
  await expect(page.getByRole("heading", { name: "New request" })).toBeVisible();
  await hydrated(page);

  const name = page.getByLabel("Name", { exact: true });
  await name.fill("x");
  await expect(page.locator("#Name-error")).toContainText("3 to 128 characters");
  await name.fill("web-e2e-2026");
  await expect(page.locator("#Name-error")).toBeEmpty();

  const root = page.getByRole("group", { name: "Block device mapping 1" });
  await root.getByLabel("SnapshotId").fill("snap-0123456789abcdef0");
  await page.getByRole("button", { name: "Add block device mapping" }).click();
  const data = page.getByRole("group", { name: "Block device mapping 2" });
  await data.getByLabel("VolumeType").selectOption("io2");
  await data.getByLabel("VolumeSize (GiB)").fill("100");
  await expect(data.getByText("Iops is required for io2 volumes.")).toBeVisible();
  await data.getByLabel("Iops").fill("4000");
  await expect(data.getByText("Iops is required for io2 volumes.")).toHaveCount(0);
  await expect(page.getByText("Every field passes the RegisterImage rules.")).toBeVisible();

  await page.getByRole("button", { name: "Save draft" }).click();
  await expect(page).toHaveURL(/\/requests\/\d+$/);
  await expect(page.getByRole("heading", { name: "web-e2e-2026" })).toBeVisible();

  await page.reload();
  await hydrated(page);
  await expect(page.getByLabel("Name", { exact: true })).toHaveValue("web-e2e-2026");
  const saved = page.getByRole("group", { name: "Block device mapping 2" });
  await expect(saved.getByLabel("Iops")).toHaveValue("4000");
  await expect(saved.getByLabel("VolumeType")).toHaveValue("io2");
  await expect(page.getByRole("group", { name: "Block device mapping 1" }).getByLabel("SnapshotId")).toHaveValue("snap-0123456789abcdef0");

  // Unsaved edits survive a reload: they are kept in the browser.
  await page.getByLabel("Description").fill("typed but not saved");
  await page.reload();
  await hydrated(page);
  // Either restored from the browser or already autosaved: nothing typed is lost.
  await expect(page.getByLabel("Description")).toHaveValue("typed but not saved");

  // The draft is listed, and its row leads back to it.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Requests" }).click();
  const row = page.getByRole("row").filter({ hasText: "web-e2e-2026" });
  await expect(row.getByRole("cell", { name: "draft" })).toBeVisible();
  await row.getByRole("link", { name: "web-e2e-2026" }).click();
  await expect(page).toHaveURL(/\/requests\/\d+$/);
  await expect(page.getByRole("heading", { name: "web-e2e-2026" })).toBeVisible();
});

test("a requester imports CLI input JSON from the list and lands on the new draft", async ({ page }) => {
  await ensureRequester(page, "import-e2e");
  await signIn(page, "import-e2e", PASSWORD);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  await hydrated(page);
  await page.getByText("Import from aws ec2 register-image --cli-input-json").click();
  // The form offers the requester's team and the allowed Regions.
  await expect(page.getByLabel("Team", { exact: true })).toHaveValue(/\d+/);
  await expect(page.getByLabel("Region", { exact: true })).not.toHaveValue("");
  await page.getByLabel("CLI input JSON").fill(JSON.stringify({
    Name: "imported-e2e",
    Architecture: "x86_64",
    VirtualizationType: "hvm",
    RootDeviceName: "/dev/xvda",
    BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { SnapshotId: "snap-0123456789abcdef0" } }],
  }));
  await page.getByRole("button", { name: "Import as draft" }).click();
  await expect(page).toHaveURL(/\/requests\/\d+$/);
  await expect(page.getByRole("heading", { name: "imported-e2e" })).toBeVisible();
});

test("the list pages forward in the browser and finds a request by name", async ({ page }) => {
  await ensureRequester(page, "pager-e2e");
  await signIn(page, "pager-e2e", PASSWORD);
  await expect(page.getByRole("heading", { name: "Requests", exact: true })).toBeVisible();
  // 52 drafts through the dashboard's own endpoints (the editor journey covers the form).
  const options = await (await page.request.post("/api/requests/options")).json();
  for (let i = 1; i <= 52; i++) {
    const form = { region: "us-east-1", name: `pager-e2e-${i}`, architecture: "x86_64", root_device_name: "/dev/xvda" };
    const created = await page.request.post("/api/requests/create", { data: { team_id: options.teams[0].id, form } });
    expect(created.ok()).toBe(true);
  }
  await page.goto("/requests");
  await hydrated(page);
  const rows = page.getByRole("table").getByRole("row");
  await expect(rows).toHaveCount(51); // the header and 50 requests, newest first
  await expect(rows.nth(1)).toContainText("pager-e2e-52");

  // The next page is fetched by the page itself, which stays live.
  await page.getByRole("link", { name: "Next page" }).click();
  await expect(page).toHaveURL(/cursor=/);
  await expect(rows).toHaveCount(3);
  await expect(rows.nth(1)).toContainText("pager-e2e-2");
  await expect(rows.nth(2)).toContainText("pager-e2e-1");
  await expect(page.getByRole("link", { name: "Next page" })).toHaveCount(0);

  await page.getByLabel("Search").fill("pager-e2e-17");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/q=pager-e2e-17/);
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText("pager-e2e-17");
});
