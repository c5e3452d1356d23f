// Screenshot of a zoomed view: node tests/browser/zoom_shot.mjs URL OUT.png LANG ZOOM_STEPS VECTOR_MIN
// (documentation helper: zooms on Niamey with the mouse wheel, picks the speed vectors, selects an aircraft).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');
const [url, out, lang = 'en', steps = '4', vector = '2'] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airpicture-chromium-'));
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1600, height: 950 },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const page = ctx.pages()[0] || await ctx.newPage();
await page.goto(url);
await page.waitForFunction(() => window.airpicture && window.airpicture.picture.count > 0, null, { timeout: 60000 });
await page.click(`#lang-${lang}`);
await page.click(`[data-vector="${vector}"]`);
// Zoom on Niamey (13.5N 2.1E).
const at = await page.evaluate(() => {
  const p = window.airpicture.picture; const r = window.airpicture.renderer;
  let best = 0, bestD = 1e9;
  for (let s = 0; s < p.count; s++) { const d = (p.lat[s] - 13.6) ** 2 + (p.lon[s] - 2.3) ** 2; if (d < bestD) { bestD = d; best = s; } }
  const box = document.getElementById('traffic').getBoundingClientRect();
  return { x: box.left + r.px[best], y: box.top + r.py[best] };
});
await page.mouse.move(at.x, at.y);
for (let i = 0; i < Number(steps); i++) { await page.mouse.wheel(0, -100); await page.waitForTimeout(150); }
await page.waitForTimeout(9000);
const target = await page.evaluate(() => {
  const p = window.airpicture.picture; const r = window.airpicture.renderer;
  const box = document.getElementById('traffic').getBoundingClientRect();
  for (let s = 0; s < p.count; s++) if (r.shown[s] && p.callsign[s] && r.px[s] > 200 && r.px[s] < box.width - 200 && r.py[s] > 150 && r.py[s] < box.height - 150) return { x: box.left + r.px[s], y: box.top + r.py[s] };
  return null;
});
if (target) { await page.mouse.click(target.x, target.y); await page.waitForTimeout(2500); }
await page.screenshot({ path: out });
await ctx.close();
fs.rmSync(dir, { recursive: true, force: true });
