// A signed-in customer reviews a product; a moderator approves it through the API; it shows on
// the product's page with the rating summary.
import { test, expect } from "@playwright/test";
import { watchConsole, expectNoAxeViolations, waitForHydration, uniqueEmail } from "./helpers";

const PASSWORD = "correct horse battery";

test("a customer's review shows once a moderator approves it", async ({ page, request }) => {
  const errors = watchConsole(page);
  const email = uniqueEmail("reviewer");
  const registered = await request.post("/api/v1/auth/register", {
    data: { email, display_name: "Rita Reviewer", password: PASSWORD },
  });
  expect(registered.status()).toBe(201);

  await page.goto("/login?next=/products/olive-wood-spoons");
  await waitForHydration(page);
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/products\/olive-wood-spoons$/);
  await expect(page.getByTestId("review-form")).toBeVisible();
  await expectNoAxeViolations(page);

  const title = `Lovely spoons ${Date.now()}`;
  await page.getByLabel("Rating").selectOption("4");
  await page.getByLabel("Title").fill(title);
  await page.getByLabel("Your review (optional)").fill("Smooth and sturdy.");
  await page.getByRole("button", { name: "Send review" }).click();
  await expect(page.getByText("Your review will appear once it has been checked.")).toBeVisible();

  // A moderator approves it through the API.
  const login = await request.post("/api/v1/auth/login", {
    data: { email: process.env.E2E_ADMIN_EMAIL, password: process.env.E2E_ADMIN_PASSWORD },
  });
  const token = (await login.json()).data.access_token;
  const queue = await request.get("/api/v1/reviews?status=pending&per_page=100", {
    headers: { authorization: `Bearer ${token}` },
  });
  const pending = (await queue.json()).data.find((r: { title: string }) => r.title === title);
  expect(pending).toBeTruthy();
  const approved = await request.patch(`/api/v1/reviews/${pending.id}`, {
    headers: { authorization: `Bearer ${token}` },
    data: { status: "approved" },
  });
  expect(approved.status()).toBe(200);

  await page.reload();
  await expect(page.getByTestId("review-list")).toContainText(title);
  await expect(page.getByTestId("review-list")).toContainText("Rita Reviewer");
  await expect(page.getByTestId("rating-summary")).toContainText("out of 5");
  // One review per product: the form has given way to the one written.
  await expect(page.getByTestId("review-form")).toHaveCount(0);
  await expect(page.getByTestId("own-review")).toContainText("published");
  expect(errors).toEqual([]);
});
