// Drives the replay timeline in Debian's headless Chromium (playwright-core) and prints one JSON report.
// Usage: node tests/browser/replay.mjs URL '{"screenshots": "DIR", "minRangeS": 60}'
// What an operator does: wait for the timeline, click the slider early in the recording, check the past picture and
// the banner, play at ×10, switch the language, go back to live. Every figure the pytest side asserts is read here.
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
const report = { consoleErrors: [], pageErrors: [], externalRequests: [] };
const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'airpicture-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  viewport: { width: 1600, height: 950 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});

// Positions of the drawn picture and of the live one, with the mode the page says it is in.
const state = (page) => page.evaluate(() => {
  const a = window.airpicture;
  const positions = (p) => { const out = {}; for (let s = 0; s < p.count; s++) out[p.id[s]] = [p.lat[s], p.lon[s]]; return out; };
  const visible = (id) => { const el = document.getElementById(id); return Boolean(el && !el.hidden && el.offsetParent !== null); };
  return {
    replaying: a.replaying, drawnTime: a.picture.time, liveTime: a.live.time, frames: a.stats.frames,
    drawn: positions(a.picture), live: positions(a.live), count: a.picture.count,
    range: a.timeline.range, time: a.timeline.time, snapshots: a.timeline.stats.snapshots,
    lastSnapshotMs: a.timeline.stats.lastSnapshotMs, timelineErrors: a.timeline.stats.errors,
    timelineVisible: visible('timeline'), bannerVisible: visible('replay-banner'),
    bannerText: document.getElementById('replay-banner').innerText, modeText: document.getElementById('tl-mode').innerText,
    liveButton: document.getElementById('tl-live').innerText, liveButtonDisabled: document.getElementById('tl-live').disabled,
    shown: document.getElementById('count-shown').textContent,
  };
});
const differing = (a, b) => {
  let common = 0; let moved = 0;
  for (const [id, [lat, lon]] of Object.entries(a)) {
    const other = b[id];
    if (!other) continue;
    common++;
    if (Math.abs(other[0] - lat) + Math.abs(other[1] - lon) > 1e-3) moved++;
  }
  return { common, moved };
};

try {
  const page = context.pages()[0] || await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') report.consoleErrors.push(m.text()); });
  page.on('pageerror', (e) => report.pageErrors.push(e.message));
  page.on('request', (r) => {
    const host = new URL(r.url()).hostname;
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host) && !r.url().startsWith('data:')) report.externalRequests.push(r.url());
  });
  await page.goto(url);
  await page.waitForFunction((minRange) => {
    const a = window.airpicture;
    return a && a.live.count > 0 && a.timeline.range && a.timeline.range[1] - a.timeline.range[0] >= minRange;
  }, opts.minRangeS || 60, { timeout: opts.timeoutMs || 60000 });
  report.live = await state(page);
  if (opts.screenshots) await page.screenshot({ path: `${opts.screenshots}/timeline_live.png` });

  // Click the slider a tenth of the way in: the picture of a minute or more ago.
  const box = await page.locator('#tl-slider').boundingBox();
  await page.mouse.click(box.x + box.width * 0.1, box.y + box.height / 2);
  await page.waitForFunction(() => window.airpicture.replaying && window.airpicture.timeline.stats.snapshots >= 1,
    null, { timeout: 15000 });
  await page.waitForTimeout(300);
  const framesAtScrub = (await state(page)).frames;
  // The stream goes on (two more live frames) but the map stays on the past.
  await page.waitForFunction((f) => window.airpicture.stats.frames >= f + 2, framesAtScrub, { timeout: 30000 });
  report.replay = await state(page);
  report.replay.framesWhileReplaying = report.replay.frames - framesAtScrub;
  report.replay.versusLive = differing(report.replay.drawn, report.replay.live);
  if (opts.screenshots) await page.screenshot({ path: `${opts.screenshots}/timeline_replay.png` });

  // Play at ×10 for about three seconds.
  await page.click('[data-speed="10"]');
  await page.click('#tl-play');
  const timeBefore = report.replay.time;
  await page.waitForTimeout(3200);
  await page.click('#tl-play');
  report.played = await state(page);
  report.played.advancedS = report.played.time - timeBefore;

  // English, then back to French.
  await page.click('#lang-en');
  report.english = await state(page);
  await page.click('#lang-fr');

  await page.click('#back-live');
  const framesAtLive = (await state(page)).frames;
  await page.waitForFunction((f) => window.airpicture.stats.frames >= f + 1, framesAtLive, { timeout: 30000 });
  report.back = await state(page);
  report.back.versusLive = differing(report.back.drawn, report.back.live);
  if (opts.screenshots) await page.screenshot({ path: `${opts.screenshots}/timeline_back_live.png` });
  for (const key of ['live', 'replay', 'played', 'english', 'back']) { delete report[key].drawn; delete report[key].live; }
} catch (error) {
  report.error = String(error && error.stack || error);
} finally {
  await context.close();
  fs.rmSync(userDataDir, { recursive: true, force: true });
}
console.log(JSON.stringify(report));
