// Browsing the catalogue as a shopper, on a desktop and on a phone: home → category → a price
// filter (in the URL: the back button undoes it) → a product → a variant (price, SKU and the
// URL change without a reload; back steps through the choices) → its pictures and reviews. The same journey works with
// JavaScript off.
import { test, expect } from "@playwright/test";
import { watchConsole, expectNoAxeViolations, waitForHydration } from "./helpers";
import type { Page } from "@playwright/test";

// The product's first picture: described, sized (no layout shift), offered as WebP with a
// srcset, and actually loaded from the media route.
async function expectPictureLoaded(page: Page) {
  const picture = page.getByTestId("gallery").getByRole("img").first();
  await expect(picture).toHaveAttribute("alt", /Linen Shirt/);
  await expect(picture).toHaveAttribute("width", /^\d+$/);
  await expect(picture).toHaveAttribute("height", /^\d+$/);
  await expect(picture).toHaveAttribute("srcset", /\/media\/images\/.+ 480w/);
  await expect
    .poll(() => picture.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)))
    .toBeGreaterThan(0);
  expect(await picture.evaluate((img: HTMLImageElement) => img.currentSrc)).toMatch(/\.webp$/);
}

test("a shopper browses to a product, filters, picks a variant and reads reviews", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await waitForHydration(page);
  await page.getByTestId("category-list").getByRole("link", { name: "Apparel" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Apparel" })).toBeVisible();
  await expect(page.getByTestId("result-count")).toHaveText("3 products");
  await expectNoAxeViolations(page);

  await page.getByLabel("Min price").fill("50");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/min_price=50/);
  await expect(page.getByTestId("result-count")).toHaveText("1 product");
  await page.goBack();
  await expect(page.getByTestId("result-count")).toHaveText("3 products");
  await page.goForward();
  await expect(page.getByTestId("result-count")).toHaveText("1 product");

  await page.getByRole("link", { name: "Linen Shirt" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Linen Shirt" })).toBeVisible();
  // A link is a page load; the picker swaps variants in place once the page's islands are live
  // (before that, a choice is a link like any other).
  await waitForHydration(page);
  await expect(page.getByRole("navigation", { name: "Breadcrumb" })).toContainText("Apparel");
  await expect(page.getByTestId("variant-price")).toHaveText("$59.00");
  await expectPictureLoaded(page);
  // A marker on the window survives only if the page is not reloaded.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
  await page.getByRole("link", { name: "L", exact: true }).click();
  await expect(page).toHaveURL(/\/products\/linen-shirt\?size=L$/);
  await expect(page.getByTestId("variant-price")).toHaveText("$61.00");
  await expect(page.getByTestId("sku")).toHaveText("LINEN-L");
  await expect(page.getByTestId("availability")).toHaveText("Only a few left");
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  // Back returns to the previous choice, still without a reload.
  await page.goBack();
  await expect(page).toHaveURL(/\/products\/linen-shirt$/);
  await expect(page.getByTestId("variant-price")).toHaveText("$59.00");
  await expect(page.getByTestId("sku")).not.toHaveText("LINEN-L");
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
  await page.goForward();
  await expect(page.getByTestId("sku")).toHaveText("LINEN-L");
  await expect(page.getByRole("heading", { level: 2, name: "Reviews" })).toBeVisible();
  await expectNoAxeViolations(page);
  expect(errors).toEqual([]);
});

test("browsing works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/categories/apparel");
  await expect(page.getByTestId("result-count")).toHaveText("3 products");
  await page.getByLabel("Min price").fill("50");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/min_price=50/);
  await expect(page.getByTestId("result-count")).toHaveText("1 product");
  await page.getByRole("link", { name: "Linen Shirt" }).click();
  await expect(page.getByTestId("variant-price")).toHaveText("$59.00");
  await expectPictureLoaded(page);
  await page.getByRole("link", { name: "L", exact: true }).click();
  await expect(page.getByTestId("variant-price")).toHaveText("$61.00");
  await expect(page.getByTestId("sku")).toHaveText("LINEN-L");
  const response = await page.goto("/products/no-such-product");
  expect(response?.status()).toBe(404);
  await context.close();
});
