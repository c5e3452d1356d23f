// Drives the display in Debian's headless Chromium through playwright-core and prints one JSON report.
// Usage: node tests/browser/drive.mjs URL '{"screenshot": "out.png", "alertTimeoutMs": 20000, ...}'
// Every check the pytest side asserts is measured here in the real page: console errors, requests that leave
// the machine, aircraft that appear and move, the details of a clicked aircraft, the alert list, the language switch,
// and the main-thread time per update from the Performance API.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');

const url = process.argv[2];
const opts = JSON.parse(process.argv[3] || '{}');
const report = { consoleErrors: [], pageErrors: [], externalRequests: [], failedRequests: [] };
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airpicture-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: opts.width || 1600, height: opts.height || 950 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const deadline = Date.now() + (opts.totalTimeoutMs || 90000);
const left = () => Math.max(1000, deadline - Date.now());

try {
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') report.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => report.pageErrors.push(e.message));
  page.on('requestfailed', (r) => report.failedRequests.push(`${r.url()} ${r.failure()?.errorText}`));
  page.on('request', (r) => {
    const host = new URL(r.url()).hostname;
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host) && !r.url().startsWith('data:')) report.externalRequests.push(r.url());
  });
  await page.goto(url);
  await page.waitForFunction(() => window.airpicture && window.airpicture.picture.count > 0,
    null, { timeout: Math.min(left(), opts.firstAircraftTimeoutMs || 30000) });
  report.firstAircraftAfterMs = await page.evaluate(() => performance.now());

  // Aircraft appear and move: remember positions, wait for two more frames, compare.
  const snap = () => page.evaluate(() => {
    const p = window.airpicture.picture; const out = {};
    for (let s = 0; s < p.count; s++) out[p.id[s]] = [p.lat[s], p.lon[s]];
    return { frames: window.airpicture.stats.frames, positions: out, count: p.count };
  });
  const before = await snap();
  await page.waitForFunction((f) => window.airpicture.stats.frames >= f + 2, before.frames,
    { timeout: Math.min(left(), opts.moveTimeoutMs || 30000) });
  const after = await snap();
  let common = 0; let moved = 0;
  for (const [id, [lat, lon]] of Object.entries(after.positions)) {
    const b = before.positions[id];
    if (!b) continue;
    common++;
    if (Math.abs(b[0] - lat) > 1e-6 || Math.abs(b[1] - lon) > 1e-6) moved++;
  }
  report.aircraft = { before: before.count, after: after.count, common, moved };

  // The page's picture against the server's (REST): same tracks, same identities, positions within one update.
  report.agreement = await page.evaluate(async () => {
    const rows = await (await fetch('/api/tracks')).json();
    const p = window.airpicture.picture;
    let missing = 0, identity = 0, worstDeg = 0;
    for (const r of rows) {
      const s = p.slotOf.get(r.track_id);
      if (s === undefined) { missing++; continue; }
      if ((r.callsign || '') !== p.callsign[s] || (r.icao24 || '') !== p.icao[s] || (r.squawk || '') !== p.squawk[s]) identity++;
      worstDeg = Math.max(worstDeg, Math.abs(r.lat_deg - p.lat[s]), Math.abs(r.lon_deg - p.lon[s]));
    }
    return { server: rows.length, page: p.count, missing, identity, worstDeg };
  });
  report.visible = await page.evaluate(() => window.airpicture.stats.visible);

  // Language: French by default for Niger; switch to English and back.
  if (opts.language !== false) {
    const heading = () => page.locator('[data-i18n="alert_list"]').first().textContent();
    report.language = { initial: await page.evaluate(() => document.documentElement.lang), alertHeadingInitial: await heading() };
    await page.click('#lang-en');
    report.language.afterEn = await page.evaluate(() => document.documentElement.lang);
    report.language.alertHeadingEn = await heading();
    report.language.searchPlaceholderEn = await page.getAttribute('#search', 'placeholder');
    await page.click('#lang-fr');
    report.language.alertHeadingFr = await heading();
  }

  // Alerts: wait for one (of the wanted kind) to reach the list.
  if (opts.alertKind) {
    try {
      await page.waitForFunction((kind) => window.airpicture.alerts().some((a) => a.kind === kind),
        opts.alertKind, { timeout: Math.min(left(), opts.alertTimeoutMs || 30000) });
      report.alerts = await page.evaluate(() => window.airpicture.alerts());
      report.alertListText = await page.locator('#alerts').innerText();
    } catch (e) {
      report.alerts = await page.evaluate(() => window.airpicture.alerts());
      report.alertError = String(e.message || e).split('\n')[0];
    }
  }

  // Select an aircraft by clicking its symbol on the map.
  if (opts.select !== false) {
    const target = await page.evaluate((wantEmergency) => {
      const p = window.airpicture.picture; const r = window.airpicture.renderer;
      const canvas = document.getElementById('traffic').getBoundingClientRect();
      let best = -1;
      for (let s = 0; s < p.count; s++) {
        if (!r.shown[s]) continue;
        if (r.px[s] < 40 || r.py[s] < 40 || r.px[s] > canvas.width - 40 || r.py[s] > canvas.height - 40) continue;
        if (best < 0 || (wantEmergency && p.squawk[s] === '7700') || (!wantEmergency && p.callsign[s] && !p.callsign[best])) best = s;
        if (wantEmergency && p.squawk[s] === '7700') break;
      }
      if (best < 0) return null;
      return { id: p.id[best], x: canvas.left + r.px[best], y: canvas.top + r.py[best], callsign: p.callsign[best], icao: p.icao[best] };
    }, Boolean(opts.selectEmergency));
    report.selectTarget = target;
    if (target) {
      await page.mouse.click(target.x, target.y);
      await page.waitForFunction(() => document.querySelector('#details table'), null, { timeout: Math.min(left(), 10000) });
      await page.waitForFunction(() => /\d\d:\d\d:\d\d/.test(document.querySelector('#details').innerText), null,
        { timeout: Math.min(left(), 10000) }).catch(() => {});
      report.detailsText = await page.locator('#details').innerText();
    }
  }

  // Filters: search by callsign, then a flight-level band; the shown count follows.
  if (opts.filters) {
    const shown = () => page.evaluate(() => window.airpicture.stats.visible);
    const f = { all: await shown() };
    await page.fill('#search', opts.filters.search);
    await page.waitForTimeout(400);
    f.search = await shown();
    await page.fill('#search', '');
    await page.fill('#fl-min', String(opts.filters.flMin));
    await page.fill('#fl-max', String(opts.filters.flMax));
    await page.waitForTimeout(400);
    f.band = await shown();
    f.bandAltitudes = await page.evaluate(() => {
      const p = window.airpicture.picture; const r = window.airpicture.renderer; const out = [];
      for (let s = 0; s < p.count; s++) if (r.shown[s]) out.push(p.altFt(s));
      return out;
    });
    await page.fill('#fl-min', '0');
    await page.fill('#fl-max', '600');
    await page.click('[data-class="primary"]');
    await page.waitForTimeout(400);
    f.noPrimary = await shown();
    await page.click('[data-class="primary"]');
    report.filters = f;
  }

  // Acknowledge the first alert through the dialog with the operator token.
  if (opts.ackToken) {
    await page.waitForSelector('#alerts li button:not([disabled])', { timeout: Math.min(left(), 20000) });
    await page.click('#alerts li button');
    await page.fill('#ack-operator', 'amadou');
    await page.fill('#ack-token', 'wrong');
    await page.click('#ack-submit');
    await page.waitForFunction(() => document.getElementById('ack-error').textContent.length > 0, null, { timeout: 10000 });
    report.ackWrongTokenError = await page.locator('#ack-error').textContent();
    await page.fill('#ack-token', opts.ackToken);
    await page.click('#ack-submit');
    await page.waitForFunction(() => window.airpicture.alerts().some((a) => a.state === 'acknowledged'), null,
      { timeout: Math.min(left(), 15000) });
    report.ackedAlerts = await page.evaluate(() => window.airpicture.alerts());
    report.alertListAfterAck = await page.locator('#alerts').innerText();
  }
  report.clock = await page.locator('#clock').textContent();

  if (opts.perfFrames) {
    await page.waitForFunction((n) => window.airpicture.stats.updateMs.length >= n, opts.perfFrames,
      { timeout: Math.min(left(), 120000) });
  }
  report.perf = await page.evaluate(() => {
    const all = performance.getEntriesByName('airpicture-update').map((e) => e.duration);
    const sorted = [...all].sort((a, b) => a - b);
    const q = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null);
    const s = window.airpicture.stats;
    return { updates: all.length, p50: q(0.5), p95: q(0.95), max: sorted.length ? sorted[sorted.length - 1] : null,
      framesBytes: s.bytes, frames: s.frames, labels: s.labels, count: window.airpicture.picture.count };
  });
  if (opts.screenshot) await page.screenshot({ path: opts.screenshot });
  if (opts.screenshotEn) {
    await page.click('#lang-en');
    await page.waitForTimeout(300);
    await page.screenshot({ path: opts.screenshotEn });
  }
} catch (e) {
  report.error = String(e && e.message ? e.message : e).split('\n')[0];
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
