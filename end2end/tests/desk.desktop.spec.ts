// Staff run checkout's side from the back office: a discount code made on the pricing page is
// used by a shopper, and the shopper's order is taken from paid to delivered at the order desk.
import { test, expect } from "@playwright/test";
import { watchConsole, expectNoAxeViolations, waitForHydration, mailTo } from "./helpers";

test("a code made on the pricing page is used, and the order is taken to delivered at the desk", async ({ page, browser, request }) => {
  const errors = watchConsole(page);
  const tag = `${Date.now()}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();
  const login = await request.post("/api/v1/auth/login", {
    data: { email: process.env.E2E_ADMIN_EMAIL, password: process.env.E2E_ADMIN_PASSWORD },
  });
  const auth = { authorization: `Bearer ${(await login.json()).data.access_token}` };
  expect((await request.post("/api/v1/shipping-methods", { headers: auth, data: { name: `Desk Post ${tag}`, price: "3.00", countries: ["AT"] } })).status()).toBe(201);

  // Staff: a code on the pricing page.
  await page.goto("/login?next=/admin/pricing");
  await waitForHydration(page);
  await page.getByLabel("E-mail", { exact: true }).fill(process.env.E2E_ADMIN_EMAIL as string);
  await page.getByLabel("Password", { exact: true }).fill(process.env.E2E_ADMIN_PASSWORD as string);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/admin\/pricing$/);
  const code = `DESK${tag}`;
  const form = page.getByTestId("new-code");
  await form.getByLabel("Code").fill(code);
  await form.getByLabel("Kind").selectOption("fixed");
  await form.getByLabel("Value").fill("2");
  await form.getByLabel("Uses in all (optional)").fill("5");
  await form.getByRole("button", { name: "Create code" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.getByTestId("code-table")).toContainText(code);
  await expectNoAxeViolations(page);

  // A shopper (another browser) uses it.
  const shopper = await (await browser.newContext()).newPage();
  await shopper.goto("/products/canvas-tote-bag");
  await waitForHydration(shopper);
  await shopper.getByRole("button", { name: "Add to cart" }).click();
  await expect(shopper.locator("#cart-count")).toHaveText("1");
  await shopper.goto("/cart");
  await shopper.getByLabel("Discount code").fill(code);
  await shopper.getByRole("button", { name: "Apply" }).click();
  await expect(shopper.getByTestId("totals")).toContainText("−$2.00");
  await shopper.getByRole("link", { name: "Check out" }).click();
  const email = `desk.${tag.toLowerCase()}@example.com`;
  await shopper.getByLabel("E-mail (for your confirmation)").fill(email);
  await shopper.getByLabel("Full name").fill("Otto Orderer");
  await shopper.getByLabel("Address line 1").fill("Ring 1");
  await shopper.getByLabel("Postal code").fill("1010");
  await shopper.getByLabel("City").fill("Wien");
  await shopper.getByLabel("Country code").fill("AT");
  await shopper.getByRole("button", { name: "Continue to shipping" }).click();
  await shopper.getByLabel(`Desk Post ${tag}`).check();
  await shopper.getByRole("button", { name: "Continue to review" }).click();
  await shopper.getByRole("button", { name: "Place order" }).click();
  await expect(shopper.getByText("Thank you! Your order is placed.")).toBeVisible();

  // Staff: the order desk, filtered by the shopper's address, from paid to delivered.
  await page.goto("/admin/orders");
  await page.getByLabel("Customer e-mail").fill(email);
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/email=/);
  const rows = page.getByTestId("order-table").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expectNoAxeViolations(page);
  await rows.first().getByRole("link").click();
  await expect(page.getByTestId("desk-status")).toHaveText("Awaiting payment");
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Mark paid" }).click();
  await expect(page.getByText("The order is updated and the customer is told.")).toBeVisible();
  await expect(page.getByTestId("desk-status")).toHaveText("Paid");
  await page.getByLabel("Tracking number").fill(`TRACK${tag}`);
  await page.getByRole("button", { name: "Mark shipped" }).click();
  await expect(page.getByTestId("desk-status")).toHaveText("Shipped");
  await page.getByRole("button", { name: "Mark delivered" }).click();
  await expect(page.getByTestId("desk-status")).toHaveText("Delivered");
  await expect(page.getByText("This order is finished")).toBeVisible();
  await expect(page.getByTestId("desk-history")).toContainText("Shipped (by staff)");
  await mailTo(email, "Delivered");
  expect(errors).toEqual([]);
});

test("staff move a category and approve two reviews at once", async ({ page, request }) => {
  const errors = watchConsole(page);
  const tag = `${Date.now()}${Math.random().toString(36).slice(2, 6)}`;
  // Two customers review the notebook through the API.
  const product = (await (await request.get("/api/v1/products/dot-grid-notebook")).json()).data.id;
  for (const name of ["one", "two"]) {
    const email = `reviewer.${name}.${tag}@example.com`;
    const registered = await request.post("/api/v1/auth/register", {
      data: { email, display_name: `Reviewer ${name}`, password: "correct horse battery" },
    });
    const token = (await registered.json()).data.access_token;
    const reviewed = await request.post(`/api/v1/products/${product}/reviews`, {
      headers: { authorization: `Bearer ${token}` },
      data: { rating: 4, title: `Nice paper ${name} ${tag}` },
    });
    expect(reviewed.status()).toBe(201);
  }

  await page.goto("/login?next=/admin/reviews");
  await waitForHydration(page);
  await page.getByLabel("E-mail", { exact: true }).fill(process.env.E2E_ADMIN_EMAIL as string);
  await page.getByLabel("Password", { exact: true }).fill(process.env.E2E_ADMIN_PASSWORD as string);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/admin\/reviews$/);
  await page.getByLabel(`Nice paper one ${tag}`).check();
  await page.getByLabel(`Nice paper two ${tag}`).check();
  await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Approve ticked" }).click();
  await expect(page.getByText("2 review(s) approved.")).toBeVisible();
  await expect(page.getByText(`Nice paper one ${tag}`)).toHaveCount(0);
  await page.goto("/products/dot-grid-notebook");
  await expect(page.getByTestId("review-list")).toContainText(`Nice paper two ${tag}`);

  // A new category, moved under Kitchen.
  await page.goto("/admin/categories");
  await page.getByLabel("Name", { exact: true }).last().fill(`Cups ${tag}`);
  await page.getByRole("button", { name: "Add category" }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  const cups = page.locator(`li[data-category="cups-${tag}"]`);
  await cups.getByLabel("Under").first().selectOption({ label: "Kitchen" });
  await cups.getByRole("button", { name: `Save Cups ${tag}` }).click();
  await expect(page.getByText("Saved.")).toBeVisible();
  await expect(page.locator('li[data-category="kitchen"]').locator(`li[data-category="cups-${tag}"]`)).toHaveCount(1);
  await expectNoAxeViolations(page);
  expect(errors).toEqual([]);
});
