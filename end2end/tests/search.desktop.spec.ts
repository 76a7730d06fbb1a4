// Search from the header: a misspelled name, a suggestion picked with the keyboard; the results
// page narrowed by a facet (the counts follow) and cleared; and the plain form without
// JavaScript. The seeded demo catalogue is the data.
import { test, expect } from "@playwright/test";
import { watchConsole, expectNoAxeViolations, waitForHydration } from "./helpers";

test("a misspelled name in the header suggests the product, picked with the keyboard", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await waitForHydration(page);
  const box = page.getByRole("combobox", { name: "Search products" });
  await box.pressSequentially("skilet", { delay: 40 });
  const suggestions = page.getByRole("listbox", { name: "Suggestions" });
  await expect(suggestions.getByRole("option", { name: /Cast Iron Skillet/ })).toBeVisible();
  await expect(box).toHaveAttribute("aria-expanded", "true");
  await expect(page.locator("#site-search-status")).toContainText("suggestion");
  await box.press("ArrowDown");
  await expect(suggestions.getByRole("option").first()).toHaveAttribute("aria-selected", "true");
  await box.press("Enter");
  await page.waitForURL((url) => url.pathname === "/products/cast-iron-skillet");
  await expect(page.getByRole("heading", { level: 1, name: "Cast Iron Skillet" })).toBeVisible();
  expect(errors).toEqual([]);
});

test("search, narrow by a facet and see the counts change, then clear it", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  const box = page.getByRole("combobox", { name: "Search products" });
  await box.fill("apparel");
  // Enter with no suggestion chosen searches what was typed.
  await box.press("Enter");
  await page.waitForURL((url) => url.pathname === "/search" && url.searchParams.get("q") === "apparel");
  await expect(page.getByRole("heading", { level: 1, name: "Results for “apparel”" })).toBeVisible();
  await expect(page.getByTestId("result-count")).toHaveText("3 products");
  await expect(page.getByTestId("search-hit")).toHaveCount(3);
  const apparel = page.locator('[data-facet="category"] a[data-facet-value="Apparel"]');
  await expect(apparel.getByTestId("facet-count")).toHaveText("3");

  await page.locator('[data-facet="size"] a[data-facet-value="M"]').click();
  await page.waitForURL((url) => url.searchParams.get("option.size") === "M");
  await expect(page.getByTestId("result-count")).toHaveText("1 product");
  await expect(page.getByTestId("search-hit")).toHaveCount(1);
  await expect(page.getByTestId("search-hit").getByRole("link")).toHaveText("Linen Shirt");
  await expect(apparel.getByTestId("facet-count")).toHaveText("1");
  await expect(page.locator('[data-facet="size"] a[data-facet-value="M"]')).toHaveAttribute("aria-current", "true");
  await waitForHydration(page);
  await expectNoAxeViolations(page);

  await page.getByTestId("clear-filters").click();
  await page.waitForURL((url) => !url.searchParams.has("option.size"));
  await expect(page.getByTestId("result-count")).toHaveText("3 products");
  await expect(apparel.getByTestId("facet-count")).toHaveText("3");
  expect(errors).toEqual([]);
});

test("nothing found offers a close query; without JavaScript the header form still searches", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/");
  await page.getByRole("combobox", { name: "Search products" }).fill("skiltte");
  await page.getByRole("button", { name: "Search", exact: true }).click();
  await expect(page.getByTestId("no-results")).toBeVisible();
  await expect(page.getByTestId("result-count")).toHaveText("0 products");
  const better = page.getByTestId("did-you-mean").getByRole("link");
  await expect(better).toHaveText("skillet");
  await better.click();
  await expect(page.getByTestId("result-count")).toHaveText("1 product");
  await expect(page.getByTestId("search-hit").getByRole("link")).toHaveText("Cast Iron Skillet");
  await context.close();
});
