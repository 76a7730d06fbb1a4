// Staff keep the catalogue from the back office: a product made on the editor with two variants
// and two pictures (uploaded with progress, reordered, published) shows on the shop; a price
// saved in another tab first is a conflict that keeps what was typed; a 2 000-line CSV with a
// broken line is refused by line and column, applies once fixed, and the export gives it back.
import { test, expect, Page, APIRequestContext } from "@playwright/test";
import { deflateSync } from "node:zlib";
import { watchConsole, expectNoAxeViolations } from "./helpers";

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0xedb88320 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "ascii"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

// A plain-coloured RGB PNG.
function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(width).fill(rgb).flat())]);
  const pixels = Buffer.concat(Array(height).fill(row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(pixels)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

function tag(): string {
  return `${Date.now()}${Math.random().toString(36).slice(2, 6)}`.toLowerCase();
}

async function signIn(page: Page, next: string) {
  await page.goto(`/login?next=${next}`);
  await page.getByLabel("E-mail", { exact: true }).fill(process.env.E2E_ADMIN_EMAIL as string);
  await page.getByLabel("Password", { exact: true }).fill(process.env.E2E_ADMIN_PASSWORD as string);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The path itself, not the login page's `?next=`.
  await expect(page).toHaveURL(new RegExp(`://[^/]+${next}$`));
  await page.waitForLoadState("load");
  await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
}

async function adminToken(request: APIRequestContext): Promise<Record<string, string>> {
  const login = await request.post("/api/v1/auth/login", {
    data: { email: process.env.E2E_ADMIN_EMAIL, password: process.env.E2E_ADMIN_PASSWORD },
  });
  return { authorization: `Bearer ${(await login.json()).data.access_token}` };
}

test("a product made on the editor with two variants and two pictures is published to the shop", async ({ page }) => {
  const errors = watchConsole(page);
  const t = tag();
  const name = `Editor Tee ${t}`;
  await signIn(page, "/admin/products");
  await page.getByRole("link", { name: "New product" }).click();
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Description", { exact: true }).fill("Made in the back office.");
  await page.getByRole("button", { name: "Create product" }).click();
  await expect(page).toHaveURL(/\/admin\/products\/[0-9a-f-]{36}$/);
  await expect(page.getByText("Product created.")).toBeVisible();

  for (const [size, price] of [["S", "19.00"], ["M", "21.00"]]) {
    const form = page.getByRole("form", { name: "Add a variant" });
    await form.getByLabel("SKU").fill(`ED-${t}-${size}`);
    await form.getByLabel("Options").fill(`size=${size}`);
    await form.getByLabel("Price", { exact: true }).fill(price);
    await form.getByLabel("Stock", { exact: true }).fill("5");
    await form.getByRole("button", { name: "Add variant" }).click();
    await expect(page.getByText(`Variant ED-${t}-${size} added.`)).toBeVisible();
  }
  await expect(page.getByTestId("variant")).toHaveCount(2);

  // Two pictures, each with a progress bar, then the gallery.
  const upload = page.getByRole("form", { name: "Upload pictures" });
  for (const [alt, colour] of [["Front", [200, 30, 30]], ["Back", [30, 30, 200]]] as const) {
    await upload.getByLabel("Pictures (JPEG, PNG or WebP)").setInputFiles({
      name: `${alt.toLowerCase()}.png`,
      mimeType: "image/png",
      buffer: png(320, 240, colour as unknown as [number, number, number]),
    });
    await upload.getByLabel("Alt text (for every picture uploaded)").fill(alt);
    await upload.getByRole("button", { name: "Upload" }).click();
    await expect(page.getByText("1 picture(s) uploaded.")).toBeVisible();
  }
  const images = page.getByTestId("image");
  await expect(images).toHaveCount(2);
  await expect(images.first()).toContainText("Front");

  // Reordered with the keyboard's buttons: Back first.
  await page.getByRole("button", { name: /Move up\W+picture 2 \(Back\)/ }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByText("Pictures reordered.")).toBeVisible();
  await expect(page.getByTestId("image").first()).toContainText("Back");

  // Published.
  const details = page.getByRole("form", { name: "Product details" });
  await details.getByLabel("Status").selectOption("active");
  await details.getByRole("button", { name: "Save details" }).click();
  await expect(page.getByText("Product saved.")).toBeVisible();
  await expect(page.getByTestId("product-status")).toHaveText("active");
  await expectNoAxeViolations(page);

  await page.getByRole("link", { name: "View on the shop" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await expect(page.getByText("$19.00").first()).toBeVisible();
  expect(errors).toEqual([]);
});

test("a price saved in another tab first is a conflict that keeps what was typed", async ({ page, context, request }) => {
  const t = tag();
  const auth = await adminToken(request);
  const created = await request.post("/api/v1/products", {
    headers: auth,
    data: { name: `Conflict Mug ${t}`, status: "active", variants: [{ sku: `CM-${t}`, price: "19.99", stock: 3 }] },
  });
  expect(created.status()).toBe(201);
  const id = (await created.json()).data.id;

  await signIn(page, `/admin/products/${id}`);
  const other = await context.newPage();
  await other.goto(`/admin/products/${id}`);
  await expect(other.getByRole("heading", { level: 1, name: `Conflict Mug ${t}` })).toBeVisible();

  // The other tab saves first.
  const theirs = other.getByRole("form", { name: `Variant CM-${t}` });
  await theirs.getByLabel("Price", { exact: true }).fill("17.50");
  await theirs.getByRole("button", { name: "Save variant" }).click();
  await expect(other.getByText(`Variant CM-${t} saved.`)).toBeVisible();

  // This tab still shows 19.99 and saves 18.00 over it: refused, with what changed.
  const mine = page.getByRole("form", { name: `Variant CM-${t}` });
  await mine.getByLabel("Price", { exact: true }).fill("18.00");
  await mine.getByRole("button", { name: "Save variant" }).click();
  const alert = page.getByTestId("form-alert");
  await expect(alert).toContainText("Someone else saved this");
  const conflict = page.getByTestId("conflict");
  await expect(conflict.getByRole("row", { name: /Price/ })).toContainText("19.99");
  await expect(conflict.getByRole("row", { name: /Price/ })).toContainText("17.50");
  await expect(page.getByRole("form", { name: `Variant CM-${t}` }).getByLabel("Price", { exact: true })).toHaveValue("18.00");
  await expectNoAxeViolations(page);

  // Saving again is a deliberate choice: it goes through.
  await page.getByRole("form", { name: `Variant CM-${t}` }).getByRole("button", { name: "Save variant" }).click();
  await expect(page.getByText(`Variant CM-${t} saved.`)).toBeVisible();
  await expect(page.getByRole("form", { name: `Variant CM-${t}` }).getByLabel("Price", { exact: true })).toHaveValue("18.00");
});

function catalogue(t: string, brokenLine?: number): string {
  const lines = ["product_slug,product_name,product_status,sku,options,price,stock"];
  for (let p = 0; p < 400; p++) {
    for (let v = 0; v < 5; v++) {
      const line = lines.length + 1;
      const price = line === brokenLine ? "twelve" : `${10 + v}.50`;
      lines.push(`csv-${t}-${p},CSV ${t} ${p},active,CSV-${t}-${p}-${v},size=${v},${price},${p}`);
    }
  }
  return lines.join("\n") + "\n";
}

test("a 2 000-line CSV with a broken line is refused by line, applies once fixed, and exports back", async ({ page }) => {
  test.setTimeout(180_000);
  const t = tag();
  await signIn(page, "/admin/imports");

  const upload = async (content: string) => {
    await page.goto("/admin/imports");
    await page.getByLabel("CSV file", { exact: true }).setInputFiles({ name: `catalogue-${t}.csv`, mimeType: "text/csv", buffer: Buffer.from(content) });
    await page.getByRole("button", { name: "Import" }).click();
    await expect(page).toHaveURL(/\/admin\/imports\/[0-9a-f-]{36}$/);
    await expect(page.getByTestId("import-progress")).toBeVisible();
    await expect(page.getByTestId("import-result")).toBeVisible({ timeout: 120_000 });
  };

  await upload(catalogue(t, 1500));
  await expect(page.getByRole("alert")).toContainText("nothing was applied");
  const errors = page.getByTestId("import-errors");
  await expect(errors.getByRole("row")).toHaveCount(2);
  await expect(errors.getByRole("row").nth(1)).toContainText("1500");
  await expect(errors.getByRole("row").nth(1)).toContainText("price");
  await expectNoAxeViolations(page);

  await upload(catalogue(t));
  await expect(page.getByTestId("created")).toHaveText("2000");
  await expect(page.getByTestId("failed")).toHaveText("0");
  await expect(page.getByRole("progressbar")).toHaveAttribute("value", "100");

  // The export has every line as imported.
  await page.goto("/admin/imports");
  await expect(page.getByRole("heading", { level: 1, name: "Import and export" })).toBeVisible();
  await expectNoAxeViolations(page);
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "Download the catalogue (CSV)" }).click(),
  ]);
  const exported = (await (await download.createReadStream()).toArray()).join("");
  const header = exported.split("\n")[0].split(",");
  const at = (name: string) => header.indexOf(name);
  const rows = exported
    .split("\n")
    .slice(1)
    .map((line) => line.split(","))
    .filter((cells) => cells[at("sku")]?.startsWith(`CSV-${t}-`));
  expect(rows).toHaveLength(2000);
  const imported = catalogue(t).trim().split("\n").slice(1).map((line) => line.split(","));
  const bySku = new Map(rows.map((cells) => [cells[at("sku")], cells]));
  for (const [slug, , status, sku, options, price, stock] of imported) {
    const row = bySku.get(sku) as string[];
    expect([row[at("product_slug")], row[at("product_status")], row[at("options")], row[at("price")], row[at("stock")]]).toEqual([
      slug,
      status,
      options,
      price,
      stock,
    ]);
  }
});
