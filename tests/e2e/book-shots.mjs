// Throwaway: screenshots of /books/new and /jobs/{id} at 390 and 1280 px (not part of run.sh).
import { chromium } from "playwright-core";
const BASE = process.env.BASE, USER = process.env.USER_NAME, PASS = process.env.PASS;
const OUT = process.env.OUT || "/tmp/shots";
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
for (const width of [390, 1280]) {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  await page.goto(`${BASE}/login`);
  await page.fill("#username", USER);
  await page.fill("#password", PASS);
  await Promise.all([page.waitForNavigation(), page.click("form[action='/login'] button[type=submit]")]);
  await page.goto(`${BASE}/books/new`);
  await page.screenshot({ path: `${OUT}/books-new-empty-${width}.png`, fullPage: true });
  await page.fill("#sel_text", "ความรู้");
  await Promise.all([page.waitForNavigation(), page.click("button[value=find]")]);
  await page.screenshot({ path: `${OUT}/books-new-found-${width}.png`, fullPage: true });
  await Promise.all([page.waitForNavigation(), page.click("button[value=add]")]);
  await page.screenshot({ path: `${OUT}/books-new-chosen-${width}.png`, fullPage: true });
  const list = await page.locator("#order-h").boundingBox();
  await page.screenshot({ path: `${OUT}/books-new-list-${width}.png`, fullPage: true, clip: { x: 0, y: list.y - 20, width, height: 1000 } });
  await page.fill("#fiscal_year", "๒๕๖๘");
  await Promise.all([page.waitForNavigation(), page.click("button[value=build]")]);
  await page.screenshot({ path: `${OUT}/job-running-${width}.png`, fullPage: true });
  console.log(width, page.url());
  await page.waitForSelector("a[href$='/download']", { timeout: 120000 });
  await page.screenshot({ path: `${OUT}/job-done-${width}.png`, fullPage: true });
  await page.close();
}
await browser.close();
