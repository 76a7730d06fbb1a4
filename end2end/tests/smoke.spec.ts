// Smoke test: the home page comes from the server with featured products and the categories,
// hydrates, works on a phone,
// logs no console errors and has no accessibility violations; unknown pages are real 404s.
import { test, expect } from "@playwright/test";
import { watchConsole, expectNoAxeViolations, waitForHydration } from "./helpers";

test("home page is rendered by the server with the featured products", async ({ request }) => {
  const response = await request.get("/");
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain("Cast Iron Skillet");
  expect(html).toContain("$45.00");
});

test("home page hydrates without console errors or accessibility violations", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Shop by category" })).toBeVisible();
  await expect(page.getByTestId("category-list").getByRole("listitem")).toHaveCount(3);
  await expect(page.getByTestId("product-list").getByRole("listitem")).toHaveCount(3);
  await expect(page.getByRole("banner").getByRole("link", { name: "Oxcart" })).toBeVisible();
  await expect(page.getByRole("contentinfo")).toBeVisible();
  await waitForHydration(page);
  await expectNoAxeViolations(page);
  expect(errors).toEqual([]);
});

test("without JavaScript the navigation stays open and the featured products are listed", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 390, height: 800 } });
  const page = await context.newPage();
  await page.goto("/");
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  await expect(page.getByTestId("product-list").getByRole("listitem")).toHaveCount(3);
  await context.close();
});

test("an unknown page is a 404 page inside the layout", async ({ page }) => {
  const errors = watchConsole(page);
  const response = await page.goto("/no-such-page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await waitForHydration(page);
  await expectNoAxeViolations(page);
  // The browser itself logs the 404 status of the document; nothing else may fail.
  expect(errors.filter((e) => !e.includes("404"))).toEqual([]);
});
