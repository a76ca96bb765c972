// A supervisor's dashboard and the public review wall in Debian's chromium on a desktop-sized screen.
// Run by tests/e2e/test_browser_dashboard.py: node dashboard.mjs '<spec as JSON>'. Exits 1 with the reason on
// the first thing that is not as the spec says; on success prints one JSON line (the screenshots).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, trustingHome } from './trust.mjs';

const spec = JSON.parse(process.argv[2]);
const want = spec.expect;
const shots = [];

async function shot(page, step) {
  const file = path.join(spec.artifacts, `dashboard-${step}.png`);
  await page.screenshot({ path: file, fullPage: true });
  shots.push(file);
}

// Nothing the server sent ran as script: the hostile texts set window.__xss if they ever did.
async function inert(page, where) {
  assert.equal(await page.evaluate(() => window.__xss), undefined, `${where}: a hostile text ran as script`);
}

// The drill-down: a click on the agent's bar, in the chart's own coordinates.
async function clickBar(page, agent) {
  const at = await page.evaluate((name) => {
    const chart = Chart.getChart('breakdown-chart');
    const i = chart.data.labels.indexOf(name);
    if (i < 0) return null;
    const bar = chart.getDatasetMeta(0).data[i];
    const box = chart.canvas.getBoundingClientRect();
    return { x: box.left + bar.x, y: box.top + (bar.y + bar.base) / 2 };
  }, agent);
  assert.ok(at, `no bar for ${agent}`);
  await page.mouse.click(at.x, at.y);
}

async function run() {
  const home = trustingHome(spec.cert);
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'vocd-browser-profile-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: spec.chromium, headless: true, chromiumSandbox: false, args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: home }, viewport: { width: 1280, height: 900 }, locale: 'en-GB', timeout: 60000,
  });
  try {
    const page = context.pages()[0] ?? await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });

    // Without a session or a token: the page says where to sign in, and shows no figures.
    await page.goto(spec.base + '/dashboard?lang=en');
    await page.locator('#message').waitFor({ state: 'visible' });
    assert.match(await page.locator('#message').textContent(), /Sign in first/);
    await page.locator('body[data-ready="yes"]').waitFor(); // every request of that visit answered
    errors.length = 0; // the 401s of that visit were the point

    // As the supervisor (a token in the address's fragment, never sent to the server as part of the URL).
    await page.goto(spec.base + '/dashboard?lang=en&signed=1#token=' + spec.token); // a new document, not a jump
    await page.locator('body[data-ready="yes"]').waitFor({ timeout: 60000 });
    assert.equal(await page.locator('h1').textContent(), 'Customer feedback dashboard');
    assert.equal(await page.locator('#message').isHidden(), true, await page.locator('#message').textContent());
    const trend = await page.evaluate(() => {
      const c = Chart.getChart('trend-chart');
      return { labels: c.data.labels, csat: c.data.datasets[0].data };
    });
    assert.deepEqual(trend.labels.slice(-1), [want.month], 'the trend ends with this month');
    assert.equal(trend.csat.at(-1), want.csat, 'this month\'s CSAT on the trend');
    const labels = await page.evaluate(() => Chart.getChart('breakdown-chart').data.labels);
    assert.deepEqual(labels, want.agents, 'the agents of the breakdown');
    const dims = await page.evaluate(() => {
      const c = Chart.getChart('dimensions-chart');
      return { labels: c.data.labels, means: c.data.datasets[0].data };
    });
    assert.deepEqual(dims, want.dimensions, 'each survey dimension\'s mean, under its name');
    await shot(page, 'overview');

    await clickBar(page, want.drill.agent);
    await page.locator('#drilldown').waitFor({ state: 'visible' });
    const rows = await page.locator('#drilldown-rows tr').count();
    assert.equal(rows, want.drill.rows, 'evaluations behind the bar');
    const texts = await page.locator('#drilldown-rows td:nth-child(4)').allTextContents();
    assert.ok(texts.includes(want.hostile), 'the hostile text shown as text: ' + JSON.stringify(texts));
    await inert(page, 'dashboard');
    assert.ok((await page.locator('#ticket-rows tr').count()) >= 5, 'the tickets table');
    assert.match(await page.locator('#sentiment').textContent(), /positive \d+ · neutral \d+ · negative \d+/);
    const keywords = await page.locator('#topic-rows td:first-child').allTextContents();
    assert.ok(keywords.includes(want.keyword), 'a keyword of the texts: ' + JSON.stringify(keywords));
    assert.deepEqual(await page.locator('#leaderboard-rows td:nth-child(2)').allTextContents(), want.leaderboard);
    await shot(page, 'drilldown');
    assert.deepEqual(errors, [], 'errors in the page');

    // The review wall: the picked answers, their replies, every text inert.
    await page.goto(spec.base + '/wall/' + spec.tenant + '?lang=en');
    assert.equal(await page.locator('article').count(), want.wall.cards);
    const quotes = await page.locator('article blockquote').allTextContents();
    assert.ok(quotes.includes(want.hostile), 'the hostile text on the wall, as text');
    assert.ok((await page.locator('.reply').allTextContents()).some((r) => r.includes(want.wall.reply)));
    await inert(page, 'wall');
    await shot(page, 'wall');
  } finally {
    await context.close();
  }
  console.log(JSON.stringify({ screenshots: shots }));
}

run().catch((e) => {
  console.error(e.stack || String(e));
  process.exit(1);
});
