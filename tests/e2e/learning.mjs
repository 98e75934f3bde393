// Issue 14's learning story on a 390×844 phone: the province's KM officer builds a course of
// three lessons from published items (a PDF item, a video item) and a 5-question quiz, opens it,
// and enrols a cohort of two districts' volunteers (a dry-run count first); a volunteer goes
// through it one lesson per screen, fails the quiz once (with feedback), passes, and gets the
// certificate, whose QR code — read from the page's pixels as a phone's camera would — opens a
// verification page that says it is valid; the cohort report then says one of N is done and the
// unit roll-up agrees (the districts' rows sum to the total). Desktop (1280 px) screenshots of
// the course page and the report.
//
// The two items are made through the JSON API (the admin writes, the province's reviewer
// approves); everything else is done in the browser.
//
// Started by run.sh (E2E_FLOWS=learning to run only this one). Prints one line per step and,
// last, "N passed, N failed"; exits 1 on failure.
import { readFileSync } from "node:fs";
import { need, expect, story, launch, newPhone, login, readQr } from "./story.mjs";

const BASE = need("E2E_BASE_URL");
const TOKEN = need("E2E_TOKEN");
const REVIEWER_TOKEN = need("E2E_REVIEWER_TOKEN");
const PROVINCE = Number(need("E2E_PROVINCE_ID"));
const D01 = need("E2E_D01_ID");
const D02 = need("E2E_D02_ID");
const PDF = need("E2E_PDF");
const OFFICER = { user: "prayat", pass: need("E2E_PLANNER_PASSWORD") };
const VOLUNTEER = { user: "ln_kanya", pass: need("E2E_LEARNER_PASSWORD") };
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const COURSE = `การจัดการความรู้สำหรับ อสม. ${stamp}`;
const PDF_TITLE = `คู่มือเจ็ดขั้นตอนการจัดการความรู้ ${stamp}`;
const VIDEO_TITLE = `วิดีโอสาธิตวงแลกเปลี่ยนเรียนรู้ ${stamp}`;
// Each question's right and wrong answer, with feedback for each.
const QUESTIONS = [
  ["ขั้นตอนที่ ๗ ของการจัดการความรู้คือข้อใด", "การเรียนรู้", "การจัดเก็บเอกสาร"],
  ["AAR ย่อมาจากอะไร", "After Action Review", "Annual Activity Report"],
  ["ผู้อำนวยความสะดวกในวงแลกเปลี่ยนเรียนรู้เรียกว่า", "คุณอำนวย", "คุณกิจ"],
  ["อสม. ย่อมาจากอะไร", "อาสาสมัครสาธารณสุขประจำหมู่บ้าน", "อาสาสมัครส่งเสริมการเกษตร"],
  ["ความรู้ที่อยู่ในตัวคนเรียกว่า", "ความรู้ฝังลึก (Tacit)", "ความรู้ชัดแจ้ง (Explicit)"],
];
const run = story("learning");
const { step, shot } = run;

/** JSON API call with a bearer token. */
async function api(method, url, body, token = TOKEN) {
  const res = await fetch(`${BASE}${url}`, {
    method, headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.ok, `${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** A published public item of the province with one file: written by the admin, approved by
 * the province's reviewer (nobody screens their own item). */
async function publishedItem(title, file, bytes) {
  const item = await api("POST", "/api/v1/items", {
    title, summary: `${title} สำหรับบทเรียนออนไลน์ของ อสม.`, unit_id: PROVINCE, visibility: "public",
  });
  const res = await fetch(`${BASE}/api/v1/items/${item.id}/files`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/octet-stream",
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(file)}`,
    },
    body: bytes,
  });
  expect(res.status === 201, `attach ${file}: ${res.status} ${(await res.text()).slice(0, 300)}`);
  await api("POST", `/api/v1/items/${item.id}/submit`, {});
  await api("POST", `/api/v1/items/${item.id}/review`, { decision: "approve", comment: "" }, REVIEWER_TOKEN);
  return item.id;
}

/** "d/m/BE year" in Bangkok, `days` from today (the cohort form's dates). */
function beDay(days) {
  const d = new Date(Date.now() + 7 * 3_600_000 + days * 86_400_000);
  return `${d.getUTCDate()}/${d.getUTCMonth() + 1}/${d.getUTCFullYear() + 543}`;
}

/** Answers the open paper: every question right, or every one wrong. */
async function answer(page, right) {
  const sets = page.locator("form#paper fieldset.quiz-question");
  const n = await sets.count();
  expect(n === QUESTIONS.length, `the paper has ${n} questions, expected ${QUESTIONS.length}`);
  for (let i = 0; i < n; i++) {
    const set = sets.nth(i);
    const legend = await set.locator("legend").innerText();
    const q = QUESTIONS.find(([prompt]) => legend.includes(prompt));
    expect(q, `unknown question: ${legend}`);
    await set.locator("label.quiz-choice", { hasText: right ? q[1] : q[2] }).locator("input").check();
  }
  await page.getByRole("button", { name: "ส่งคำตอบ" }).click();
  await page.waitForLoadState("load");
}

/** The roll-up table's "เรียนจบ" cell of a row (the total row, or a unit's). */
async function completedIn(page, row) {
  return Number((await row.locator('td[data-label="เรียนจบ"]').innerText()).replace(/[^\d]/g, ""));
}

const browser = await launch();
const officer = await newPhone(browser);
const volunteer = await newPhone(browser);
let courseId = null;
let cohortUrl = null;
let enrolled = 0;
try {
  await step("two items published in the province: a PDF and a video (API)", async () => {
    await publishedItem(PDF_TITLE, "คู่มือเจ็ดขั้นตอน.pdf", readFileSync(PDF));
    // An MP4-looking file: an `ftyp` box (brand mp42), then zeros.
    const video = Buffer.alloc(256 * 1024);
    Buffer.from([0, 0, 0, 0x18, ...Buffer.from("ftypmp42")]).copy(video);
    await publishedItem(VIDEO_TITLE, "วงแลกเปลี่ยน.mp4", video);
  });

  await step("the officer creates a course on a phone", async () => {
    const page = officer.page;
    run.current = page;
    await login(BASE, page, OFFICER);
    await page.goto(`${BASE}/learn/manage`);
    await page.getByRole("link", { name: "สร้างรายวิชา" }).first().click();
    await page.locator("#title").fill(COURSE);
    await page.locator("#unit_id").selectOption(String(PROVINCE));
    await page.locator("#summary").fill("เรียนรู้เจ็ดขั้นตอนของการจัดการความรู้ ดูวิดีโอวงแลกเปลี่ยน แล้วทำแบบทดสอบ");
    await page.locator("#hours").fill("1");
    await page.locator("#minutes").fill("30");
    await page.locator('input[name="sequential"]').check();
    await page.getByRole("button", { name: /สร้างรายวิชา/ }).click();
    await page.waitForURL(/\/learn\/courses\/\d+\/edit/);
    courseId = page.url().match(/\/learn\/courses\/(\d+)\/edit/)[1];
  });

  await step("two lessons from published items, found by a word inside unspaced Thai", async () => {
    const page = officer.page;
    for (const [word, title] of [["เจ็ดขั้นตอน", PDF_TITLE], ["วงแลกเปลี่ยน", VIDEO_TITLE]]) {
      await page.goto(`${BASE}/learn/courses/${courseId}/edit`);
      await page.getByRole("link", { name: "+ องค์ความรู้" }).click();
      await page.locator("#pick-q").fill(`${word} ${stamp}`);
      await page.getByRole("button", { name: "ค้นหา" }).click();
      await page.waitForLoadState("load");
      const hit = page.locator("form", { hasText: title }).first();
      expect(await hit.count(), `the picker did not find “${title}”`);
      await hit.getByRole("button", { name: "เพิ่ม" }).click();
      await page.waitForLoadState("load");
    }
    await page.goto(`${BASE}/learn/courses/${courseId}/edit`);
    const html = await page.content();
    expect(html.includes(PDF_TITLE) && html.includes(VIDEO_TITLE), "the lessons are not on the course page");
  });

  await step("a quiz lesson with 5 questions in its bank (pass mark 80 %, retries)", async () => {
    const page = officer.page;
    await page.getByRole("link", { name: "+ แบบทดสอบ" }).click();
    await page.locator("#title").fill("แบบทดสอบท้ายรายวิชา");
    await page.locator("#body").fill("ตอบให้ถูกอย่างน้อย ๔ ใน ๕ ข้อ");
    await page.locator("#pass_percent").fill("80");
    await page.locator('input[name="retries"]').check();
    await page.getByRole("button", { name: "บันทึกบทเรียน" }).click();
    await page.waitForLoadState("load");
    await page.goto(`${BASE}/learn/courses/${courseId}/edit`);
    await page.getByRole("link", { name: "คลังข้อสอบ" }).first().click();
    await page.waitForLoadState("load");
    for (const [prompt, right, wrong] of QUESTIONS) {
      await page.locator("#kind").selectOption("single");
      await page.locator("#prompt").fill(prompt);
      await page.locator("#c1_text").fill(right);
      await page.locator('input[name="c1_correct"]').check();
      await page.locator("#c1_feedback").fill("ถูกต้อง");
      await page.locator("#c2_text").fill(wrong);
      await page.locator("#c2_feedback").fill(`ยังไม่ถูก คำตอบคือ ${right}`);
      await page.getByRole("button", { name: "เพิ่มข้อสอบ" }).click();
      await page.waitForLoadState("load");
      expect((await page.content()).includes(prompt), `the question “${prompt}” was not added`);
    }
    await shot(page, "1-question-bank");
  });

  await step("the course is opened to learners", async () => {
    const page = officer.page;
    await page.goto(`${BASE}/learn/courses/${courseId}/edit`);
    await page.getByRole("button", { name: "เปิดสอนรายวิชา" }).click();
    await page.waitForLoadState("load");
    expect((await page.content()).includes("เปิดสอน"), "the course is not published");
    await shot(page, "2-course-builder");
  });

  await step("a cohort of two districts' volunteers, counted before it is enrolled", async () => {
    const page = officer.page;
    await page.goto(`${BASE}/learn/courses/${courseId}/cohorts/new`);
    await page.locator("#name").fill("รุ่นที่ ๑/๒๕๗๐");
    await page.locator("#starts").fill(beDay(0));
    await page.locator("#ends").fill(beDay(14));
    await page.locator("#units").selectOption([D01, D02]);
    await page.locator("#role").selectOption("contributor");
    await page.getByRole("button", { name: "ตรวจจำนวนผู้เรียน" }).click();
    await page.waitForLoadState("load");
    const preview = await page.locator("main").innerText();
    const m = preview.match(/จะลงทะเบียน\s*([\d,]+)\s*คน/);
    expect(m, `no count before enrolling: ${preview.slice(0, 400)}`);
    enrolled = Number(m[1].replace(/,/g, ""));
    // ln_kanya and ln_somporn in Mueang, ln_wilai in Ban Pho (and the upload story's contributor).
    expect(enrolled >= 3, `only ${enrolled} people would be enrolled`);
    await shot(page, "3-cohort-preview");
    await page.getByRole("button", { name: "ยืนยันลงทะเบียน" }).click();
    await page.waitForURL(/\/learn\/cohorts\/\d+/);
    cohortUrl = page.url().split("?")[0];
    const report = await page.locator("main").innerText();
    expect(report.includes(`เรียนจบ 0 จาก ${enrolled} คน`), `the new cohort's report: ${report.slice(0, 300)}`);
    return `${enrolled} enrolled`;
  });

  await step("the volunteer finds the course in her learning and reads the PDF lesson", async () => {
    const page = volunteer.page;
    run.current = page;
    await login(BASE, page, VOLUNTEER);
    await page.goto(`${BASE}/learn`);
    await page.getByRole("link", { name: COURSE }).first().click();
    await page.waitForLoadState("load");
    await shot(page, "4-course-page");
    await page.getByRole("link", { name: "เรียนต่อ" }).click();
    await page.waitForLoadState("load");
    expect((await page.content()).includes(PDF_TITLE), "the first lesson is not the PDF item");
    const pdf = page.locator(".lesson-file a", { hasText: "คู่มือเจ็ดขั้นตอน.pdf" });
    expect(await pdf.count(), "no link to the PDF");
    const res = await page.request.get(new URL(await pdf.getAttribute("href"), BASE).href);
    expect(res.ok() && (await res.body()).subarray(0, 5).toString() === "%PDF-", "the PDF does not open");
    await shot(page, "5-lesson-pdf");
    await page.locator("#lesson-done").click();
    await page.waitForLoadState("load");
  });

  await step("the video lesson streams by Range and is marked watched without JavaScript", async () => {
    const page = volunteer.page;
    expect((await page.content()).includes(VIDEO_TITLE), "the second lesson is not the video item");
    const src = await page.locator("video").first().getAttribute("src");
    const res = await page.request.get(new URL(src, BASE).href, { headers: { Range: "bytes=0-1023" } });
    expect(res.status() === 206, `the video answered ${res.status()} to a Range request`);
    await shot(page, "6-lesson-video");
    await page.locator("#lesson-done").click();
    await page.waitForLoadState("load");
  });

  await step("the quiz: failed once with feedback, then passed", async () => {
    const page = volunteer.page;
    await page.getByRole("button", { name: "เริ่มทำแบบทดสอบ" }).click();
    await page.waitForLoadState("load");
    await shot(page, "7-quiz-paper");
    await answer(page, false);
    let html = await page.locator("main").innerText();
    expect(html.includes("ยังไม่ผ่าน") && html.includes("ยังไม่ถูก คำตอบคือ"), `no failure with feedback: ${html.slice(0, 400)}`);
    await shot(page, "8-quiz-failed");
    await page.getByRole("button", { name: "สอบอีกครั้ง" }).click();
    await page.waitForLoadState("load");
    await answer(page, true);
    // Passing the last required lesson completes the course: its page says so.
    expect(/\/learn\/courses\/\d+/.test(page.url()), `not on the course page after passing: ${page.url()}`);
    expect((await page.locator("main").innerText()).includes("เรียนจบแล้ว"), "the course page does not say it is complete");
    await page.getByRole("link", { name: "แบบทดสอบท้ายรายวิชา" }).click();
    await page.waitForLoadState("load");
    html = await page.locator("main").innerText();
    expect(html.includes("ผ่าน ✓") && /คะแนน (100|๑๐๐)%/.test(html), `not passed: ${html.slice(0, 400)}`);
    await shot(page, "9-quiz-passed");
  });

  await step("the certificate's QR, read from the screen, verifies", async () => {
    const page = volunteer.page;
    await page.goto(`${BASE}/learn/courses/${courseId}`);
    const done = page.locator(".course-complete");
    expect(await done.count(), "the course page does not say it is complete");
    await shot(page, "10-course-complete");
    const url = await readQr(done.locator(".qr svg"));
    expect(url && /\/c\/KH-/.test(url), `the QR code reads ${url}`);
    // Opened by anyone, as a phone's camera would: no sign-in.
    const anyone = await newPhone(browser);
    const u = new URL(url);
    await anyone.page.goto(`${BASE}${u.pathname}`);
    const verdict = await anyone.page.locator("main").innerText();
    await shot(anyone.page, "11-certificate-verified");
    await anyone.context.close();
    expect(verdict.includes("ถูกต้อง") && verdict.includes(COURSE), `the verification page: ${verdict.slice(0, 300)}`);
    return u.pathname;
  });

  await step("the cohort report says one of N is done and the unit roll-up agrees", async () => {
    const page = officer.page;
    run.current = page;
    await page.goto(cohortUrl);
    const text = await page.locator("main").innerText();
    expect(text.includes(`เรียนจบ 1 จาก ${enrolled} คน`), `the report: ${text.slice(0, 300)}`);
    const table = page.locator("table.cohort-table");
    const total = await completedIn(page, table.locator("tr.total"));
    const rows = table.locator("tbody tr:not(.total)");
    let sum = 0;
    for (let i = 0; i < (await rows.count()); i++) sum += await completedIn(page, rows.nth(i));
    const mueang = await completedIn(page, rows.filter({ hasText: "เมืองฉะเชิงเทรา" }).first());
    expect(total === 1 && sum === 1 && mueang === 1, `roll-up: total ${total}, rows ${sum}, Mueang ${mueang}`);
    await shot(page, "12-cohort-report");
  });

  await step("desktop: the course page and the cohort report", async () => {
    const desk = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "th-TH", timezoneId: "Asia/Bangkok" });
    const page = await desk.newPage();
    run.current = page;
    await login(BASE, page, OFFICER);
    await page.goto(`${BASE}/learn/courses/${courseId}`);
    await shot(page, "13-desktop-course");
    await page.goto(cohortUrl);
    await shot(page, "14-desktop-report");
    await desk.close();
  });
} finally {
  await browser.close();
}
run.finish();
