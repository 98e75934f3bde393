// Issue 13 in a browser at 390 px: a provincial KM officer sets up a members-only community of
// practice for Mueang Chachoengsao and adds three members; the contributor asks a question, two
// members answer, the asker accepts one and turns the thread into a draft knowledge item
// credited to both of them; a signed-in non-member sees none of it — not on the community's
// page, not at the thread's own address, not in search.
import { story, need, expect, launch, newPhone, login } from "./story.mjs";

const BASE = need("E2E_BASE_URL");
const D01 = need("E2E_D01_ID");
const FAC = { user: "prayat", pass: need("E2E_PLANNER_PASSWORD") };
const ASKER = { user: "somsri", pass: need("E2E_CONTRIBUTOR_PASSWORD") };
const A1 = { user: "judge1", pass: need("E2E_JUDGE_PASSWORD") };
const A2 = { user: "judge2", pass: need("E2E_JUDGE_PASSWORD") };
const OUT = { user: "judge3", pass: need("E2E_JUDGE_PASSWORD") };
const NAME = "ชุมชนคนรักเมล็ดพันธุ์ อำเภอเมืองฉะเชิงเทรา";
const TITLE = "เก็บเมล็ดพันธุ์ผักพื้นบ้านอย่างไรให้งอกดีในฤดูฝน";
const ANSWER1 = "ตากเมล็ดในร่มให้แห้งสนิท แล้วเก็บในขวดแก้วใส่ถ่านดูดความชื้น";
const ANSWER2 = "ลองแช่น้ำอุ่นก่อนเพาะ จะช่วยให้งอกเร็วขึ้น";

const run = story("community");
const browser = await launch();
let communityUrl = "";
let threadUrl = "";

async function as(who) {
  const { context, page } = await newPhone(browser);
  run.current = page;
  await login(BASE, page, who);
  return { context, page };
}

const fac = await as(FAC);
await run.step("the officer sets up a members-only community on a phone", async () => {
  const { page } = fac;
  await page.goto(`${BASE}/communities`);
  await page.getByRole("link", { name: "ตั้งชุมชนใหม่" }).click();
  await page.locator("#name").fill(NAME);
  await page.locator("#description").fill("แลกเปลี่ยนวิธีเก็บและขยายพันธุ์ผักพื้นบ้านของกลุ่มเกษตรกร");
  await page.locator("#unit_id").selectOption(D01);
  await page.locator("input[name=access][value=members]").check();
  await page.getByRole("button", { name: "ตั้งชุมชน" }).click();
  await page.waitForURL(/\/communities\/\d+$/);
  communityUrl = page.url();
  expect((await page.textContent("main")).includes("ยังไม่มีกระทู้ — เริ่มถามคำถามแรก"), "empty state");
  await run.shot(page, "1-community");
  return communityUrl;
});

await run.step("the facilitator adds the asker and two members by username", async () => {
  const { page } = fac;
  for (const u of [ASKER.user, A1.user, A2.user]) {
    await page.goto(`${communityUrl}/members`);
    await page.locator("#username").fill(u);
    await page.getByRole("button", { name: "เพิ่ม", exact: true }).click();
    await page.waitForURL(/\/members$/);
  }
  const text = await page.textContent("main");
  expect(["@somsri", "@judge1", "@judge2"].every((u) => text.includes(u)), "three members listed");
  await run.shot(page, "2-members");
});

const asker = await as(ASKER);
await run.step("the contributor asks a question", async () => {
  const { page } = asker;
  await page.goto(communityUrl);
  await page.getByRole("link", { name: "ถามคำถาม / ตั้งกระทู้" }).click();
  await page.locator("#title").fill(TITLE);
  await page.locator("#body").fill("ปีนี้เมล็ดผักที่เก็บไว้งอกไม่ถึงครึ่ง ใครมีวิธีดี ๆ บ้างคะ @judge1");
  await page.getByRole("button", { name: "ส่งกระทู้" }).click();
  await page.waitForURL(/\/communities\/threads\/\d+$/);
  threadUrl = page.url();
  await run.shot(page, "3-question");
  return threadUrl;
});

for (const [who, text] of [[A1, ANSWER1], [A2, ANSWER2]]) {
  await run.step(`${who.user} answers`, async () => {
    const { context, page } = await as(who);
    await page.goto(threadUrl);
    await page.locator("#body").fill(text);
    await page.getByRole("button", { name: "ส่งคำตอบ" }).click();
    await page.waitForURL(/#post-\d+$/);
    expect((await page.textContent("main")).includes(text), "answer shown");
    await context.close();
  });
}

await run.step("the asker accepts the first answer; it is shown first with its mark", async () => {
  const { page } = asker;
  run.current = page;
  await page.goto(threadUrl);
  const post = page.locator("article.post", { hasText: ANSWER1 });
  await post.getByRole("button", { name: "✓ ยอมรับคำตอบนี้" }).click();
  await page.waitForURL(/#post-\d+$/);
  const first = page.locator("article.post").nth(1);
  expect((await first.textContent()).includes("✓ คำตอบที่ยอมรับ"), "accepted mark");
  expect((await first.textContent()).includes(ANSWER1), "accepted answer first");
  await run.shot(page, "4-accepted");
});

await run.step("the thread becomes a draft item credited to the asker and the answerer", async () => {
  const { page } = asker;
  await page.goto(threadUrl);
  await page.getByRole("button", { name: "ทำเป็นองค์ความรู้" }).click();
  await page.waitForURL(/\/items\/\d+$/);
  const text = await page.textContent("main");
  expect(text.includes(TITLE), "item title");
  expect(text.includes("สมศรี ใจดี") && text.includes("กรรมการ 1"), "both authors credited");
  expect(text.includes(ANSWER1) && !text.includes(ANSWER2), "quotes the accepted answer only");
  await run.shot(page, "5-draft-item");
  await page.goto(threadUrl);
  expect((await page.textContent("main")).includes("กระทู้นี้เป็นองค์ความรู้แล้ว"), "thread links the item");
  return page.url();
});

await run.step("a signed-in non-member sees none of it", async () => {
  const { context, page } = await as(OUT);
  await page.goto(communityUrl);
  let text = await page.textContent("main");
  expect(text.includes(NAME) && !text.includes(TITLE), "community page: name only");
  await run.shot(page, "6-outsider-community");
  const res = await page.goto(threadUrl);
  expect(res.status() === 404, `thread URL answers ${res.status()}`);
  text = await page.textContent("body");
  expect(!text.includes(TITLE), "no title on the 404 page");
  await page.goto(`${BASE}/search?q=${encodeURIComponent("เมล็ดพันธุ์ผักพื้นบ้าน")}`);
  text = await page.textContent("main");
  expect(!text.includes(TITLE), "search shows no thread");
  await run.shot(page, "7-outsider-search");
  await context.close();
});

await run.step("the thread at desktop width", async () => {
  const { page } = asker;
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(threadUrl);
  await run.shot(page, "8-thread-desktop");
});

await browser.close();
run.finish();
