// One customer answering one survey link in Debian's chromium on a phone-sized screen.
// Run by tests/e2e/test_browser_survey.py: node survey.mjs '<spec as JSON>'. Exits 1 with the reason on the
// first thing that is not as the spec says; on success prints one JSON line (screenshots, user agent).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, trustingHome } from './trust.mjs';

const spec = JSON.parse(process.argv[2]);
const want = spec.expect;
const timeout = spec.timeout_ms ?? 60000;
const shots = [];
const problems = [];
let page;

async function shot(step) {
  const file = path.join(spec.artifacts, `${spec.name}-${step}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

async function htmlLang() {
  return page.locator('html').getAttribute('lang');
}

// What a phone user needs: nothing wider than the screen, and tap targets as WCAG 2.2 (2.5.8) asks: at least
// 24x24 CSS pixels, or, when smaller, a 24 px circle on its centre that touches no other target.
async function checkFitsPhone(step) {
  const width = spec.viewport.width;
  const tooWide = await page.locator('main, main *').evaluateAll(
    (els, w) => els.filter((e) => e.getBoundingClientRect().right > w + 0.5).map((e) => e.outerHTML.slice(0, 80)),
    width);
  assert.deepEqual(tooWide, [], `${step}: wider than the ${width}px screen`);
  const targets = [];
  for (const t of await page.locator('main label, main button, main a').all())
    targets.push({ what: (await t.textContent()).trim(), box: await t.boundingBox() });
  for (const t of targets) {
    const { x, y, width: w, height: h } = t.box ?? {};
    assert.ok(t.box && w > 0 && h > 0, `${step}: "${t.what}" cannot be tapped`);
    if (w >= 24 && h >= 24) continue;
    const cx = x + w / 2, cy = y + h / 2;
    for (const o of targets) {
      if (o === t) continue;
      const b = o.box;
      const small = b.width < 24 || b.height < 24;
      // Distance from this centre to the other target (its 12 px circle too when it is small itself).
      const dx = Math.max(b.x - cx, 0, cx - (b.x + b.width)), dy = Math.max(b.y - cy, 0, cy - (b.y + b.height));
      const gap = small ? Math.hypot(cx - (b.x + b.width / 2), cy - (b.y + b.height / 2)) - 12 : Math.hypot(dx, dy);
      assert.ok(gap >= 12, `${step}: tap target "${t.what}" is ${w}x${h} and too close to "${o.what}"`);
    }
  }
}

// Taps \p target and returns the response to the form post or link it leads to, once that page has loaded
// (the address alone does not tell: a form posts back to the same one).
async function tapAndLoad(target, method) {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === method && r.request().resourceType() === 'document'),
    page.waitForEvent('load'),
    target.tap(),
  ]);
  return response;
}

async function run() {
  const home = trustingHome(spec.cert);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vocd-browser-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: spec.chromium ?? '/usr/bin/chromium',
    headless: true,
    chromiumSandbox: false,
    args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: home },
    viewport: spec.viewport,
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    locale: spec.locale,
    javaScriptEnabled: spec.javascript,
    timeout,
  });
  try {
    page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(timeout);
    page.setDefaultNavigationTimeout(timeout);
    let userAgent = null;
    page.on('request', (r) => { if (r.url().startsWith('https:')) userAgent ??= r.headers()['user-agent']; });
    page.on('response', (r) => { if (r.status() >= 400) problems.push(`${r.status()} ${r.url()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    // A failed load is in the list above with its address.
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(`console: ${m.text()}`);
    });
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));

    // Whether page scripts run (page.evaluate itself works either way).
    await page.goto('data:text/html,<title>off</title><script>document.title="on"</script>');
    assert.equal(await page.title(), spec.javascript ? 'on' : 'off', 'JavaScript in the page');

    // The link as sent: the consent step, in the language the phone asks for, before any question.
    let response = await page.goto(spec.url);
    assert.equal(response.status(), 200, 'opening the link');
    if (spec.switch_to) {
      assert.equal(await htmlLang(), spec.switch_to.from, 'language before the switch');
      await shot('0-before-switch');
      response = await tapAndLoad(page.getByRole('link', { name: spec.switch_to.link, exact: true }), 'GET');
      assert.equal(response.status(), 200, 'the language switch');
    }
    assert.equal(await htmlLang(), want.lang);
    assert.equal((await page.locator('h1').innerText()).trim(), `${want.tenant} · ${want.title}`);
    assert.match(await page.title(), new RegExp(`^${want.tenant.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} · `));
    await page.getByRole('heading', { name: want.consent_heading, exact: true }).waitFor();
    assert.equal((await page.locator('.notice').innerText()).trim(), want.notice);
    assert.ok(await page.locator('.notice').isVisible(), 'the privacy notice is visible');
    assert.equal(await page.locator('input[type=radio], input[type=checkbox], textarea').count(), 0,
      'no question before consent');
    for (const q of want.questions)
      assert.equal(await page.getByText(q, { exact: true }).count(), 0, `question "${q}" before consent`);
    await page.getByRole('button', { name: want.decline, exact: true }).waitFor();
    await checkFitsPhone('consent');
    await shot('1-consent');

    response = await tapAndLoad(page.getByRole('button', { name: want.agree, exact: true }), 'POST');
    assert.equal(response.status(), 200, 'giving consent');

    // The questions: every one there, none answered yet.
    for (const q of want.questions)
      await page.getByRole('group', { name: q, exact: true }).waitFor();
    assert.equal(await page.locator('input:checked').count(), 0, 'nothing is pre-selected');
    await checkFitsPhone('questions');
    await shot('2-questions');
    for (const a of spec.answers) {
      // The box around the number is what a thumb hits, not the small radio dot inside it.
      const box = page.getByRole('group', { name: a.question, exact: true })
        .locator('label').filter({ hasText: new RegExp(`^\\s*${a.value}\\s*$`) });
      assert.equal(await box.count(), 1, `one "${a.value}" under "${a.question}"`);
      await box.tap();
      assert.ok(await page.locator(`input[name="${a.name}"][value="${a.value}"]`).isChecked(),
        `${a.value} is chosen for "${a.question}" after tapping it`);
      assert.equal(await page.locator(`input[name="${a.name}"]:checked`).count(), 1);
    }
    for (const tag of spec.tags) {
      await page.locator('label').filter({ hasText: tag }).tap();
      assert.ok(await page.getByRole('checkbox', { name: tag, exact: true }).isChecked(), `tag "${tag}" ticked`);
    }
    if (spec.text) {
      const box = page.getByRole('textbox', { name: want.open_question });
      await box.tap();
      await page.keyboard.insertText(spec.text);
      assert.equal(await box.inputValue(), spec.text);
    }
    await shot('3-answered');

    response = await tapAndLoad(page.getByRole('button', { name: want.submit, exact: true }), 'POST');
    assert.equal(response.status(), 200, 'sending the answer: ' + (await page.locator('main').innerText()));
    assert.equal(await htmlLang(), want.lang);
    assert.equal((await page.locator('.notice').innerText()).trim(), want.thanks);
    assert.equal(await page.locator('input[type=radio]').count(), 0, 'no question on the thank-you page');
    await checkFitsPhone('thanks');
    await shot('4-thanks');

    // The link used up: a clear page saying so, no questions, in the phone's language again (a switch on the
    // page holds for that visit only).
    response = await page.goto(spec.url);
    assert.equal(response.status(), 409, 'opening the link again');
    assert.equal(await htmlLang(), want.answered_lang);
    assert.equal((await page.locator('.notice').innerText()).trim(), want.answered);
    assert.equal(await page.locator('input[type=radio]').count(), 0, 'no question once answered');
    await checkFitsPhone('answered');
    await shot('5-answered-again');

    // Its language switch: the same page in the other language, still 409, still no question.
    const other = want.answered_other;
    response = await tapAndLoad(page.getByRole('link', { name: other.link, exact: true }), 'GET');
    assert.equal(response.status(), 409, 'the used link in the other language');
    assert.equal(await htmlLang(), other.lang);
    assert.equal((await page.locator('.notice').innerText()).trim(), other.answered);
    assert.equal(await page.locator('input[type=radio]').count(), 0, 'no question once answered');
    await shot('6-answered-switched');

    // Only the 409 of the used link may be an error; chromium asks for a favicon by itself, not the page.
    const used = [`409 ${spec.url}`, `409 ${spec.url}?lang=${other.lang}`];
    const others = problems.filter((p) => !used.includes(p) && !p.endsWith('/favicon.ico'));
    assert.deepEqual(others, [], 'errors in the browser');
    console.log(JSON.stringify({ screenshots: shots, user_agent: userAgent }));
  } catch (e) {
    await shot('failed').catch(() => {});
    throw e;
  } finally {
    await context.close();
    fs.rmSync(profile, { recursive: true, force: true });
    fs.rmSync(home, { recursive: true, force: true });
  }
}

run().catch(async (e) => {
  console.error(`${spec.name}: ${e.stack || e}`);
  if (problems.length) console.error('browser said:\n  ' + problems.join('\n  '));
  console.error('screenshots: ' + shots.join(' '));
  process.exit(1);
});
