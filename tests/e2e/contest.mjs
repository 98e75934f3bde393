// Issue 11's end-to-end story on a 390×844 phone viewport: the volunteer contest.
//
// An organiser (KM officer of สสม.ภาคตะวันออกเฉียงเหนือ) creates a contest with a regional round
// and a health-zone round feeding it, sets the zone round up (three documents, a two-criterion
// rubric, one advances, ties broken by the "result" criterion then the chair), assigns three
// judges (one from ขอนแก่น), opens it and registers two volunteers. Volunteer A (ขอนแก่น) opens
// her entry link on a phone with no account and uploads three documents — the connection is cut
// during one of them and the upload resumes — and after the deadline (the servers' clock moved
// through the shared offset file) her upload is refused. The organiser sends B's documents on
// her behalf, closes the round and starts judging. Three judges score: the ขอนแก่น judge never
// sees A's entry; A and B tie on the total and A wins on the declared criterion. Results are
// published, A's entry appears in the regional round with the same documents, her certificate's
// QR page verifies, and after revocation says so and why.
//
// Started by run.sh (E2E_FLOWS=contest to run only this one). Prints one line per step and,
// last, "N passed, N failed[, N skipped]"; exits 1 on failure.
import { readFileSync, writeFileSync, renameSync } from "node:fs";
import { need, expect, story, launch, newPhone, login as signIn, SHOTS } from "./story.mjs";

const BASE = need("E2E_BASE_URL");
const CLOCK_FILE = need("E2E_CLOCK_FILE");
const OFFICER = { user: need("E2E_OFFICER"), pass: need("E2E_OFFICER_PASSWORD") };
const JUDGE_PASS = need("E2E_JUDGE_PASSWORD");
const PDF = need("E2E_PDF");
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const CONTEST = `การคัดเลือก อสม.ดีเด่น ปี 2569 (${stamp})`;
const A = `นางสมใจ ดีเด่น ${stamp.slice(-4)}`;
const B = `นางบัวผัน ขยัน ${stamp.slice(-4)}`;
const run = story("contest");
const step = run.step;
const shot = run.shot;
const login = (page, who) => signIn(BASE, page, who);

/** Submits the form that holds `button` and waits for the next page. */
async function press(page, button) {
  await Promise.all([page.waitForLoadState("load"), button.click()]);
  await page.waitForLoadState("load");
}

/** `YYYY-MM-DDTHH:MM` in Bangkok time, `minutes` from now (an <input type=datetime-local>). */
function bangkok(minutes) {
  const t = new Date(Date.now() + minutes * 60_000 + 7 * 3_600_000);
  return t.toISOString().slice(0, 16);
}

/** Moves every node's clock: the seconds in the file they all read. */
function moveClock(seconds) {
  writeFileSync(`${CLOCK_FILE}.new`, String(seconds));
  renameSync(`${CLOCK_FILE}.new`, CLOCK_FILE);
}

/** A small valid PNG (1×1, grey). */
const PNG = Buffer.from(
  "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f0005fe02fea7d6a4a60000000049454e44ae426082",
  "hex",
);
/** A PDF of about 3 MB (the valid one-page PDF, padded with a comment), so that it goes in pieces. */
const BIG_PDF = Buffer.concat([readFileSync(PDF), Buffer.from("%" + "k".repeat(3 * 1024 * 1024) + "\n")]);

const browser = await launch();

let contestId = null;
let zoneRound = null;
let regionRound = null;
let linkA = null;
let entryA = null;
let entryB = null;
let certCode = null;
try {
  const officer = await newPhone(browser);
  const volunteer = await newPhone(browser);
  const visitor = await newPhone(browser);

  await step("organiser signs in and creates the contest", async () => {
    const page = (run.current = officer.page);
    moveClock(0);
    await login(page, OFFICER);
    await page.goto(`${BASE}/contests`);
    await page.locator("#title").fill(CONTEST);
    await page.locator("#fiscal_year").fill("2569");
    await page.locator("#unit").selectOption({ label: /ภาคตะวันออกเฉียงเหนือ/ }).catch(async () => {
      const opts = await page.locator("#unit option").allInnerTexts();
      const i = opts.findIndex((o) => o.includes("ตะวันออกเฉียงเหนือ"));
      expect(i >= 0, `no NE centre among ${opts.join(" | ")}`);
      await page.locator("#unit").selectOption({ index: i });
    });
    await page.locator('input[name=kind][value=volunteer]').check();
    await press(page, page.locator('form[action="/contests"] button[type=submit]'));
    const m = page.url().match(/\/contests\/(\d+)/);
    expect(m, `not on a contest page: ${page.url()}`);
    contestId = m[1];
    return `contest ${contestId}`;
  });

  async function createRound(page, title, level, area, next) {
    await page.goto(`${BASE}/contests/${contestId}`);
    const form = page.locator(`form[action="/contests/${contestId}/rounds"]`);
    await form.locator("#title").fill(title);
    await form.locator("#level").selectOption(level);
    await form.locator("#area").selectOption(area);
    if (next) await form.locator("#next_round").selectOption(next);
    await form.locator("#opens").fill(bangkok(-60));
    await form.locator("#closes").fill(bangkok(2 * 24 * 60));
    await press(page, form.locator("button[type=submit]").last());
    const m = page.url().match(/\/contests\/rounds\/(\d+)/);
    expect(m, `not on a round page: ${page.url()}\n${await page.locator(".flash, .field-error").allInnerTexts()}`);
    return m[1];
  }

  await step("organiser creates the regional round and the zone round that feeds it", async () => {
    const page = (run.current = officer.page);
    regionRound = await createRound(page, "ระดับภาคตะวันออกเฉียงเหนือ", "region", "r:ne", null);
    zoneRound = await createRound(page, "ระดับเขตสุขภาพที่ 7", "health_zone", "z:7", regionRound);
    return `zone ${zoneRound} → region ${regionRound}`;
  });

  await step("organiser sets the zone round up: window, branch, 3 documents, rubric, tie-breaks", async () => {
    const page = (run.current = officer.page);
    await page.goto(`${BASE}/contests/rounds/${zoneRound}/edit`);
    await page.locator("#opens").fill(bangkok(-60));
    await page.locator("#closes").fill(bangkok(2 * 24 * 60));
    await page.locator('input[name=branches]').first().check();
    const docs = [
      ["แบบประวัติและผลงาน (PDF)", "profile", ["pdf"]],
      ["สไลด์นำเสนอผลงาน", "slides", ["pdf", "power_point"]],
      ["ภาพกิจกรรม", "photo", ["image"]],
    ];
    for (const [i, [name, key, kinds]] of docs.entries()) {
      await page.locator(`#doc_name_${i}`).fill(name);
      await page.locator(`#doc_key_${i}`).fill(key);
      for (const k of kinds) await page.locator(`input[name=doc_kinds_${i}][value=${k}]`).check();
      await page.locator(`#doc_max_${i}`).fill("20");
      await page.locator(`input[name=doc_required_${i}]`).check();
    }
    const crits = [["ผลงานและนวัตกรรม", "work", "60"], ["ผลลัพธ์ต่อชุมชน", "result", "40"]];
    for (const [i, [name, key, weight]] of crits.entries()) {
      await page.locator(`#crit_name_${i}`).fill(name);
      await page.locator(`#crit_key_${i}`).fill(key);
      await page.locator(`#crit_weight_${i}`).fill(weight);
      await page.locator(`#crit_max_${i}`).fill("10");
      await page.locator(`#crit_levels_${i}`).fill("10 = ดีเยี่ยม\n5 = พอใช้\n1 = ต้องปรับปรุง");
    }
    await page.locator("#advance").fill("1");
    const save = page.locator(`form[action="/contests/rounds/${zoneRound}/edit"] button[type=submit]`).last();
    await press(page, save);
    expect(page.url().includes("done=saved"), `not saved: ${await page.locator(".flash, .field-error").allInnerTexts()}`);
    // The criteria now exist: declare the tie-breaks (the result criterion, then the chair).
    await page.locator("#tie_0").selectOption("criterion:result");
    await page.locator("#tie_1").selectOption("chair");
    await press(page, save);
    expect(page.url().includes("done=saved"), `tie-breaks not saved: ${await page.locator(".flash, .field-error").allInnerTexts()}`);
    await shot(page, "01-round-settings");
  });

  await step("organiser assigns three judges; one of them from ขอนแก่น", async () => {
    const page = (run.current = officer.page);
    for (const [user, province, chair] of [["judge1", "44", true], ["judge2", "45", false], ["judge3", "40", false]]) {
      await page.goto(`${BASE}/contests/rounds/${zoneRound}/judges`);
      const form = page.locator(`form[action="/contests/rounds/${zoneRound}/judges"]`);
      await form.locator("#username").fill(user);
      await form.locator("#branch").selectOption({ index: 1 });
      await form.locator("#province").selectOption(province);
      if (chair) await form.locator("#chair").check();
      await press(page, form.locator("button[type=submit]"));
      const errs = await page.locator(".field-error, .flash.error").allInnerTexts();
      expect(errs.length === 0, `${user}: ${errs.join(" | ")}`);
    }
    const html = await page.content();
    for (const j of ["กรรมการ 1", "กรรมการ 2", "กรรมการ 3"]) expect(html.includes(j), `${j} is not listed`);
  });

  await step("organiser opens the round and registers two volunteers (no accounts)", async () => {
    const page = (run.current = officer.page);
    await page.goto(`${BASE}/contests/rounds/${zoneRound}`);
    await press(page, page.locator(`form[action="/contests/rounds/${zoneRound}/status"]:has(input[value=open]) button`));
    expect((await page.content()).includes("เปิดรับสมัคร"), "the round did not open");
    for (const [name, province] of [[A, "40"], [B, "46"]]) {
      await page.goto(`${BASE}/contests/rounds/${zoneRound}/entrants/new`);
      await page.locator("#branch").selectOption({ index: 1 });
      await page.locator("#new_name").fill(name);
      await page.locator("#province").selectOption(province);
      await press(page, page.locator(`form[method=post][action="/contests/rounds/${zoneRound}/entrants/new"] button[type=submit]`));
      const url = await page.locator("#entry-url").inputValue();
      const entry = (await page.locator('a[href^="/contests/entries/"]').first().getAttribute("href")).split("/").pop();
      expect(url.includes("/e/"), `no entry link: ${url}`);
      expect(await page.locator(".entry-qr svg").count() === 1, "no QR code");
      if (name === A) { linkA = url; entryA = entry; await shot(page, "02-entry-link"); } else { entryB = entry; }
    }
    return `A entry ${entryA}, B entry ${entryB}`;
  });

  await step("volunteer A opens her link on a phone: a checklist of three missing documents", async () => {
    const page = (run.current = volunteer.page);
    await page.goto(linkA.replace(/^https?:\/\/[^/]+/, BASE));
    const text = await page.locator("main").innerText();
    expect(text.includes("ยังขาดอีก 3"), `checklist: ${text.slice(0, 300)}`);
    await shot(page, "03-entry-empty");
  });

  await step("volunteer A uploads three documents; the connection is cut during one and it resumes", async () => {
    const page = (run.current = volunteer.page);
    let cut = 0;
    await page.route("**/*", async (route) => {
      const r = route.request();
      if (r.method() === "PATCH" && cut === 0 && (r.headers()["upload-offset"] || "0") !== "0") {
        cut++;
        return route.abort("connectionreset");
      }
      return route.continue();
    });
    const files = [
      ["profile", { name: "แบบประวัติ.pdf", mimeType: "application/pdf", buffer: readFileSync(PDF) }],
      ["slides", { name: "สไลด์นำเสนอ.pdf", mimeType: "application/pdf", buffer: BIG_PDF }],
      ["photo", { name: "ภาพกิจกรรม.png", mimeType: "image/png", buffer: PNG }],
    ];
    for (const [key, file] of files) {
      const form = page.locator(`form.entry-upload:has(input[name=requirement][value=${key}])`);
      await form.locator("input[type=file]").setInputFiles(file);
      // upload.js sends it by tus in 2 MB pieces, then comes back to the page.
      await form.locator("button[type=submit]").click();
      await page.waitForSelector(`li.entry-check.done:has(input[name=requirement][value=${key}])`, { timeout: 90_000 });
    }
    await page.unroute("**/*");
    const text = await page.locator("main").innerText();
    expect(text.includes("ครบแล้ว"), `not complete: ${text.slice(0, 400)}`);
    await shot(page, "04-entry-complete");
    return cut ? "one PATCH cut and resumed" : "no PATCH was cut (plain form upload)";
  });

  await step("organiser sends B's documents on her behalf", async () => {
    const page = (run.current = officer.page);
    await page.goto(`${BASE}/contests/entries/${entryB}`);
    for (const [key, file] of [
      ["profile", { name: "ประวัติ-บัวผัน.pdf", mimeType: "application/pdf", buffer: readFileSync(PDF) }],
      ["slides", { name: "สไลด์-บัวผัน.pdf", mimeType: "application/pdf", buffer: readFileSync(PDF) }],
      ["photo", { name: "ภาพ-บัวผัน.png", mimeType: "image/png", buffer: PNG }],
    ]) {
      const form = page.locator(`form:has(input[name=requirement][value=${key}])`).first();
      await form.locator("input[type=file]").setInputFiles(file);
      await press(page, form.locator("button[type=submit]"));
    }
    const text = await page.locator("main").innerText();
    expect(!text.includes("ยังขาด"), `B is missing documents: ${text.slice(0, 300)}`);
  });

  await step("after the deadline (clock moved 3 days) A's upload is refused and nothing changes", async () => {
    const page = (run.current = volunteer.page);
    moveClock(3 * 24 * 3600);
    await page.goto(linkA.replace(/^https?:\/\/[^/]+/, BASE));
    const text = await page.locator("main").innerText();
    expect(text.includes("หมดเวลา") || text.includes("ปิดรับ"), `the page does not say it is closed: ${text.slice(0, 300)}`);
    expect(await page.locator("form.entry-upload").count() === 0, "upload forms are still offered");
    // A form posted from a page opened before the deadline is refused too.
    const tokens = page.locator("input[name=csrf]");
    const csrf = (await tokens.count()) ? await tokens.first().inputValue() : "";
    const res = await page.request.post(`${linkA.replace(/^https?:\/\/[^/]+/, BASE)}/documents`, {
      multipart: { csrf, requirement: "photo", file: { name: "late.png", mimeType: "image/png", buffer: PNG } },
      maxRedirects: 0,
    });
    const body = await res.text();
    expect(res.status() >= 400 || body.includes("หมดเวลา"), `a late upload answered ${res.status()}`);
    await page.goto(linkA.replace(/^https?:\/\/[^/]+/, BASE));
    expect(!(await page.content()).includes("late.png"), "the late file was kept");
    await shot(page, "05-entry-closed");
  });

  await step("organiser closes the round and starts judging", async () => {
    const page = (run.current = officer.page);
    for (const to of ["closed", "judging"]) {
      await page.goto(`${BASE}/contests/rounds/${zoneRound}`);
      await press(page, page.locator(`form[action="/contests/rounds/${zoneRound}/status"]:has(input[value=${to}]) button`));
    }
    expect((await page.content()).includes("กำลังพิจารณา"), "not judging");
    await shot(page, "06-round-dashboard");
  });

  // Equal totals (6×6 + 10×4 = 76 and 8×6 + 7×4 = 76): A wins on the "result" criterion.
  const SCORES = { [A]: { work: 6, result: 10 }, [B]: { work: 8, result: 7 } };
  for (const judge of ["judge1", "judge2", "judge3"]) {
    await step(`${judge} scores the entries of the branch`, async () => {
      const ctx = await newPhone(browser);
      const page = (run.current = ctx.page);
      await login(page, { user: judge, pass: JUDGE_PASS });
      await page.goto(`${BASE}/judging/rounds/${zoneRound}`);
      const list = await page.locator("main").innerText();
      const seesA = list.includes(A);
      if (judge === "judge3") {
        expect(!seesA, "the ขอนแก่น judge is shown A's entry");
        const r = await page.request.get(`${BASE}/judging/entries/${entryA}`);
        expect(r.status() >= 400 || !(await r.text()).includes("บันทึกคะแนน"), "the ขอนแก่น judge can open A's score sheet");
      } else {
        expect(seesA, `${judge} does not see A's entry: ${list.slice(0, 300)}`);
      }
      let scored = 0;
      for (const [name, entry] of [[A, entryA], [B, entryB]]) {
        if (judge === "judge3" && name === A) continue;
        await page.goto(`${BASE}/judging/entries/${entry}`);
        for (const [k, v] of Object.entries(SCORES[name])) await page.locator(`#points-${k}`).fill(String(v));
        await press(page, page.locator(`form[action="/judging/entries/${entry}"] button[type=submit]`));
        const errs = await page.locator(".field-error, .flash.error").allInnerTexts();
        expect(errs.length === 0, `${judge} on ${name}: ${errs.join(" | ")}`);
        scored++;
      }
      if (judge === "judge1") await shot(page, "07-judge-sheet");
      await ctx.context.close();
      return `${scored} sheets`;
    });
  }

  await step("organiser: the tie is broken by the declared criterion; results published", async () => {
    const page = (run.current = officer.page);
    await page.goto(`${BASE}/contests/rounds/${zoneRound}/ranking`);
    const text = await page.locator("main").innerText();
    expect(text.includes("ผลลัพธ์ต่อชุมชน"), `the reason does not name the criterion: ${text.slice(0, 600)}`);
    await shot(page, "08-ranking");
    await press(page, page.locator(`form[action="/contests/rounds/${zoneRound}/publish"] button[type=submit]`));
    const after = await page.locator("main").innerText();
    expect(!after.includes("ไม่สามารถ") && !(await page.locator(".flash.error").count()), `publish refused: ${after.slice(0, 300)}`);
  });

  await step("public result sheet, found from ผลการคัดเลือก: A first, B second", async () => {
    const page = (run.current = visitor.page);
    await page.goto(`${BASE}/contests/results`);
    await press(page, page.locator(`a[href="/contests/rounds/${zoneRound}/results"]`));
    const text = await page.locator("main").innerText();
    const a = text.indexOf(A), b = text.indexOf(B);
    expect(a >= 0 && b >= 0 && a < b, `A is not above B: ${text.slice(0, 600)}`);
    await shot(page, "09-results");
  });

  await step("A's entry is in the regional round with the same documents", async () => {
    const page = (run.current = officer.page);
    await page.goto(`${BASE}/contests/rounds/${regionRound}`);
    const link = page.locator(`tr:has-text("${A}") a[href^="/contests/entries/"]`).first();
    expect(await link.count() === 1, "A is not in the regional round");
    await press(page, link);
    const text = await page.locator("main").innerText();
    for (const f of ["แบบประวัติ.pdf", "สไลด์นำเสนอ.pdf", "ภาพกิจกรรม.png"]) expect(text.includes(f), `${f} is missing in the regional round`);
    expect(!text.includes(B), "B advanced too");
    await shot(page, "10-promoted");
  });

  await step("organiser issues certificates; A's QR page verifies", async () => {
    const page = (run.current = officer.page);
    await page.goto(`${BASE}/contests/rounds/${zoneRound}/ranking`);
    await press(page, page.locator(`form[action="/contests/rounds/${zoneRound}/certificates"] button[type=submit]`));
    await page.goto(`${BASE}/certificates?q=${encodeURIComponent(A)}`);
    const href = await page.locator('a[href^="/c/"]').first().getAttribute("href");
    certCode = href.split("/")[2];
    await page.goto(`${BASE}/c/${certCode}/print`);
    expect(await page.locator("svg").count() >= 1, "no QR code on the certificate");
    const printed = await page.content();
    expect(printed.includes(`/c/${certCode}`), "the certificate does not carry its verification URL");
    await shot(page, "11-certificate");
    // Printed, it is one A4 landscape page (a desktop browser's print, not the phone view).
    const desk = await page.context().browser().newPage({ viewport: { width: 1280, height: 900 } });
    await desk.goto(`${BASE}/c/${certCode}/print`);
    const pdf = await desk.pdf({ preferCSSPageSize: true, printBackground: true });
    await desk.close();
    writeFileSync(`${SHOTS}/contest-certificate.pdf`, pdf);
    const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
    expect(pages === 1, `the certificate prints on ${pages} pages`);
    const v = (run.current = visitor.page);
    await v.goto(`${BASE}/c/${certCode}`);
    const text = await v.locator("main").innerText();
    expect(text.includes(A) && text.includes("ถูกต้อง"), `not verified: ${text.slice(0, 300)}`);
    return certCode;
  });

  await step("after revocation the QR page says revoked, and why", async () => {
    const page = (run.current = officer.page);
    await page.goto(`${BASE}/c/${certCode}?revoke=1#revoke`);
    await page.locator("#reason").fill("ตรวจพบว่าข้อมูลผลงานไม่ถูกต้อง");
    await press(page, page.locator(`form[action$="/revoke"] button[type=submit]`));
    const v = (run.current = visitor.page);
    await v.goto(`${BASE}/c/${certCode}`);
    const text = await v.locator("main").innerText();
    expect(text.includes("เพิกถอน") && text.includes("ตรวจพบว่าข้อมูลผลงานไม่ถูกต้อง"), `not revoked: ${text.slice(0, 300)}`);
    await shot(v, "12-revoked");
  });
} finally {
  moveClock(0);
  await browser.close().catch(() => {});
}
run.finish();
