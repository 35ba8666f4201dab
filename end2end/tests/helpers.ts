import { expect, type Page } from "@playwright/test";
import { ADMIN_PASSWORD } from "../playwright.config";

export { ADMIN_PASSWORD };

/** Waits until the wasm has hydrated the page (clicks before that do nothing). */
export async function hydrated(page: Page) {
  await expect(page.locator("body")).toHaveAttribute("data-hydrated", "true");
}

/** Signs in through the form, as a person would. */
export async function signIn(page: Page, username: string, password: string) {
  await page.goto("/signin");
  await hydrated(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}
