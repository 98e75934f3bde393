// Issue 12 in a browser: the KM officer of Chachoengsao's provincial office types seed 003's plan
// (Form 1's strategic issue, Form 2's activities under the KM steps) into khlang on a phone,
// checks the Gantt's months, downloads the plan as XLSX (every typed text is in it) and PDF,
// imports the XLSX back (nothing changes), sends the plan up; the department's officer returns it
// with a comment, then approves it; the province sets seed 003's district target table; an item
// published in Mueang Chachoengsao moves the district's and the province's progress at once; the
// executive sees it all on the dashboard at desktop width.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { story, need, expect, launch, newPhone, login, SHOTS } from "./story.mjs";
import { YEAR, STRATEGIC, ISSUES, ACTIVITIES, DISTRICT_TARGETS } from "./seed003.mjs";

const BASE = need("E2E_BASE_URL");
const OFFICER = { user: "prayat", pass: need("E2E_PLANNER_PASSWORD") };
const DEPT = { user: "suda", pass: need("E2E_PLANNER_PASSWORD") };
const EXEC = { user: "anan", pass: need("E2E_PLANNER_PASSWORD") };
const TOKEN = need("E2E_TOKEN");
const REVIEWER = { user: need("E2E_REVIEWER"), pass: need("E2E_REVIEWER_PASSWORD") };
const D01 = Number(need("E2E_D01_ID"));
const STEP_KEYS = ["identify", "create", "organize", "refine", "access", "share", "learn"];

const run = story("plan");
const browser = await launch();
const { context, page } = await newPhone(browser);
run.current = page;
let planUrl = "";
/** Published counts on /targets before the district's new item. */
const before = { district: NaN, province: NaN };

/** The JSON API as the site administrator (run.sh's token). */
async function api(method, url, body) {
  const res = await fetch(`${BASE}${url}`, {
    method, headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.ok, `${method} ${url}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

/** Downloads what clicking `link` gives, into SHOTS; returns the saved path. */
async function download(link, name) {
  const [dl] = await Promise.all([page.waitForEvent("download"), link.click()]);
  const file = path.join(SHOTS, name);
  await dl.saveAs(file);
  return file;
}

/** The text of every cell of an XLSX (shared strings and inline strings), by python's zipfile. */
function xlsxText(file) {
  return execFileSync("python3", ["-c", `
import sys, zipfile, re, html
z = zipfile.ZipFile(sys.argv[1])
out = []
for n in z.namelist():
    if n == "xl/sharedStrings.xml" or n.startswith("xl/worksheets/"):
        out += [html.unescape(t) for t in re.findall(r"<t[^>]*>([^<]*)</t>", z.read(n).decode("utf-8"))]
print("\\n".join(out))`, file], { encoding: "utf8" });
}

await run.step("the provincial officer opens /plans on a phone and starts a blank plan", async () => {
  await login(BASE, page, OFFICER);
  await page.goto(`${BASE}/plans?year=${YEAR}`);
  const row = page.locator("tr", { hasText: "สำนักงานพัฒนาชุมชนจังหวัดฉะเชิงเทรา" }).first();
  await row.locator("select[name=start]").selectOption("blank");
  await row.getByRole("button", { name: "สร้างแผน" }).click();
  await page.waitForURL(/\/plans\/\d+/);
  planUrl = page.url().split("?")[0];
  await run.shot(page, "1-new-plan");
  return planUrl;
});

await run.step("Form 2's strategic issues and Form 1's row typed in", async () => {
  await page.goto(`${planUrl}/strategic`);
  await page.locator("#text").fill(STRATEGIC);
  await page.locator("main button[type=submit]").first().click();
  await page.waitForURL(/done=/);
  for (const r of ISSUES) {
    await page.goto(`${planUrl}/issues/new`);
    await page.locator("#issue").fill(r.issue);
    await page.locator("#objective").fill(r.objective);
    await page.locator("#kpis").fill(r.kpis.map(([k, t]) => `${k} | ${t}`).join("\n"));
    await page.locator("#knowledge").fill(r.knowledge.join("\n"));
    await page.locator("main form.stack button[type=submit]").click();
    await page.waitForURL(/done=/);
  }
  const form1 = await page.locator("table.plan-form1").innerText();
  expect(form1.includes(ISSUES[0].objective), "Form 1 does not show the objective");
});

await run.step(`Form 2: ${ACTIVITIES.length} activities of seed 003 under their steps`, async () => {
  for (const a of ACTIVITIES) {
    await page.goto(`${planUrl}/activities/new`);
    await page.locator("#step").selectOption(STEP_KEYS[a.step - 1]);
    await page.locator("#title").fill(a.title);
    if (a.dates) {
      await page.locator("#start").fill(a.dates[0]);
      await page.locator("#end").fill(a.dates[1]);
    } else {
      for (const m of a.months) await page.locator(`input[name=m${m}]`).check();
    }
    await page.locator("#indicator").fill(a.indicator);
    await page.locator("#target").fill(a.target);
    await page.locator("#target_group").fill(a.group);
    await page.locator("#responsible").fill(a.responsible);
    await page.locator("#status").selectOption(a.status);
    await page.locator("main form.stack button[type=submit]").click();
    await page.waitForURL(/done=/, { timeout: 15_000 }).catch(async () => {
      throw new Error(`activity "${a.title.slice(0, 30)}" was not saved: ${(await page.locator(".flash.error, .field-error").allInnerTexts()).join(" / ")}`);
    });
  }
  const rows = await page.locator("table.plan-form2 tbody tr").count();
  expect(rows === ACTIVITIES.length, `Form 2 shows ${rows} rows, typed ${ACTIVITIES.length}`);
  await run.shot(page, "2-plan-phone");
});

await run.step("a period outside the fiscal year is refused in Thai and nothing is added", async () => {
  await page.goto(`${planUrl}/activities/new`);
  await page.locator("#title").fill("กิจกรรมนอกปีงบประมาณ");
  await page.locator("#start").fill(`${YEAR - 543 + 1}-11-01`);
  await page.locator("#end").fill(`${YEAR - 543 + 1}-11-30`);
  await page.locator("#indicator").fill("ทดสอบ");
  await page.locator("main form.stack button[type=submit]").click();
  const err = await page.locator(".field-error, .flash.error").allInnerTexts();
  expect(err.join(" ").includes("ปีงบประมาณ"), `no Thai error about the fiscal year: ${err}`);
  await page.goto(planUrl);
  const rows = await page.locator("table.plan-form2 tbody tr").count();
  expect(rows === ACTIVITIES.length, `an activity was added anyway (${rows} rows)`);
});

await run.step("the Gantt has each activity's bars in its months, and today marked", async () => {
  await page.goto(`${planUrl}/gantt`);
  const rows = page.locator("svg.gantt g.activity");
  expect((await rows.count()) === ACTIVITIES.length, `Gantt rows: ${await rows.count()}`);
  for (let i = 0; i < ACTIVITIES.length; i++) {
    const months = (await rows.nth(i).locator("rect.bar").evaluateAll((bs) => bs.map((b) => Number(b.dataset.month)))).sort((a, b) => a - b);
    const want = ACTIVITIES[i].months;
    expect(JSON.stringify(months) === JSON.stringify(want), `activity ${i + 1}: bars in ${months}, expected ${want}`);
  }
  expect((await page.locator("svg.gantt line.today").count()) === 1, "today is not marked");
  await run.shot(page, "3-gantt-phone");
  await page.setViewportSize({ width: 1280, height: 800 });
  await run.shot(page, "3-gantt-desktop");
  await page.setViewportSize({ width: 390, height: 844 });
});

let xlsx = "";
await run.step("the XLSX export holds every text typed, in Forms 1 and 2", async () => {
  await page.goto(planUrl);
  xlsx = await download(page.getByRole("link", { name: "ดาวน์โหลด Excel" }), "plan-export.xlsx");
  const text = xlsxText(xlsx);
  const want = [STRATEGIC, ISSUES[0].issue, ISSUES[0].objective, ...ISSUES[0].knowledge,
    ...ACTIVITIES.flatMap((a) => [a.title, a.indicator, a.group])];
  const missing = want.filter((w) => !text.includes(w));
  expect(missing.length === 0, `not in the XLSX: ${missing.slice(0, 3).join(" / ")}`);
  expect(text.includes("แบบฟอร์มที่"), "the XLSX has no form headings");
});

await run.step("the XLSX imported back changes nothing", async () => {
  const before = await page.locator("main").innerText();
  await page.goto(`${planUrl}/import`);
  await page.locator("input[type=file]").setInputFiles(xlsx);
  await page.locator("main form button[type=submit]").last().click();
  await page.waitForLoadState();
  await page.goto(planUrl);
  const after = await page.locator("main").innerText();
  const strip = (s) => s.replace(/แก้ไขล่าสุด[^\n]*\n?[^\n]*/g, "").replace(/\n[^\n]*(นำเข้า|ฉบับที่)[^\n]*/g, "");
  const rowsOf = async () => page.locator("table.plan-form2 tbody tr").allInnerTexts();
  expect((await rowsOf()).length === ACTIVITIES.length, "rows changed after import");
  expect(strip(before).includes(ACTIVITIES[3].title) && strip(after).includes(ACTIVITIES[3].title), "an activity is gone after import");
});

await run.step("the PDF downloads (A4, Sarabun) and is kept for looking at", async () => {
  await page.goto(planUrl);
  const pdf = await download(page.getByRole("link", { name: "ดาวน์โหลด PDF" }), "plan-export.pdf");
  const head = execFileSync("head", ["-c", "5", pdf], { encoding: "latin1" });
  expect(head === "%PDF-", `not a PDF: ${head}`);
  try {
    execFileSync("pdftoppm", ["-r", "50", "-png", pdf, path.join(SHOTS, "plan-pdf")]);
  } catch { /* poppler-utils may be missing on the machine; the file is kept */ }
});

await run.step("the officer sends the plan to the department", async () => {
  await page.goto(planUrl);
  await page.getByRole("button", { name: "ส่งแผนให้หน่วยงานต้นสังกัด" }).click();
  await page.waitForURL(/done=/);
  expect((await page.locator(".plan-status").first().innerText()).includes("รอพิจารณา"), "status did not become submitted");
});

await run.step("the department's officer returns it with a comment, then approves it", async () => {
  const dept = await newPhone(browser);
  run.current = dept.page;
  await login(BASE, dept.page, DEPT);
  await dept.page.goto(`${BASE}/notifications`);
  expect((await dept.page.locator("main").innerText()).includes("ฉะเชิงเทรา"), "no notice of the submitted plan in the department's inbox");
  await dept.page.goto(planUrl);
  await dept.page.getByRole("button", { name: "ส่งกลับให้แก้ไข" }).click();
  expect((await dept.page.locator(".field-error, .flash.error").allInnerTexts()).join("").length > 0, "returning without a comment was not refused");
  await dept.page.locator("#review-comment").fill("กรุณาเพิ่มกิจกรรมขั้นตอนที่ ๗ การเรียนรู้");
  await dept.page.getByRole("button", { name: "ส่งกลับให้แก้ไข" }).click();
  await dept.page.waitForURL(/done=/);
  await page.goto(planUrl);
  await page.getByRole("button", { name: "ส่งแผนให้หน่วยงานต้นสังกัด" }).click();
  await page.waitForURL(/done=/);
  await dept.page.goto(planUrl);
  await dept.page.getByRole("button", { name: "อนุมัติแผน" }).click();
  await dept.page.waitForURL(/done=/);
  const text = await dept.page.locator("main").innerText();
  expect(text.includes("อนุมัติแล้ว") && text.includes("กรุณาเพิ่มกิจกรรมขั้นตอนที่ ๗"), "approval or the comment is missing from the history");
  await run.shot(dept.page, "4-approved");
  await dept.context.close();
  run.current = page;
});

await run.step("the province sets seed 003's district target table in one form", async () => {
  await page.goto(`${BASE}/targets?year=${YEAR}`);
  const due = `${YEAR - 543}-07-05`;
  for (const [district, people] of DISTRICT_TARGETS) {
    await page.locator(`input[aria-label^="จำนวนคน"][aria-label*="${district}"]`).first().fill(String(people));
    await page.locator(`input[aria-label^="เรื่องต่อคน"][aria-label*="${district}"]`).first().fill("1");
    await page.locator(`input[aria-label^="วันครบกำหนด"][aria-label*="${district}"]`).first().fill(due);
  }
  await page.getByRole("button", { name: "บันทึกเป้าหมาย" }).click();
  await page.waitForLoadState();
  // What the district and the province had published before (the other browser stories may
  // have published in Mueang Chachoengsao this year already).
  before.district = Number((await page.locator("table.target-table tbody tr", { hasText: "เมืองฉะเชิงเทรา" }).first().locator('td[data-label="เผยแพร่แล้ว"]').innerText()).trim());
  before.province = Number((await page.locator('table.target-table tfoot td[data-label="เผยแพร่แล้ว"]').innerText()).trim());
  expect(Number.isInteger(before.district) && before.province >= before.district, `unreadable counts: ${JSON.stringify(before)}`);
  const total = await page.locator("table.target-table tfoot").innerText();
  expect(total.includes("49"), `the province's roll-up does not require 49 items: ${total}`);
  await run.shot(page, "5-targets");
});

await run.step("an item published in Mueang Chachoengsao moves the district and the province at once", async () => {
  const item = await api("POST", "/api/v1/items", {
    title: "การถอดบทเรียนโคก หนอง นา โมเดล อำเภอเมืองฉะเชิงเทรา", summary: "บทเรียนจากครัวเรือนต้นแบบ",
    unit_id: D01, fiscal_year: YEAR,
  });
  await api("POST", `/api/v1/items/${item.id}/submit`, {});
  // The province's screening committee approves it (nobody screens their own item).
  const rev = await newPhone(browser);
  await login(BASE, rev.page, REVIEWER);
  await rev.page.goto(`${BASE}/items/${item.id}`);
  await rev.page.locator("input[name=decision][value=approve]").check();
  await rev.page.getByRole("button", { name: "บันทึกผลการกลั่นกรอง" }).click();
  await rev.page.waitForLoadState("load");
  expect((await rev.page.content()).includes("เผยแพร่แล้ว"), "the item was not published");
  await rev.context.close();
  await page.goto(`${BASE}/targets?year=${YEAR}`);
  const cell = (scope) => scope.locator('td[data-label="เผยแพร่แล้ว"]').first().innerText();
  const district = await cell(page.locator("table.target-table tbody tr", { hasText: "เมืองฉะเชิงเทรา" }).first());
  const province = await cell(page.locator("table.target-table tfoot"));
  expect(Number(district.trim()) === before.district + 1, `Mueang Chachoengsao shows ${district} published, expected ${before.district + 1}`);
  expect(Number(province.trim()) === before.province + 1, `the province's roll-up shows ${province} published, expected ${before.province + 1}`);
});

await run.step("the executive's dashboard (desktop) shows the subtree's year", async () => {
  const exec = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "th-TH", timezoneId: "Asia/Bangkok" });
  const p = await exec.newPage();
  run.current = p;
  await login(BASE, p, EXEC);
  await p.goto(`${BASE}/dashboard?year=${YEAR}`);
  const text = await p.locator("main").innerText();
  expect(text.includes(String(YEAR)), "the dashboard does not name the year");
  expect((await p.locator("main svg").count()) >= 3, "fewer than 3 charts on the dashboard");
  await run.shot(p, "6-dashboard-desktop");
  await p.setViewportSize({ width: 390, height: 844 });
  await run.shot(p, "6-dashboard-phone");
  await exec.close();
  run.current = page;
});

await context.close();
await browser.close();
writeFileSync(path.join(SHOTS, "plan-done.txt"), new Date().toISOString());
run.finish();
