// Helpers shared by the end-to-end tests.
import { expect, type Page } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg) => {
    // An island the wasm doesn't export (server and browser builds disagree) is only a warning.
    if (msg.type() === "error" || msg.text().includes("Could not find WASM function")) errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(err.message));
  return errors;
}

export async function expectNoAxeViolations(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const summary = results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  expect(summary).toEqual([]);
}

/** Hydration is done once the menu button (hidden until then) exists without `hidden`. */
export async function waitForHydration(page: Page) {
  await expect(page.getByTestId("menu-toggle")).not.toHaveAttribute("hidden", { timeout: 15_000 });
}

/** An address no other test (or earlier run on the same database) uses. */
export function uniqueEmail(name: string): string {
  return `${name}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Undoes quoted-printable soft line breaks and escapes (the mail's text part may use them). */
function decodeQuotedPrintable(raw: string): string {
  return raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/** Waits for a mail to `to` whose subject contains `subject` in the outbox; returns its link. */
export async function linkInMail(to: string, subject: string): Promise<string> {
  const message = await mailTo(to, subject);
  const link = message.match(/https?:\/\/\S+token=[A-Za-z0-9_-]+/)?.[0] ?? "";
  expect(link, `a link in the mail "${subject}" to ${to}`).not.toBe("");
  return link;
}

/** Waits for a mail to `to` whose text contains `text` in the outbox; returns the message. */
export async function mailTo(to: string, text: string): Promise<string> {
  const dir = process.env.MAIL_OUTBOX_DIR;
  if (!dir) throw new Error("MAIL_OUTBOX_DIR is not set: run the suite through end2end/run.sh");
  let found = "";
  await expect
    .poll(
      () => {
        const files = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".eml")) : [];
        for (const file of files) {
          const message = decodeQuotedPrintable(readFileSync(join(dir, file), "utf8"));
          if (message.includes(`To: ${to}`) && message.includes(text)) found = message;
        }
        return found;
      },
      { timeout: 20_000, message: `a mail with "${text}" to ${to}` },
    )
    .not.toBe("");
  return found;
}
