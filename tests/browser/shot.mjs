// Screenshot helper: node tests/browser/shot.mjs URL OUT.png [waitMs] [width] [height]
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'web', 'package.json'));
const { chromium } = require('playwright-core');
const [url, out, waitMs = '4000', width = '1600', height = '950'] = process.argv.slice(2);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airpicture-chromium-'));
const ctx = await chromium.launchPersistentContext(dir, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  viewport: { width: Number(width), height: Number(height) },
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
    '--disable-sync', '--no-first-run'],
});
const page = ctx.pages()[0] || await ctx.newPage();
page.on('console', (m) => { if (m.type() === 'error') console.log('console error:', m.text()); });
page.on('pageerror', (e) => console.log('page error:', e.message));
await page.goto(url);
await page.waitForTimeout(Number(waitMs));
await page.screenshot({ path: out });
console.log(JSON.stringify(await page.evaluate(() => window.airpicture && { ...window.airpicture.stats, updateMs: window.airpicture.stats.updateMs.slice(-5) })));
await ctx.close();
fs.rmSync(dir, { recursive: true, force: true });
