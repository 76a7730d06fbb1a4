// Accounts in a real browser: register, confirm the e-mail with the link from the outbox, sign
// out and in, edit the profile and an address; a password change signs other browsers out; the
// staff area refuses customers and lets an admin change a role; sign-in works without JavaScript.
import { test, expect, type Page } from "@playwright/test";
import { watchConsole, expectNoAxeViolations, waitForHydration, linkInMail, uniqueEmail } from "./helpers";

const PASSWORD = "correct horse battery";

async function register(page: Page, email: string, name = "Ada") {
  await page.goto("/register");
  await waitForHydration(page);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/account\?welcome=1$/);
}

async function signIn(page: Page, email: string, password = PASSWORD) {
  await page.getByLabel("E-mail", { exact: true }).fill(email);
  await page.getByLabel("Password", { exact: true }).fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

test("a shopper registers, confirms the address, signs out and in, edits profile and address", async ({ page }) => {
  const errors = watchConsole(page);
  const email = uniqueEmail("ada");
  await register(page, email);
  await expect(page.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();
  await expect(page.getByTestId("verification")).toContainText("not confirmed");
  await expectNoAxeViolations(page);

  await page.goto(await linkInMail(email, "Confirm your e-mail"));
  await expect(page.getByText(`${email} is confirmed`)).toBeVisible();

  await waitForHydration(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("link", { name: "Sign in" })).toBeVisible();
  await page.goto("/account");
  await expect(page).toHaveURL(/\/login\?next=\/account$/);

  await waitForHydration(page);
  await signIn(page, email, "wrong password here");
  await expect(page.getByRole("alert")).toContainText("Invalid e-mail or password.");
  await expect(page.getByLabel("E-mail", { exact: true })).toHaveValue(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByTestId("verification")).toContainText("is confirmed");

  await page.getByLabel("Name", { exact: true }).fill("Ada Lovelace");
  await page.getByRole("button", { name: "Save profile" }).click();
  await expect(page.getByText("Profile saved.")).toBeVisible();

  await page.getByRole("link", { name: "Addresses" }).click();
  await expect(page.getByText("You have no saved addresses yet.")).toBeVisible();
  await page.getByRole("link", { name: "Add an address" }).click();
  await waitForHydration(page);
  await page.getByLabel("Full name").fill("Ada Lovelace");
  await page.getByLabel("Address line 1").fill("12 St James's Square");
  await page.getByLabel("Postal code").fill("SW1Y 4JH");
  await page.getByLabel("City").fill("London");
  await page.getByLabel("Country code").fill("Britain");
  await page.getByRole("button", { name: "Save address" }).click();
  await expect(page.getByText("Country code must be a two-letter country code")).toBeVisible();
  await expect(page.getByLabel("City")).toHaveValue("London");
  await page.getByLabel("Country code").fill("gb");
  await page.getByRole("button", { name: "Save address" }).click();
  await expect(page).toHaveURL(/\/account\/addresses\?saved=1$/);
  const list = page.getByTestId("address-list");
  await expect(list).toContainText("London");
  await expect(list).toContainText("Default shipping address");

  await list.getByRole("link", { name: "Edit" }).click();
  await expect(page.getByLabel("City")).toHaveValue("London");
  await page.getByLabel("City").fill("Marylebone");
  await page.getByRole("button", { name: "Save address" }).click();
  await expect(page.getByTestId("address-list")).toContainText("Marylebone");
  await expectNoAxeViolations(page);
  expect(errors.filter((e) => !e.includes("status of 4"))).toEqual([]);
});

test("changing the password signs the account out of its other browsers", async ({ browser }) => {
  const email = uniqueEmail("twodevices");
  const laptop = await browser.newPage();
  await register(laptop, email);
  const phone = await (await browser.newContext()).newPage();
  await phone.goto("/login?next=/account");
  await waitForHydration(phone);
  await signIn(phone, email);
  await expect(phone).toHaveURL(/\/account$/);

  await waitForHydration(laptop);
  await laptop.getByLabel("Current password").fill(PASSWORD);
  await laptop.getByLabel("New password").fill("a fresh passphrase 77");
  await laptop.getByRole("button", { name: "Change password" }).click();
  await expect(laptop.getByText("Password changed. You have been signed out everywhere else.")).toBeVisible();
  await laptop.reload();
  await expect(laptop.getByRole("heading", { level: 1, name: "Your account" })).toBeVisible();

  await phone.reload();
  await expect(phone).toHaveURL(/\/login\?next=\/account$/);
});

test("a customer is refused the staff area", async ({ page }) => {
  await register(page, uniqueEmail("customer"));
  await expect(page.getByRole("banner").getByRole("link", { name: "Admin" })).toHaveCount(0);
  const response = await page.goto("/admin");
  expect(response?.status()).toBe(403);
  await expect(page.getByRole("heading", { name: "You can't open this page" })).toBeVisible();
});

test("an admin signs in, opens Users and changes a role", async ({ page, request }) => {
  const errors = watchConsole(page);
  const customer = uniqueEmail("grace");
  const created = await request.post("/api/v1/auth/register", {
    data: { email: customer, display_name: "Grace", password: PASSWORD },
  });
  expect(created.status()).toBe(201);

  await page.goto("/admin/users");
  await expect(page).toHaveURL(/\/login\?next=\/admin\/users$/);
  await waitForHydration(page);
  await signIn(page, process.env.E2E_ADMIN_EMAIL!, process.env.E2E_ADMIN_PASSWORD!);
  await expect(page).toHaveURL(/\/admin\/users$/);
  await expect(page.getByRole("banner").getByRole("link", { name: "Admin" })).toBeVisible();

  await page.getByLabel("Search by name or e-mail").fill(customer);
  await page.getByRole("button", { name: "Search" }).click();
  const row = page.locator(`tr[data-email="${customer}"]`);
  await expect(row).toBeVisible();
  await expect(page.getByTestId("user-table").locator("tbody tr")).toHaveCount(1);
  await waitForHydration(page);
  await row.getByLabel("Role").selectOption("staff");
  await row.getByRole("button", { name: `Save ${customer}` }).click();
  await expect(row.getByRole("status")).toHaveText("Saved");
  await expectNoAxeViolations(page);

  await page.goto(`/admin/users?q=${encodeURIComponent(customer)}`);
  await expect(page.locator(`tr[data-email="${customer}"]`).getByLabel("Role")).toHaveValue("staff");
  expect(errors, "hydration and everything after it ran without errors").toEqual([]);
});

test("signing in works without JavaScript, errors included", async ({ browser, request }) => {
  const email = uniqueEmail("nojs");
  const created = await request.post("/api/v1/auth/register", {
    data: { email, display_name: "No Script", password: PASSWORD },
  });
  expect(created.status()).toBe(201);
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login");
  await signIn(page, email, "not the password");
  await expect(page.getByRole("alert")).toContainText("Invalid e-mail or password.");
  await signIn(page, email);
  await expect(page).toHaveURL(/\/account$/);
  await expect(page.getByLabel("E-mail", { exact: true })).toHaveValue(email);
  await context.close();
});
