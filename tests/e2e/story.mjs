// What the browser stories (innovation.mjs, contest.mjs) share: reading run.sh's settings,
// steps that stop the story at the first failure (with a screenshot of the page then in use),
// a phone-sized browser context, signing in, and the closing "N passed, N failed" line that
// run.sh reads.
import { chromium } from "playwright-core";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { mkdirSync } from "node:fs";
import path from "node:path";

export const SHOTS = process.env.E2E_SHOTS || "/tmp/khlang-e2e-shots";
export const PHONE = { width: 390, height: 844 };
mkdirSync(SHOTS, { recursive: true });

/** A setting run.sh passes; the story cannot run without it. */
export function need(name) {
  const v = process.env[name];
  if (!v) {
    console.error(`${path.basename(process.argv[1])}: ${name} is not set (start it with run.sh)`);
    process.exit(2);
  }
  return v;
}

export const expect = (cond, message) => {
  if (!cond) throw new Error(message);
};

/** One story: `run.step(name, fn)` runs fn unless an earlier step failed; `run.current` is the
 * page a failure screenshot shows; `run.finish()` prints the counts and exits. */
export function story(name) {
  const results = [];
  let stopped = false;
  const run = {
    current: null,
    async step(title, fn) {
      if (stopped) {
        results.push("skipped");
        console.log(`skip ${title}`);
        return;
      }
      const t0 = Date.now();
      try {
        const note = await fn();
        results.push("passed");
        console.log(`ok   ${title} (${((Date.now() - t0) / 1000).toFixed(1)} s)${note ? ` — ${note}` : ""}`);
      } catch (e) {
        results.push("failed");
        stopped = true;
        const lines = String(e.message || e).split("\n").filter((l) => l.trim());
        console.log(`FAIL ${title}: ${lines[0]}`);
        for (const l of lines.slice(1, 12)) console.log(`     ${l.trim()}`);
        const page = run.current;
        if (page && !page.isClosed()) {
          console.log(`     at ${page.url()}`);
          await page.screenshot({ path: path.join(SHOTS, `${name}-failure.png`), fullPage: true }).catch(() => {});
        }
      }
    },
    shot: (page, label) => page.screenshot({ path: path.join(SHOTS, `${name}-${label}.png`), fullPage: true }),
    finish() {
      const count = (s) => results.filter((r) => r === s).length;
      console.log(`${count("passed")} passed, ${count("failed")} failed${count("skipped") ? `, ${count("skipped")} skipped` : ""}; screenshots in ${SHOTS}`);
      process.exit(count("failed") ? 1 : 0);
    },
  };
  return run;
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
  });
}

/** A context like a cheap Android phone in Thailand. */
export async function newPhone(browser) {
  const context = await browser.newContext({
    viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true,
    locale: "th-TH", timezoneId: "Asia/Bangkok",
  });
  context.setDefaultTimeout(30_000);
  return { context, page: await context.newPage() };
}

export async function login(base, page, who) {
  await page.goto(`${base}/login`);
  await page.locator("#username").fill(who.user);
  await page.locator("#password").fill(who.pass);
  await page.locator('form[action="/login"] button[type=submit]').click();
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

/** The text a QR code on the page encodes, read as a phone's camera would: the element's
 * pixels, decoded (null when no code can be read). */
export async function readQr(locator) {
  const png = PNG.sync.read(await locator.screenshot());
  const pixels = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length);
  const code = jsQR(pixels, png.width, png.height);
  return code ? code.data : null;
}
