// Issue 10's end-to-end story on a 390×844 phone viewport: a KM officer records a volunteer
// who has no account in the person register, then records her innovation through the
// 7-section wizard with two photos (one carrying GPS EXIF), leaves at step 4, comes back,
// finds the draft and submits it; a reviewer approves; an anonymous visitor finds it in the
// catalogue (/innovations) and in Thai search (/search), sees no address or phone, and the
// photos served to them carry no EXIF.
//
// Started by run.sh (E2E_FLOWS=innovation to run only this one). Prints one line per step and,
// last, "N passed, N failed[, N skipped]"; exits 1 on failure.
import { withGps, hasExif, drawPhoto } from "./exif.mjs";
import { need, expect, story, launch, newPhone, login as signIn } from "./story.mjs";

const BASE = need("E2E_BASE_URL");
const OFFICER = { user: need("E2E_OFFICER"), pass: need("E2E_OFFICER_PASSWORD") };
const REVIEWER = { user: need("E2E_REVIEWER"), pass: need("E2E_REVIEWER_PASSWORD") };
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const TITLE = `ถังขยะเปียกลดยุงลายบ้านโนนม่วง ${stamp}`;
const PERSON = "นางบุญมี ศรีสุข";
const PHONE_NO = "0897654321";
const VILLAGE = "บ้านโนนม่วงใต้";
const WORD = "ยุงลาย";
const run = story("innovation");
const step = run.step;
const shot = run.shot;
const login = (page, who) => signIn(BASE, page, who);

async function progress(page) {
  return (await page.locator("p.progress").innerText()).replace(/\s+/g, " ").trim();
}

/** Fills every empty text box of the wizard's section with something plausible. */
async function fillEmpty(page, text) {
  for (const box of await page.locator("form#entry-form textarea:not([placeholder^='https'])").all()) {
    if (!(await box.inputValue()).trim()) await box.fill(text);
  }
}

async function next(page) {
  await page.getByRole("button", { name: /บันทึกแล้วไปต่อ|บันทึกแล้วตรวจทาน/ }).click();
  await page.waitForLoadState("load");
}

const browser = await launch();

let itemId = null;
let photoIds = [];
try {
  const officer = await newPhone(browser);
  const reviewer = await newPhone(browser);
  const visitor = await newPhone(browser);

  await step("officer signs in", async () => {
    const page = (run.current = officer.page);
    await login(page, OFFICER);
  });

  /** Picks a province (and district) in a place picker, by select when the page has them. */
  async function pickPlace(page, prefix, province, district) {
    const sel = page.locator(`select[name="${prefix}.province"]`);
    await sel.selectOption(province);
    // geo.js loads the districts on change; without it the เลือก button re-renders the step
    const d = page.locator(`select[name="${prefix}.district"]`);
    await page.waitForFunction((n) => {
      const e = document.querySelector(`select[name="${n}.district"]`);
      return e && e.options.length > 1;
    }, prefix, { timeout: 10000 }).catch(() => null);
    if ((await d.count()) === 0 || (await d.locator("option").count()) <= 1) {
      await page.locator(`button[name="${prefix}.pick"][value="province"]`).click();
      await page.waitForLoadState("load");
    }
    if (district) await page.locator(`select[name="${prefix}.district"]`).selectOption(district);
  }

  await step("/innovations/new → the 7-section wizard, step 1: the volunteer (no account) recorded inline", async () => {
    const page = (run.current = officer.page);
    await page.goto(`${BASE}/innovations/new`);
    if (await page.locator('select#unit').count()) {
      await page.getByRole("button", { name: "เริ่มกรอกแบบฟอร์ม" }).click();
    }
    await page.waitForURL(/\/items\/new\/innovation/);
    await page.locator("#title").fill(TITLE);
    await page.getByRole("button", { name: /เริ่มกรอก/ }).click();
    await page.waitForURL(/\/items\/\d+\/form\/1/);
    itemId = new URL(page.url()).pathname.split("/")[2];
    expect((await progress(page)).startsWith("ขั้นที่ 1 จาก 7"), `progress: ${await progress(page)}`);
    const person = page.locator("fieldset.person-field").first();
    const prefix = await person.getAttribute("data-person");
    await person.locator('input[name$=".name"]').first().fill(PERSON);
    await person.locator('input[name$=".phone"]').first().fill(PHONE_NO);
    await person.locator('input[name$=".education"]').first().fill("ประถมศึกษา");
    await person.locator('input[name$=".volunteer_years"]').first().fill("๑๒");
    await person.locator('input[name$=".consent_purpose"]').first().fill("บันทึกและเผยแพร่นวัตกรรมของ อสม.");
    await person.locator('input[name$=".consent_date"]').first().fill("5/2/2567");
    const place = await person.locator('select[name$=".province"]').first().getAttribute("name");
    await pickPlace(page, place.replace(/\.province$/, ""), "40", "4001");
    const village = page.locator("fieldset.person-field").first().locator('input[name$=".village"]').first();
    if (await village.count()) await village.fill(VILLAGE);
    await fillEmpty(page, "อยากให้หมู่บ้านปลอดไข้เลือดออก");
    await shot(page, "02-step1");
    await next(page);
    expect((await progress(page)).startsWith("ขั้นที่ 2 จาก 7"),
      `still on: ${await progress(page)}; errors: ${await page.locator(".field-error").allInnerTexts()}`);
    return `item ${itemId}, person prefix ${prefix}`;
  });

  await step("step 2: the place and the problem", async () => {
    const page = (run.current = officer.page);
    expect((await progress(page)).startsWith("ขั้นที่ 2 จาก 7"), `progress: ${await progress(page)}`);
    await pickPlace(page, "f.place", "40", "4001");
    await fillEmpty(page, "ไข้เลือดออกระบาดทุกฤดูฝน ลูกน้ำยุงลายในภาชนะรอบบ้าน");
    await next(page);
    expect((await progress(page)).startsWith("ขั้นที่ 3 จาก 7"),
      `still on: ${await progress(page)}; errors: ${await page.locator(".field-error").allInnerTexts()}`);
  });

  await step("step 3: the innovation, its branch and two photos (one with GPS EXIF)", async () => {
    const page = (run.current = officer.page);
    expect((await progress(page)).startsWith("ขั้นที่ 3 จาก 7"), `progress: ${await progress(page)}`);
    await page.locator('input[name="f.branch"]').first().check();
    await fillEmpty(page, `ถังขยะเปียกจากวัสดุเหลือใช้ ลดแหล่งเพาะพันธุ์${WORD}`);
    const gps = withGps(await drawPhoto(page, 1200, 900, 30), 16.4419, 102.836);
    const plain = await drawPhoto(page, 1000, 750, 200);
    const photos = page.locator("fieldset:has(input[type=file])").first();
    await photos.locator("input[type=file]").setInputFiles([
      { name: "ถังขยะ-gps.jpg", mimeType: "image/jpeg", buffer: gps },
      { name: "ถังขยะ.jpg", mimeType: "image/jpeg", buffer: plain },
    ]);
    await photos.getByRole("button", { name: "อัปโหลด" }).click();
    await page.waitForLoadState("load");
    await page.waitForURL(/\/form\/3/);
    const listed = await page.locator("fieldset:has(input[type=file]) ul.files li").count();
    expect(listed === 2, `${listed} photos listed after the upload`);
    await fillEmpty(page, `ถังขยะเปียกจากวัสดุเหลือใช้ ลดแหล่งเพาะพันธุ์${WORD}`);
    await shot(page, "03-step3");
    await next(page);
  });

  await step("leaves at step 4, comes back and finds the draft", async () => {
    const page = (run.current = officer.page);
    expect((await progress(page)).startsWith("ขั้นที่ 4 จาก 7"), `progress: ${await progress(page)}`);
    await page.goto(`${BASE}/`);
    await page.goto(`${BASE}/my/items`);
    const link = page.locator(`a[href^="/items/${itemId}"]`).first();
    expect(await link.count(), "the draft is not in องค์ความรู้ของฉัน");
    const resume = page.locator(`a[href="/items/${itemId}/form/4"]`);
    if (await resume.count()) await resume.first().click();
    else await page.goto(`${BASE}/items/${itemId}/form/4`);
    await page.waitForURL(/\/form\/4/);
    expect((await progress(page)).startsWith("ขั้นที่ 4 จาก 7"), `progress: ${await progress(page)}`);
    await shot(page, "04-resumed");
  });

  await step("steps 4–7 and submit for screening", async () => {
    const page = (run.current = officer.page);
    for (let n = 4; n <= 7; n++) {
      await fillEmpty(page, `บันทึกจากการลงพื้นที่ ขั้นที่ ${n} เรื่อง${WORD}`);
      await next(page);
    }
    await page.waitForURL(/\/form\/review/);
    await shot(page, "05-review");
    await page.getByRole("button", { name: "ส่งพิจารณา" }).click();
    await page.waitForLoadState("load");
    const html = await page.content();
    expect(html.includes("ส่งพิจารณาแล้ว"), "not submitted");
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

  await step("anonymous: the catalogue has it, with a thumbnail", async () => {
    const page = (run.current = visitor.page);
    await page.goto(`${BASE}/innovations`);
    const card = page.locator("article.innovation-card", { hasText: TITLE });
    expect(await card.count() === 1, "not in the catalogue");
    const thumb = await card.locator("img.thumb").getAttribute("src");
    expect(/^\/files\/\d+\/thumb$/.test(thumb || ""), `thumbnail is ${thumb}`);
    await shot(page, "06-catalogue");
    await card.getByRole("link").click();
    await page.waitForURL(new RegExp(`/innovations/${itemId}$`));
  });

  await step("anonymous: the page shows the name and province, never address or phone", async () => {
    const page = (run.current = visitor.page);
    const html = await page.content();
    expect(html.includes(PERSON), "the innovator's name is missing");
    for (const secret of [PHONE_NO, VILLAGE, "ประถมศึกษา"]) {
      expect(!html.includes(secret), `"${secret}" is shown to the public`);
    }
    expect(html.includes('property="og:image"'), "no og:image");
    photoIds = await page.locator(".innovation-photos img").evaluateAll((is) => is.map((i) => i.getAttribute("src")));
    expect(photoIds.length === 2, `${photoIds.length} photos shown`);
    await shot(page, "07-innovation");
  });

  await step("anonymous: the photos served carry no EXIF", async () => {
    const page = (run.current = visitor.page);
    const sizes = [];
    for (const src of photoIds) {
      for (const url of [src, src.replace("/display", "/thumb"), src.replace("/display", "")]) {
        const r = await page.request.get(`${BASE}${url}`);
        expect(r.status() === 200, `${url} answered ${r.status()}`);
        const body = await r.body();
        expect(!hasExif(body), `${url} carries EXIF`);
        sizes.push(`${url} ${body.length} B`);
      }
    }
    return sizes.join(", ");
  });

  await step("anonymous: Thai search finds it", async () => {
    const page = (run.current = visitor.page);
    await page.goto(`${BASE}/search?q=${encodeURIComponent("ถังขยะเปียก")}`);
    expect((await page.content()).includes(TITLE), "not found by ถังขยะเปียก");
  });
} finally {
  await browser.close().catch(() => {});
}
run.finish();
