// The sandbox inbox and /docs in a real browser: Debian's chromium driven by playwright-core,
// against a sandbox this test starts on 127.0.0.1 (and a webhook receiver it runs there).
//
//   SANDBOX_BIN=target/debug/noxitel-sandbox SHOTS=target/browser node --test inbox.test.mjs
//
// Every request any page makes is recorded; one that leaves 127.0.0.1 is aborted and fails
// the run. Screenshots of the inbox (light and dark) and of the docs go to $SHOTS.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const BIN = process.env.SANDBOX_BIN || "target/debug/noxitel-sandbox";
const SHOTS = process.env.SHOTS || "target/browser";
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const TOKEN = "sbx_browser_test_token_7q2x";
const SECOND = "sbx_browser_second_k4m9";

let sandbox, origin, receiver, hookUrl, context, page, profile;
const hooks = []; // webhook bodies the receiver got
const requests = []; // every URL a page asked for
const outside = []; // the ones that were not 127.0.0.1

function startSandbox() {
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, ["--port", "0", "--token", TOKEN, "--token", SECOND, "--dlr-delay-ms", "600", "--log", "warn"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let banner = "";
    const timer = setTimeout(() => reject(new Error(`no banner from ${BIN}: ${banner}`)), 15000);
    child.stdout.on("data", (chunk) => {
      banner += chunk;
      const m = banner.match(/base URL : (http:\/\/127\.0\.0\.1:\d+)\/api\/v2/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, origin: m[1], banner });
      }
    });
    child.on("exit", (code) => reject(new Error(`${BIN} exited with ${code}: ${banner}`)));
    child.on("error", reject);
  });
}

function startReceiver() {
  return new Promise((resolve) => {
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        try {
          hooks.push({ path: req.url, body: JSON.parse(body) });
        } catch (_) {
          hooks.push({ path: req.url, body });
        }
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

async function api(method, path, body) {
  const res = await fetch(origin + path, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  assert.equal(res.status, 200, `${method} ${path}: ${JSON.stringify(json)}`);
  return json;
}

async function until(what, check, ms = 10000) {
  const end = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function isLocal(url) {
  if (/^(data|blob|about):/.test(url)) return true;
  try {
    return new URL(url).hostname === "127.0.0.1";
  } catch (_) {
    return false;
  }
}

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  ({ child: sandbox, origin } = await startSandbox());
  receiver = await startReceiver();
  hookUrl = `http://127.0.0.1:${receiver.address().port}`;
  profile = mkdtempSync(join(tmpdir(), "noxitel-chromium-"));
  // A fresh profile of its own (Playwright's persistent context is how it takes one).
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 960 },
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  context.on("request", (r) => {
    requests.push(r.url());
    if (!isLocal(r.url())) outside.push(r.url());
  });
  context.on("websocket", (ws) => {
    requests.push(ws.url());
    if (!isLocal(ws.url())) outside.push(ws.url());
  });
  // Belt and braces: nothing may reach another host even if a page tried.
  await context.route("**/*", (route) => (isLocal(route.request().url()) ? route.continue() : route.abort()));
  page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (e) => console.log(`page error: ${e.message}`));
});

after(async () => {
  if (context) await context.close();
  if (receiver) receiver.close();
  if (sandbox) sandbox.kill();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

test("the inbox loads, live, with the accounts by the last 4 characters of their token", async () => {
  await page.goto(origin + "/");
  // Generous: the first page of a fresh profile on a busy 2-core CI machine is slow.
  await page.locator("#live.on").waitFor({ timeout: 30000 });
  assert.equal(await page.title(), "Inbox — Noxitel sandbox");
  const accounts = await page.locator("#account option").allTextContents();
  assert.deepEqual(accounts.length, 2);
  assert.ok(accounts[0].includes("…7q2x"), accounts[0]);
  assert.ok(accounts[1].includes("…k4m9"), accounts[1]);
  const html = await page.content();
  assert.ok(!html.includes(TOKEN) && !html.includes(SECOND), "a whole token is on the page");
  await page.evaluate(() => (window.__notReloaded = true));
});

test("an SMS sent through the API after the page is open appears within seconds, without reload", async () => {
  const text = `Your order ${Date.now()} has shipped`;
  const sent = await api("POST", "/api/v2/sms", {
    campaignId: 1,
    routeId: 1,
    sender: "NOXITEL",
    message: text,
    contacts: [{ mobile: "919887111111" }],
    notifyUrl: hookUrl + "/sms",
  });
  const thread = page.locator('#thread-list button[data-number="919887111111"]');
  await thread.waitFor({ timeout: 5000 });
  assert.ok((await thread.textContent()).includes(text));
  await thread.click();
  const message = page.locator("#messages article", { hasText: text });
  await message.waitFor({ timeout: 5000 });
  assert.equal(await page.locator("#conversation-title").textContent(), "+919887111111");
  // Its ids, then its delivery report and webhook, live.
  await message.locator("summary").click();
  const shown = await message.textContent();
  assert.ok(shown.includes(sent.message_id[0].sms_id), `${JSON.stringify(sent)} not in ${shown}`);
  await message.locator(".timeline", { hasText: "Handset Delivered (DELIVRD)" }).waitFor({ timeout: 10000 });
  await message.locator(".hooks", { hasText: "HTTP 200" }).waitFor({ timeout: 10000 });
  assert.ok(hooks.some((h) => h.path === "/sms" && h.body.sms_id === sent.message_id[0].sms_id), "no DLR webhook received");
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "the page was reloaded");
});

test("an RCS rich card renders its title, media and chips; tapping a chip delivers the postback webhook", async () => {
  const sent = await api("POST", "/api/v2/rcs/message", {
    agentId: 3,
    type: "rich_card",
    content: {
      orientation: "VERTICAL",
      card: {
        title: "Flash Sale 40% Off",
        description: "Use FLASH40 at checkout.",
        media: { url: "https://cdn.example.com/sale.jpg", height: "MEDIUM" },
        suggestions: [
          { type: "reply", text: "Confirm" },
          { type: "url", text: "Shop Now", url: "https://brand.com/sale" },
        ],
      },
    },
    contacts: [{ mobile: "919887333333" }],
    notifyUrl: hookUrl + "/rcs",
  });
  const msgId = sent.message_id[0].msg_id;
  await page.locator('#thread-list button[data-number="919887333333"]').click();
  const card = page.locator("#messages .card", { hasText: "Flash Sale 40% Off" });
  await card.waitFor({ timeout: 5000 });
  assert.ok((await card.locator("h3").textContent()).includes("Flash Sale 40% Off"));
  const media = card.locator('[role="img"]');
  assert.ok((await media.getAttribute("aria-label")).includes("https://cdn.example.com/sale.jpg"));
  const chips = await card.locator("button.chip").allTextContents();
  assert.deepEqual(chips.map((c) => c.replace(/\s*[↗☏]$/, "")), ["Confirm", "Shop Now"]);
  await page.locator("#messages article", { hasText: "Flash Sale" }).getByText("delivered").first().waitFor({ timeout: 10000 });
  // Keyboard: focus the chip and press Enter, as a phone user would tap it.
  await card.locator("button.chip", { hasText: "Confirm" }).focus();
  await page.keyboard.press("Enter");
  const postback = `${msgId}||REPLY||Confirm`;
  const hook = await until("the postback webhook", () =>
    hooks.find((h) => h.path === "/rcs" && h.body.event === "message.received" && h.body.suggestionResponse?.postbackData === postback),
  );
  assert.equal(hook.body.suggestionResponse.text, "Confirm");
  await page.locator("#messages article.mine", { hasText: "Confirm" }).waitFor({ timeout: 5000 });
  await page.locator("#notice", { hasText: "Tapped" }).waitFor({ timeout: 5000 });
});

test("a reply typed in the thread becomes an inbound message", async () => {
  await page.locator("#reply-text").fill("Yes please");
  await page.locator("#reply button[type=submit]").click();
  await page.locator("#messages article.mine", { hasText: "Yes please" }).waitFor({ timeout: 5000 });
  await until("the inbound webhook", () => hooks.find((h) => h.path === "/rcs" && h.body.message?.text === "Yes please"));
});

test("an OTP's code is shown", async () => {
  const sent = await api("POST", "/api/v2/otp", { channel: 27, mobile: "919887222222" });
  const otp = await api("GET", "/sandbox/otp/919887222222");
  assert.equal(otp.reference, sent.reference);
  await page.locator('#thread-list button[data-number="919887222222"]').click();
  const code = page.locator("#messages .otp-code");
  await code.waitFor({ timeout: 5000 });
  assert.equal((await code.textContent()).trim(), otp.otp);
  await page.locator("#messages").getByRole("button", { name: "Copy code" }).waitFor();
  await api("GET", `/api/v2/otp/verify?reference=${sent.reference}&otp=${otp.otp}`);
  await page.locator("#messages .otp").getByText("verified").first().waitFor({ timeout: 5000 });
});

test("faults are applied and cleared from the page", async () => {
  await page.locator("#fault-kind").selectOption("status");
  await page.locator("#fault-status").fill("503");
  await page.locator("#fault-path").fill("/credits");
  await page.locator("#fault-form button[type=submit]").click();
  await page.locator("#fault-list li", { hasText: "status=503" }).waitFor({ timeout: 5000 });
  const res = await fetch(origin + "/api/v2/credits", { headers: { Authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.status, 503);
  await page.locator("#faults-clear").click();
  await page.locator("#fault-list", { hasText: "No faults" }).waitFor({ timeout: 5000 });
  await api("GET", "/api/v2/credits");
});

test("the thread list works from the keyboard", async () => {
  const buttons = page.locator("#thread-list button");
  assert.ok((await buttons.count()) >= 3);
  await buttons.first().focus();
  await page.keyboard.press("ArrowDown");
  const number = await page.evaluate(() => document.activeElement.dataset.number);
  await page.keyboard.press("Enter");
  // The page renders on its next frame: wait for it rather than read the old title.
  await page.locator(`#thread-list button[data-number="${number}"][aria-current="true"]`).waitFor({ timeout: 5000 });
  assert.equal(await page.locator("#conversation-title").textContent(), "+" + number);
});

test("another account has its own inbox", async () => {
  await page.locator("#account").selectOption("acct_2");
  await page.locator("#no-threads").waitFor({ state: "visible", timeout: 5000 });
  assert.equal(await page.locator("#thread-list button").count(), 0);
  await page.locator("#account").selectOption("acct_1");
  await page.locator('#thread-list button[data-number="919887333333"]').waitFor({ timeout: 5000 });
});

test("screenshots of the inbox, light and dark", async () => {
  // The same phone also gets a WhatsApp template and a voice call: one thread, every channel.
  await api("POST", "/api/v2/whatsapp/message", {
    type: "template",
    templateId: "welcome_template",
    contacts: [{ msisdn: "919887333333", parameters: { body: ["Sam", "Special Offer"] } }],
  });
  await api("POST", "/api/v2/voice/call", {
    to: "919887333333",
    from: "VOICE1",
    tts: { text: "Your Noxitel OTP is 8 4 7 2 9 1.", language: "en-IN", voice: "female" },
    notifyUrl: hookUrl + "/voice",
  });
  await page.locator('#thread-list button[data-number="919887333333"]').click();
  await page.locator("#messages article", { hasText: "Template welcome_template" }).waitFor({ timeout: 5000 });
  await page.locator("#messages article", { hasText: "Says: Your Noxitel OTP" }).waitFor({ timeout: 5000 });
  // Back in an RCS thread after the OTP one, the reply goes to RCS again.
  assert.equal(await page.locator("#reply-channel").inputValue(), "rcs:3");
  const card = page.locator("#messages article", { hasText: "Flash Sale" });
  await card.locator("summary").first().click();
  await card.locator(".hooks", { hasText: "message.received" }).waitFor({ timeout: 5000 });
  await page.locator("#messages").evaluate((box) => (box.scrollTop = 0));
  await page.screenshot({ path: join(SHOTS, "inbox.png") });
  await page.emulateMedia({ colorScheme: "dark" });
  await page.screenshot({ path: join(SHOTS, "inbox-dark.png") });
  await page.emulateMedia({ colorScheme: "light" });
});

test("/docs lists all 22 operations, offline, and \"try it\" sends to the sandbox", async () => {
  const document = await (await fetch(origin + "/openapi.json")).json();
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.keys(item).filter((m) => ["get", "post", "put", "delete", "patch"].includes(m)).map((m) => `${m.toUpperCase()}/${path.slice(1)}`),
  );
  assert.equal(operations.length, 22);
  const docs = await context.newPage();
  await docs.goto(origin + "/docs");
  await docs.locator("text=Noxitel API").first().waitFor({ timeout: 45000 });
  const found = await until("22 operations rendered", async () => {
    const ids = await docs.evaluate(() => [...document.querySelectorAll("[id*='/tag/']")].map((e) => e.id));
    const hit = operations.filter((op) => ids.some((id) => id.endsWith("/" + op)));
    return hit.length === operations.length ? hit : null;
  }, 30000);
  assert.equal(found.length, 22);
  for (const summary of Object.values(document.paths).flatMap((item) => Object.values(item).map((op) => op.summary)).filter(Boolean)) {
    assert.ok((await docs.evaluate(() => document.body.innerText)).includes(summary), `no "${summary}" in /docs`);
  }
  await docs.screenshot({ path: join(SHOTS, "docs.png") });
  // "Try it" sends to this sandbox, with the token typed in.
  const credits = docs.locator('[id$="/GET/credits"]');
  await credits.scrollIntoViewIfNeeded(); // Scalar renders an operation once it is in view
  await credits.getByRole("button", { name: /test request/i }).first().click();
  const dialog = docs.getByRole("dialog");
  await dialog.getByPlaceholder("Token").first().fill(TOKEN);
  const sent = docs.waitForRequest((r) => r.url() === origin + "/api/v2/credits");
  await dialog.getByRole("button", { name: /send/i }).first().click();
  const request = await sent;
  assert.equal((await request.allHeaders()).authorization, `Bearer ${TOKEN}`);
  assert.equal((await request.response()).status(), 200);
  await dialog.getByText('"status": "success"').first().waitFor({ timeout: 5000 });
  await docs.close();
});

test("no request of any page left 127.0.0.1", () => {
  assert.ok(requests.length > 10, `only ${requests.length} requests recorded`);
  assert.deepEqual(outside, [], `requests that left 127.0.0.1: ${outside.join(", ")}`);
  console.log(`${requests.length} requests, all to 127.0.0.1`);
});
