// Issue 13's events story on a 390×844 phone viewport: a KM officer creates a KM สัญจร event
// with 2 places; three signed-in people register, the third is waitlisted and promoted when one
// of the first two cancels (her page says so, her inbox has the notice); two check in by QR (the
// organiser opens the ticket URL the registrant's QR encodes; the other registrant opens the
// event's own check-in URL); the organiser issues certificates and both verify at /c/{code};
// one attendee writes an AAR from the event page in the wizard, a reviewer approves, an
// anonymous visitor finds it by a word inside unspaced Thai text, and the event page lists it
// under its outputs while the item page says "ถอดบทเรียนจาก: <event>". Desktop (1280 px)
// screenshots of the event page and the organiser's page.
//
// The event starts an hour from now (registration closes when it starts); the servers' clock is
// then moved two hours on through run.sh's shared offset file, still the same Bangkok day, so
// self check-in is open and certificates may be issued.
//
// Started by run.sh (E2E_FLOWS=events to run only this one). Prints one line per step and,
// last, "N passed, N failed"; exits 1 on failure.
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { need, expect, story, launch, newPhone, login as signIn } from "./story.mjs";

const BASE = need("E2E_BASE_URL");
const CLOCK_FILE = need("E2E_CLOCK_FILE");
const OFFICER = { user: need("E2E_OFFICER"), pass: need("E2E_OFFICER_PASSWORD") };
const REVIEWER = { user: need("E2E_REVIEWER"), pass: need("E2E_REVIEWER_PASSWORD") };
const PEOPLE_PASS = need("E2E_ATTENDEE_PASSWORD");
const [A, B, C] = ["ev_malee", "ev_somchai", "ev_wanna"].map((user) => ({ user, pass: PEOPLE_PASS }));
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const TITLE = `KM สัญจร บ้านหนองบัว ${stamp}`;
const AAR_TITLE = `AAR หลัง KM สัญจร บ้านหนองบัว ${stamp}`;
const WORD = "ปลาร้าบอง";
const run = story("events");
const step = run.step;
const shot = run.shot;
const login = (page, who) => signIn(BASE, page, who);

/** The servers' clock offset in seconds (another flow may have left one). */
function clockOffset() {
  try {
    return Number(readFileSync(CLOCK_FILE, "utf8").trim()) || 0;
  } catch {
    return 0;
  }
}
const OFFSET_AT_START = clockOffset();

/** "YYYY-MM-DDTHH:MM" in Bangkok time, `minutes` from the servers' now (datetime-local value). */
function bangkok(minutes) {
  const d = new Date(Date.now() + clockOffset() * 1000 + minutes * 60_000 + 7 * 3_600_000);
  return d.toISOString().slice(0, 16);
}

/** Sets the servers' clock offset (seconds) in the file every node reads. */
function setClock(seconds) {
  writeFileSync(`${CLOCK_FILE}.new`, String(seconds));
  renameSync(`${CLOCK_FILE}.new`, CLOCK_FILE);
}

/** The same path on this test's server: public_base_url may name another host. */
const local = (url) => {
  const u = new URL(url, BASE);
  return `${BASE}${u.pathname}${u.search}`;
};

const text = async (page) => (await page.locator("main").innerText()).replace(/\s+/g, " ");

async function wide(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  expect(w <= 390, `page is ${w} px wide at 390`);
}

const browser = await launch();
let eventId = null;
let itemId = null;
const secrets = {};
const certs = [];
try {
  const officer = await newPhone(browser);
  const people = { a: await newPhone(browser), b: await newPhone(browser), c: await newPhone(browser) };
  const reviewer = await newPhone(browser);
  const visitor = await newPhone(browser);

  await step("officer creates a KM สัญจร event with 2 places, starting in an hour", async () => {
    const page = (run.current = officer.page);
    await login(page, OFFICER);
    await page.goto(`${BASE}/events/new`);
    await page.locator("#title").fill(TITLE);
    await page.locator("#kind").selectOption("field_visit");
    await page.locator("#starts").fill(bangkok(60));
    await page.locator("#ends").fill(bangkok(240));
    await page.locator("#place").fill("ศาลาประชาคมบ้านหนองบัว ตำบลหนองบัว");
    await page.locator("#capacity").fill("2");
    await page.locator("input[name=waitlist]").check();
    await page.locator("input[name=audience][value=signed_in]").check();
    await page.locator("#description").fill("ศึกษาดูงาน**กลุ่มแปรรูปปลา** และแลกเปลี่ยนเรียนรู้กับผู้นำชุมชน");
    await page.locator("#agenda").fill("09:00 | เปิดงาน | นายอำเภอ\n10:00 | ชมกลุ่มแปรรูปปลา | ประธานกลุ่ม");
    await shot(page, "01-new");
    await page.getByRole("button", { name: "สร้างกิจกรรม" }).click();
    await page.waitForURL(/\/events\/\d+(\/manage)?(\?.*)?$/);
    eventId = new URL(page.url()).pathname.split("/")[2];
    await page.goto(`${BASE}/events/${eventId}`);
    const t = await text(page);
    expect(t.includes(TITLE) && t.includes("KM สัญจร"), "title or kind missing on the event page");
    await wide(page);
    await shot(page, "02-event");
    return `event ${eventId}`;
  });

  const register = async (key, who, expected) => {
    const page = (run.current = people[key].page);
    await login(page, who);
    await page.goto(`${BASE}/events/${eventId}`);
    await page.locator("section.event-register").getByRole("button", { name: "ลงทะเบียนเข้าร่วม" }).click();
    await page.waitForURL(/\/events\/my\/[^/?]+/);
    secrets[key] = new URL(page.url()).pathname.split("/")[3];
    const t = await text(page);
    expect(t.includes(`สถานะ ${expected}`), `status is not "${expected}": ${t.slice(0, 300)}`);
    return page;
  };

  await step("two people register and get places", async () => {
    await register("a", A, "ได้ที่นั่งแล้ว");
    const page = await register("b", B, "ได้ที่นั่งแล้ว");
    expect(await page.locator(".ticket-qr svg").count(), "no QR ticket on the page");
    await wide(page);
    await shot(page, "03-ticket");
  });

  await step("the third is waitlisted (no ticket yet)", async () => {
    const page = await register("c", C, "อยู่ในรายชื่อรอ");
    expect((await text(page)).includes("รายชื่อรอ"), "no waitlist notice");
    expect((await page.locator(".ticket-qr svg").count()) === 0, "a waitlisted person has a ticket");
    await shot(page, "04-waitlisted");
  });

  await step("one of the first two cancels; the third is promoted and her page says so", async () => {
    let page = (run.current = people.a.page);
    await page.goto(`${BASE}/events/my/${secrets.a}`);
    await page.getByRole("button", { name: "ยกเลิกการลงทะเบียน" }).click();
    await page.waitForURL(/done=cancelled/);
    expect((await text(page)).includes("ยกเลิกการลงทะเบียนแล้ว"), "no cancel confirmation");
    page = (run.current = people.c.page);
    await page.goto(`${BASE}/events/my/${secrets.c}`);
    const t = await text(page);
    expect(t.includes("สถานะ ได้ที่นั่งแล้ว"), `not promoted: ${t.slice(0, 300)}`);
    expect(await page.locator(".ticket-qr svg").count(), "promoted but no ticket");
    await shot(page, "05-promoted");
  });

  await step("the promoted person's inbox has the notice", async () => {
    const page = (run.current = people.c.page);
    await page.goto(`${BASE}/notifications`);
    const t = await text(page);
    expect(t.includes("เลื่อนจากรายชื่อรอ") && t.includes(TITLE), `no promotion notice: ${t.slice(0, 300)}`);
    await shot(page, "06-inbox");
  });

  await step("organiser's page: 2 with places, none waiting; the clock moves to the event's time", async () => {
    const page = (run.current = officer.page);
    await page.goto(`${BASE}/events/${eventId}/manage`);
    const t = await text(page);
    expect(t.includes("ได้ที่นั่ง 2 · รอคิว 0"), `counts: ${t.match(/ได้ที่นั่ง[^ล]*/)?.[0]}`);
    await shot(page, "07-manage");
    setClock(OFFSET_AT_START + 2 * 3600);
  });

  await step("check-in 1: the organiser opens the ticket URL of the promoted person's QR", async () => {
    let page = (run.current = people.c.page);
    await page.goto(`${BASE}/events/my/${secrets.c}`);
    expect(await page.locator(".ticket-qr svg").count(), "no QR svg");
    const ticketUrl = (await page.locator(".ticket-url").innerText()).trim();
    expect(/\/events\/t\/[^/]+$/.test(ticketUrl), `ticket URL: ${ticketUrl}`);
    page = (run.current = officer.page);
    await page.goto(local(ticketUrl));
    expect((await text(page)).includes("ev_wanna") || (await page.locator(".ticket-name").count()), "no person on the ticket page");
    await shot(page, "08-ticket-organiser");
    await page.getByRole("button", { name: "ยืนยันเข้าร่วม" }).click();
    await page.waitForLoadState("load");
    expect((await text(page)).includes("ลงชื่อเข้าร่วมแล้ว"), "not checked in");
    await shot(page, "09-ticket-checked");
  });

  await step("check-in 2: a registrant opens the event's check-in URL while signed in", async () => {
    let page = (run.current = officer.page);
    await page.goto(`${BASE}/events/${eventId}/manage`);
    expect(await page.locator(".checkin-code .ticket-qr svg").count(), "no event QR svg");
    const url = (await page.locator(".checkin-code .cert-url a").innerText()).trim();
    expect(/\/events\/checkin\/[^/]+$/.test(url), `check-in URL: ${url}`);
    page = (run.current = people.b.page);
    await page.goto(local(url));
    await shot(page, "10-self-checkin");
    await page.getByRole("button", { name: "ยืนยันเข้าร่วม" }).click();
    await page.waitForLoadState("load");
    const t = await text(page);
    expect(t.includes("ลงชื่อเข้าร่วมกิจกรรมเรียบร้อยแล้ว"), `not checked in: ${t.slice(0, 300)}`);
    const again = await page.getByRole("button", { name: "ยืนยันเข้าร่วม" }).count();
    expect(again === 0, "the confirm button is offered again after checking in");
    await shot(page, "11-self-checked");
  });

  await step("the organiser issues certificates; both verify at /c/{code}", async () => {
    const page = (run.current = officer.page);
    await page.goto(`${BASE}/events/${eventId}/manage`);
    expect((await text(page)).includes("ลงชื่อเข้าร่วมแล้ว 2"), "attendance is not 2");
    await page.getByRole("button", { name: "ออกเกียรติบัตร" }).click();
    await page.waitForLoadState("load");
    await shot(page, "12-certificates");
    for (const a of await page.locator('table.attendance a[href^="/c/"]').all()) certs.push(await a.getAttribute("href"));
    const names = [];
    expect(certs.length === 2, `${certs.length} certificates`);
    for (const c of certs) {
      await visitor.page.goto(`${BASE}${c}`);
      const t = await text(visitor.page);
      expect(t.includes("ถูกต้อง") && !t.includes("เพิกถอน"), `${c} does not say valid: ${t.slice(0, 200)}`);
      expect(t.includes(`ได้เข้าร่วม KM สัญจร "${TITLE}"`), `${c} does not name the event: ${t.slice(0, 400)}`);
      names.push(["ev_somchai", "ev_wanna"].find((n) => t.includes(n)));
    }
    expect(names.includes("ev_somchai") && names.includes("ev_wanna"), `certificates for ${names}`);
    run.current = visitor.page;
    await shot(visitor.page, "13-verify");
    return certs.join(" ");
  });

  await step('an attendee presses "เขียน AAR หลังกิจกรรม" and fills the wizard', async () => {
    const page = (run.current = people.b.page);
    await page.goto(`${BASE}/events/${eventId}`);
    await page.getByRole("link", { name: "เขียน AAR หลังกิจกรรม" }).first().click();
    await page.waitForURL(/\/lessons\/new\/aar/);
    expect((await text(page)).includes(`ถอดบทเรียนจาก: ${TITLE}`), "the start page does not name the event");
    await page.locator("#title").fill(AAR_TITLE);
    await shot(page, "14-aar-start");
    await page.getByRole("button", { name: /เริ่มกรอก/ }).click();
    await page.waitForURL(/\/items\/\d+\/form\/1/);
    itemId = new URL(page.url()).pathname.split("/")[2];
    const answers = [
      "ผู้เข้าร่วม KM สัญจร เจ้าหน้าที่ และกลุ่มแปรรูปปลาบ้านหนองบัว",
      "คาดว่าจะได้เรียนวิธีทำปลาร้าให้สะอาดและเก็บได้นาน",
      `ได้เห็นการทำ${WORD}บรรจุขวดขายในตลาดออนไลน์และได้สูตรลดเกลือ`,
      "กลุ่มทำบัญชีร่วมกันทุกเดือนและมีผู้นำที่เปิดใจสอน",
      "จะชวนกลุ่มในตำบลของเรามาดูงานอีกครั้งและลองบรรจุขวดเอง",
    ];
    for (let n = 1; n <= 5; n++) {
      const progress = (await page.locator("p.progress").innerText()).replace(/\s+/g, " ");
      expect(progress.startsWith(`ขั้นที่ ${n} จาก 5`), `progress: ${progress}`);
      for (const box of await page.locator("form#entry-form textarea").all()) {
        if (!(await box.inputValue()).trim()) await box.fill(answers[n - 1]);
      }
      if (n === 3) await shot(page, "15-aar-step3");
      await page.getByRole("button", { name: /บันทึกแล้วไปต่อ|บันทึกแล้วตรวจทาน/ }).click();
      await page.waitForLoadState("load");
    }
    await page.waitForURL(/\/form\/review/);
    await page.getByRole("button", { name: "ส่งพิจารณา" }).click();
    await page.waitForLoadState("load");
    expect((await page.content()).includes("ส่งพิจารณาแล้ว"), "not submitted");
    return `item ${itemId}`;
  });

  await step("a reviewer approves the AAR", async () => {
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
    await shot(page, "16-search");
    await hit.first().click();
    await page.waitForURL(new RegExp(`/items/${itemId}$`));
    // The event is for signed-in people: an anonymous visitor is not told its title.
    expect((await page.locator(".lesson-origin").count()) === 0, "an anonymous visitor is shown the signed-in-only event");
    expect((await page.locator(`a[href="/events/${eventId}"]`).count()) === 0, "a link to the signed-in-only event");
    await wide(page);
    await shot(page, "17-item-anonymous");
  });

  await step("signed in: the item says ถอดบทเรียนจาก: <event>; the event lists the AAR under its outputs", async () => {
    const page = (run.current = visitor.page);
    await login(page, A);
    await page.goto(`${BASE}/items/${itemId}`);
    const origin = page.locator(".lesson-origin", { hasText: "ถอดบทเรียนจาก:" });
    expect(await origin.count(), "no ถอดบทเรียนจาก on the item page");
    expect((await origin.first().innerText()).includes(TITLE), "the origin does not name the event");
    expect((await origin.locator(`a[href="/events/${eventId}"]`).count()) > 0, "the origin does not link the event");
    await shot(page, "17-item");
    await origin.locator("a").first().click();
    await page.waitForURL(new RegExp(`/events/${eventId}$`));
    // She cancelled: the registration card says so (and why she cannot register now).
    const reg = (await page.locator("section.event-register").innerText()).replace(/\s+/g, " ");
    expect(reg.includes("การลงทะเบียนของคุณ: ยกเลิกแล้ว"), `registration card: ${reg}`);
    const out = page.locator("section[aria-labelledby=out-h]");
    expect(await out.locator(`a[href="/items/${itemId}"]`).count(), "the AAR is not among the outputs");
    await wide(page);
    await shot(page, "18-event-outputs");
  });

  await step("desktop width: the event page and the organiser's page", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "th-TH" });
    const page = (run.current = await ctx.newPage());
    await login(page, OFFICER);
    await page.goto(`${BASE}/events/${eventId}`);
    await shot(page, "19-event-desktop");
    await page.goto(`${BASE}/events/${eventId}/manage`);
    await shot(page, "20-manage-desktop");
    await ctx.close();
  });
} finally {
  setClock(OFFSET_AT_START);
  await browser.close().catch(() => {});
}
run.finish();
