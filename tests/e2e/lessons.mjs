// Issue 13's lessons-learned story on a 390×844 phone viewport: a contributor opens /lessons,
// starts an AAR (ทบทวนหลังปฏิบัติงาน) from its card, fills the wizard's five steps, submits it;
// a reviewer approves; an anonymous visitor finds it in Thai search by a word that sits inside
// unspaced Thai text. Also a desktop-width screenshot of /lessons.
//
// Started by run.sh (E2E_FLOWS=lessons to run only this one). Prints one line per step and,
// last, "N passed, N failed"; exits 1 on failure.
import { need, expect, story, launch, newPhone, login as signIn } from "./story.mjs";

const BASE = need("E2E_BASE_URL");
const OFFICER = { user: need("E2E_OFFICER"), pass: need("E2E_OFFICER_PASSWORD") };
const REVIEWER = { user: need("E2E_REVIEWER"), pass: need("E2E_REVIEWER_PASSWORD") };
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const TITLE = `ทบทวนเวทีกลุ่มทอผ้าบ้านโนนม่วง ${stamp}`;
const WORD = "ผ้าไหม";
const run = story("lessons");
const step = run.step;
const shot = run.shot;
const login = (page, who) => signIn(BASE, page, who);

async function progress(page) {
  return (await page.locator("p.progress").innerText()).replace(/\s+/g, " ").trim();
}

async function fillEmpty(page, text) {
  for (const box of await page.locator("form#entry-form textarea").all()) {
    if (!(await box.inputValue()).trim()) await box.fill(text);
  }
}

async function next(page) {
  await page.getByRole("button", { name: /บันทึกแล้วไปต่อ|บันทึกแล้วตรวจทาน/ }).click();
  await page.waitForLoadState("load");
}

const browser = await launch();
let itemId = null;
try {
  const officer = await newPhone(browser);
  const reviewer = await newPhone(browser);
  const visitor = await newPhone(browser);

  await step("contributor signs in and opens /lessons: six big cards", async () => {
    const page = (run.current = officer.page);
    await login(page, OFFICER);
    await page.goto(`${BASE}/lessons`);
    const cards = await page.locator("a.lesson-card").count();
    expect(cards === 6, `${cards} cards`);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width <= 390, `page is ${width} px wide at 390`);
    await shot(page, "01-lessons");
  });

  await step("starts an AAR from its card and names it", async () => {
    const page = (run.current = officer.page);
    await page.locator('a.lesson-card[href="/lessons/new/aar"]').click();
    await page.waitForURL(/\/lessons\/new\/aar/);
    await page.locator("#title").fill(TITLE);
    await shot(page, "02-start");
    await page.getByRole("button", { name: /เริ่มกรอก/ }).click();
    await page.waitForURL(/\/items\/\d+\/form\/1/);
    itemId = new URL(page.url()).pathname.split("/")[2];
    expect((await progress(page)).startsWith("ขั้นที่ 1 จาก 5"), `progress: ${await progress(page)}`);
    return `item ${itemId}`;
  });

  await step("fills the five steps and submits for screening", async () => {
    const page = (run.current = officer.page);
    const answers = [
      "พัฒนากร ผู้นำกลุ่มทอผ้า และสมาชิกกลุ่ม",
      "คาดว่าสมาชิกยี่สิบคนจะมาเรียนการย้อมสีธรรมชาติ",
      `มีสมาชิกมาสามสิบคนและได้ลายผ้าใหม่สองลาย ทอ${WORD}ขายได้ทันที`,
      "ผู้นำกลุ่มชวนคนรุ่นใหม่มาด้วย และวัดให้ใช้ศาลา",
      "ครั้งหน้าจะจัดสองวันและเชิญร้านค้าในตำบล",
    ];
    for (let n = 1; n <= 5; n++) {
      expect((await progress(page)).startsWith(`ขั้นที่ ${n} จาก 5`), `progress: ${await progress(page)}`);
      await fillEmpty(page, answers[n - 1]);
      if (n === 3) await shot(page, "03-step3");
      await next(page);
    }
    await page.waitForURL(/\/form\/review/);
    await shot(page, "04-review");
    await page.getByRole("button", { name: "ส่งพิจารณา" }).click();
    await page.waitForLoadState("load");
    expect((await page.content()).includes("ส่งพิจารณาแล้ว"), "not submitted");
  });

  await step("a reviewer approves", async () => {
    const page = (run.current = reviewer.page);
    await login(page, REVIEWER);
    await page.goto(`${BASE}/items/${itemId}`);
    await page.locator("input[name=decision][value=approve]").check();
    await page.getByRole("button", { name: "บันทึกผลการกลั่นกรอง" }).click();
    await page.waitForLoadState("load");
    expect((await page.content()).includes("เผยแพร่แล้ว"), "not published");
  });

  await step(`anonymous: Thai search for "${WORD}" finds the AAR`, async () => {
    const page = (run.current = visitor.page);
    await page.goto(`${BASE}/search?q=${encodeURIComponent(WORD)}`);
    const hit = page.locator(`a[href="/items/${itemId}"]`);
    expect(await hit.count(), "the AAR is not found");
    await shot(page, "05-search");
    await hit.first().click();
    await page.waitForURL(new RegExp(`/items/${itemId}$`));
    const html = await page.content();
    expect(html.includes("ชื่นชม 0 คน"), "no praise count");
    await shot(page, "06-item");
  });

  await step("desktop width: /lessons cards in a grid", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "th-TH" });
    const page = (run.current = await ctx.newPage());
    await login(page, OFFICER);
    await page.goto(`${BASE}/lessons`);
    await shot(page, "07-lessons-desktop");
    await ctx.close();
  });
} finally {
  await browser.close().catch(() => {});
}
run.finish();
