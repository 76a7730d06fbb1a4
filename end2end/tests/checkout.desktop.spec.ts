// The whole purchase: a guest adds two products, signs in (the cart merges), applies a code,
// checks out, sees the confirmation, finds the order in the account and the mail in the outbox;
// staff mark it paid and shipped through the API and the customer sees it. Once with
// JavaScript, once without (axe runs in the page, so accessibility is checked in the first).
import { test, expect, type APIRequestContext, type Page } from "@playwright/test";
import { watchConsole, expectNoAxeViolations, waitForHydration, uniqueEmail, mailTo } from "./helpers";

const PASSWORD = "correct horse battery";

/** What staff set up through the API: a method to Germany, its tax rate and a code. */
async function pricing(request: APIRequestContext) {
  const login = await request.post("/api/v1/auth/login", {
    data: { email: process.env.E2E_ADMIN_EMAIL, password: process.env.E2E_ADMIN_PASSWORD },
  });
  const token = (await login.json()).data.access_token as string;
  const auth = { authorization: `Bearer ${token}` };
  const tag = `${Date.now()}${Math.random().toString(36).slice(2, 6)}`.toUpperCase();
  const method = await request.post("/api/v1/shipping-methods", {
    headers: auth,
    data: { name: `Post ${tag}`, price: "4.95", countries: ["DE"] },
  });
  expect(method.status()).toBe(201);
  expect([200, 201]).toContain((await request.put("/api/v1/tax-rates/DE", { headers: auth, data: { rate: "19" } })).status());
  const code = `E2E${tag}`;
  const created = await request.post("/api/v1/discount-codes", {
    headers: auth,
    data: { code, kind: "percent", value: "10" },
  });
  expect(created.status()).toBe(201);
  return { auth, method: `Post ${tag}`, code };
}

async function addToCart(page: Page, slug: string, js: boolean, expected: string) {
  await page.goto(`/products/${slug}`);
  if (js) {
    await waitForHydration(page);
    await page.getByRole("button", { name: "Add to cart" }).click();
    // In place: the page stays, the header's count follows.
    await expect(page.getByRole("status").filter({ hasText: "Added to your cart." })).toBeVisible();
    await expect(page).toHaveURL(new RegExp(`/products/${slug}$`));
  } else {
    await page.getByRole("button", { name: "Add to cart" }).click();
    await expect(page).toHaveURL(/\/cart$/);
  }
  await expect(page.locator("#cart-count")).toHaveText(expected);
}

async function purchase(page: Page, request: APIRequestContext, js: boolean) {
  const errors = watchConsole(page);
  const { auth, method, code } = await pricing(request);
  const email = uniqueEmail(js ? "buyer" : "nojs-buyer");
  const registered = await request.post("/api/v1/auth/register", {
    data: { email, display_name: "Bea Buyer", password: PASSWORD },
  });
  expect(registered.status()).toBe(201);

  // A guest fills the cart.
  await addToCart(page, "canvas-tote-bag", js, "1");
  await addToCart(page, "dot-grid-notebook", js, "2");

  // Signing in keeps it.
  await page.goto("/login?next=/cart");
  if (js) await waitForHydration(page);
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/cart$/);
  const items = page.getByTestId("cart-item");
  await expect(items).toHaveCount(2);
  await expect(page.getByTestId("cart-items")).toContainText("Canvas Tote Bag");
  await expect(page.getByTestId("cart-items")).toContainText("Dot Grid Notebook");

  // A code: 10 % off 18.00 + 16.50.
  await page.getByLabel("Discount code").fill(code.toLowerCase());
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page.getByText(`Code ${code} applied.`)).toBeVisible();
  await expect(page.getByTestId("totals")).toContainText("−$3.45");
  if (js) await expectNoAxeViolations(page);

  // Checkout: address → shipping → review → place order.
  await page.getByRole("link", { name: "Check out" }).click();
  await expect(page).toHaveURL(/\/checkout$/);
  await page.getByLabel("Full name").fill("Bea Buyer");
  await page.getByLabel("Address line 1").fill("Hauptstraße 1");
  await page.getByLabel("Postal code").fill("10115");
  await page.getByLabel("City").fill("Berlin");
  await page.getByLabel("Country code").fill("DE");
  if (js) await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Continue to shipping" }).click();
  await expect(page).toHaveURL(/\/checkout\/shipping$/);
  await page.getByLabel(method).check();
  await page.getByRole("button", { name: "Continue to review" }).click();
  await expect(page).toHaveURL(/\/checkout\/review$/);
  // 34.50 − 3.45 = 31.05; shipping 4.95; tax 19 %: 3.08 + 2.82 + 0.94 = 6.84 → 42.84.
  await expect(page.getByTestId("total")).toHaveText("$42.84");
  if (js) await expectNoAxeViolations(page);
  await page.getByRole("button", { name: "Place order" }).click();
  await expect(page).toHaveURL(/\/orders\/[0-9a-f-]+\?key=.+&placed=1$/);
  await expect(page.getByText("Thank you! Your order is placed.")).toBeVisible();
  const heading = await page.getByRole("heading", { level: 1 }).textContent();
  const number = heading?.match(/OX-\d+/)?.[0] ?? "";
  expect(number).not.toBe("");
  await expect(page.getByTestId("order-status")).toHaveText("Awaiting payment");
  await expect(page.locator("#cart-count")).toHaveText("0");
  if (js) await expectNoAxeViolations(page);

  // The order in the account, and the mail.
  await page.goto("/account/orders");
  await page.getByRole("link", { name: number }).click();
  await expect(page.getByTestId("order-status")).toHaveText("Awaiting payment");
  const mail = await mailTo(email, `Your Oxcart order ${number}`);
  expect(mail).toContain("Canvas Tote Bag");

  // Staff: paid, then shipped with a tracking number.
  const orderId = page.url().split("/").pop() as string;
  const paid = await request.patch(`/api/v1/orders/${orderId}`, { headers: auth, data: { status: "paid" } });
  expect(paid.status()).toBe(200);
  const shipped = await request.patch(`/api/v1/orders/${orderId}`, {
    headers: auth,
    data: { status: "fulfilled", tracking_number: "1Z999AA10123456784" },
  });
  expect(shipped.status()).toBe(200);
  await page.reload();
  await expect(page.getByTestId("order-status")).toHaveText("Shipped");
  await expect(page.getByTestId("tracking-number")).toHaveText("1Z999AA10123456784");
  await expect(page.getByTestId("order-history")).toContainText("Paid");
  await mailTo(email, `Order ${number}: Shipped`);
  expect(errors).toEqual([]);
}

test("a guest fills a cart, signs in, applies a code and buys", async ({ page, request }) => {
  await purchase(page, request, true);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });
  test("the same purchase works with plain forms", async ({ page, request }) => {
    await purchase(page, request, false);
  });
});
