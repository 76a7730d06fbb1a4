// On a phone the navigation folds behind a menu button once the page has hydrated.
import { test, expect } from "@playwright/test";
import { watchConsole, expectNoAxeViolations, waitForHydration } from "./helpers";

test("the menu folds behind a button on a phone once hydrated", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await waitForHydration(page);
  const toggle = page.getByRole("button", { name: "Menu" });
  const nav = page.getByRole("navigation", { name: "Main" });
  await expect(toggle).toHaveAttribute("aria-expanded", "false");
  await expect(nav).toBeHidden();
  await toggle.click();
  await expect(page.getByRole("button", { name: "Close menu" })).toHaveAttribute("aria-expanded", "true");
  await expect(nav).toBeVisible();
  await expect(nav.getByRole("link", { name: "Products" })).toBeVisible();
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Close menu" }).click();
  await expect(nav).toBeHidden();
  expect(errors).toEqual([]);
});

