// Drawing: a base map canvas (redrawn only when the view changes) and a traffic canvas (redrawn on every update).
// Plain Canvas 2D, batched: one path per colour class for symbols, vectors and history dots, so 10,000 aircraft
// cost a handful of fill/stroke calls; labels are decluttered on an occupancy grid. See docs/display.md for why
// this beats a WebGL map library here.

import { HISTORY } from './picture.js';

const DEG = Math.PI / 180;
const NM_M = 1852;
const M_PER_DEG_LAT = 111320;

export const COLOURS = {
  coop: '#8fe3b0', primary: '#c7a6ff', emergency: '#ff4f4f', alert: '#ffb347',
  label: '#d5e2ee', labelDim: '#93a6b8', selected: '#ffffff', leader: 'rgba(160,180,200,0.45)',
};
export const CLASS_NAMES = ['coop', 'primary', 'emergency', 'alert'];
const HISTORY_COLOURS = ['rgba(143,227,176,0.55)', 'rgba(199,166,255,0.55)', 'rgba(255,79,79,0.6)', 'rgba(255,179,71,0.6)'];

export class View {
  constructor(centreLat, centreLon, pxPerDeg) {
    this.lat = centreLat; this.lon = centreLon; this.k = pxPerDeg;
    this.refCos = Math.cos(centreLat * DEG); // fixed, so panning never changes the map's shape
    this.width = 1; this.height = 1;
  }
  x(lon) { return this.width / 2 + (lon - this.lon) * this.k * this.refCos; }
  y(lat) { return this.height / 2 - (lat - this.lat) * this.k; }
  lonAt(x) { return this.lon + (x - this.width / 2) / (this.k * this.refCos); }
  latAt(y) { return this.lat - (y - this.height / 2) / this.k; }
  fit([west, south, east, north]) {
    this.lat = (south + north) / 2; this.lon = (west + east) / 2;
    this.k = Math.min(this.height / (north - south), this.width / ((east - west) * this.refCos)) * 0.92;
  }
  zoomAt(factor, x, y) {
    const lat = this.latAt(y), lon = this.lonAt(x);
    this.k = Math.min(Math.max(this.k * factor, 8), 4000);
    this.lat = lat + (y - this.height / 2) / this.k;
    this.lon = lon - (x - this.width / 2) / (this.k * this.refCos);
  }
  pan(dx, dy) { this.lon -= dx / (this.k * this.refCos); this.lat += dy / this.k; }
  nmPerPx() { return M_PER_DEG_LAT / NM_M / this.k; }
}

export function sizeCanvas(canvas, view) {
  const dpr = window.devicePixelRatio || 1;
  const w = canvas.clientWidth, h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * dpr) || canvas.height !== Math.round(h * dpr)) {
    canvas.width = Math.round(w * dpr); canvas.height = Math.round(h * dpr);
  }
  view.width = w; view.height = h;
  const ctx = canvas.getContext('2d');
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  return ctx;
}

function tracePolygon(ctx, view, rings) {
  for (const ring of rings) {
    for (let i = 0; i < ring.length; i++) {
      const x = view.x(ring[i][0]), y = view.y(ring[i][1]);
      if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
    }
    ctx.closePath();
  }
}

function traceGeometry(ctx, view, geometry) {
  if (!geometry) return;
  if (geometry.type === 'Polygon') tracePolygon(ctx, view, geometry.coordinates);
  else if (geometry.type === 'MultiPolygon') for (const p of geometry.coordinates) tracePolygon(ctx, view, p);
  else if (geometry.type === 'LineString') tracePolygon(ctx, view, [geometry.coordinates]);
}

function featureCentre(feature) {
  let sx = 0, sy = 0, n = 0;
  const visit = (c) => { if (typeof c[0] === 'number') { sx += c[0]; sy += c[1]; n++; } else c.forEach(visit); };
  visit(feature.geometry.coordinates);
  return n ? [sx / n, sy / n] : [0, 0];
}

export function drawBase(ctx, view, layers, countries) {
  const { width: w, height: h } = view;
  ctx.fillStyle = '#0a1017';
  ctx.fillRect(0, 0, w, h);
  // Graticule every 2 degrees (every degree when zoomed in).
  const step = view.k > 180 ? 1 : 2;
  ctx.strokeStyle = '#121c27'; ctx.lineWidth = 1; ctx.beginPath();
  for (let lon = Math.floor(view.lonAt(0) / step) * step; lon <= view.lonAt(w); lon += step) { ctx.moveTo(view.x(lon), 0); ctx.lineTo(view.x(lon), h); }
  for (let lat = Math.floor(view.latAt(h) / step) * step; lat <= view.latAt(0); lat += step) { ctx.moveTo(0, view.y(lat)); ctx.lineTo(w, view.y(lat)); }
  ctx.stroke();
  ctx.fillStyle = '#2a3847'; ctx.font = '10px "DejaVu Sans Mono", monospace';
  for (let lat = Math.floor(view.latAt(h) / step) * step; lat <= view.latAt(0); lat += step) ctx.fillText(`${lat}°`, 4, view.y(lat) - 3);
  for (let lon = Math.floor(view.lonAt(0) / step) * step; lon <= view.lonAt(w); lon += step) ctx.fillText(`${lon}°`, view.x(lon) + 3, h - 34);
  // Countries (Natural Earth via world-atlas).
  if (countries) {
    ctx.beginPath();
    for (const f of countries.features) if (f.properties.name !== 'Niger') traceGeometry(ctx, view, f.geometry);
    ctx.fillStyle = '#0f1720'; ctx.fill('evenodd');
    ctx.strokeStyle = '#26323f'; ctx.lineWidth = 1; ctx.stroke();
    if (view.k > 40) {
      ctx.fillStyle = '#33414f'; ctx.font = '11px "DejaVu Sans", sans-serif'; ctx.textAlign = 'center';
      for (const f of countries.features) {
        if (f.properties.name === 'Niger') continue;
        const [lon, lat] = featureCentre(f);
        const x = view.x(lon), y = view.y(lat);
        if (x > 0 && x < w && y > 0 && y < h) ctx.fillText(f.properties.name.toUpperCase(), x, y);
      }
      ctx.textAlign = 'left';
    }
  }
  // Niger.
  ctx.beginPath();
  for (const f of layers.border?.features || []) traceGeometry(ctx, view, f.geometry);
  ctx.fillStyle = '#132030'; ctx.fill('evenodd');
  ctx.strokeStyle = '#5d7a96'; ctx.lineWidth = 1.6; ctx.stroke();
  // FIR.
  ctx.beginPath();
  for (const f of layers.fir?.features || []) traceGeometry(ctx, view, f.geometry);
  ctx.setLineDash([8, 5]); ctx.strokeStyle = '#3b87b3'; ctx.lineWidth = 1.4; ctx.stroke(); ctx.setLineDash([]);
  for (const f of layers.fir?.features || []) {
    const c = f.geometry.coordinates; const first = f.geometry.type === 'MultiPolygon' ? c[0][0] : c[0];
    let top = first[0]; for (const p of first) if (p[1] > top[1]) top = p;
    ctx.fillStyle = '#3b87b3'; ctx.font = '11px "DejaVu Sans Mono", monospace';
    ctx.fillText(f.properties.name || 'FIR', view.x(top[0]) + 6, view.y(top[1]) + 14);
  }
  // Zones: prohibited red, danger orange, restricted amber, terminal areas blue; names when zoomed in.
  for (const f of layers.zones?.features || []) {
    ctx.beginPath(); traceGeometry(ctx, view, f.geometry);
    const kind = (f.properties.kind || f.properties.type || '').toString().toLowerCase();
    const colour = kind.startsWith('p') ? '#ff6b6b' : kind.startsWith('d') ? '#ff9f43'
      : kind.startsWith('r') ? '#d9b44a' : '#4f8fb8';
    ctx.fillStyle = colour + '12'; ctx.fill();
    ctx.setLineDash([4, 3]); ctx.strokeStyle = colour + '99'; ctx.lineWidth = 1.1; ctx.stroke(); ctx.setLineDash([]);
    if (view.k > 110) {
      const [lon, lat] = featureCentre(f);
      ctx.fillStyle = colour + 'bb'; ctx.font = '10px "DejaVu Sans Mono", monospace';
      const name = String(f.properties.name || f.properties.id || '').replace('ILLUSTRATIVE ', '').replace(' ILLUSTRATIVE (not a real area)', '');
      const limits = f.properties.ceiling_ft != null ? ` ${f.properties.floor_ft ?? ''}–${f.properties.ceiling_ft}` : '';
      ctx.fillText(name + limits, view.x(lon) - 20, view.y(lat));
    }
  }
  // Radar range rings, every 50 NM.
  ctx.font = '10px "DejaVu Sans Mono", monospace';
  for (const s of layers.sensors || []) {
    const x = view.x(s.lon_deg), y = view.y(s.lat_deg);
    if (s.range_max_m) {
      ctx.strokeStyle = 'rgba(95,179,217,0.16)'; ctx.lineWidth = 1;
      for (let r = 50; r * NM_M <= s.range_max_m + 1; r += 50) {
        const rp = (r * NM_M / M_PER_DEG_LAT) * view.k;
        ctx.beginPath(); ctx.arc(x, y, rp, 0, 2 * Math.PI); ctx.stroke();
        if (rp > 40) { ctx.fillStyle = 'rgba(95,179,217,0.35)'; ctx.fillText(`${r}`, x + 2, y - rp - 2); }
      }
    }
    ctx.fillStyle = s.range_max_m ? '#5fb3d9' : '#4e7f99';
    ctx.beginPath(); ctx.moveTo(x, y - 5); ctx.lineTo(x + 4.5, y + 3); ctx.lineTo(x - 4.5, y + 3); ctx.closePath(); ctx.fill();
    if (view.k > 90) ctx.fillText(s.id, x + 6, y + 10);
  }
  // Aerodromes.
  ctx.strokeStyle = '#7d8fa3'; ctx.fillStyle = '#7d8fa3'; ctx.lineWidth = 1;
  for (const a of layers.aerodromes || []) {
    const x = view.x(a.lon_deg), y = view.y(a.lat_deg);
    if (x < -10 || x > w + 10 || y < -10 || y > h + 10) continue;
    ctx.beginPath(); ctx.arc(x, y, 3, 0, 2 * Math.PI); ctx.moveTo(x - 5, y); ctx.lineTo(x + 5, y); ctx.stroke();
    if (view.k > 70) ctx.fillText(a.icao, x + 6, y - 4);
  }
}

// Symbol: a chevron pointing along the track (nose at +10 px), 4 vertices.
const SHAPE = [[0, -8], [5.5, 6], [0, 3], [-5.5, 6]];

export class TrafficRenderer {
  constructor(gl = null) {
    this.gl = gl;
    this.px = new Float32Array(0); this.py = new Float32Array(0); this.cls = new Uint8Array(0); this.shown = new Uint8Array(0);
    this.charW = 6.6; this.gridCell = 8;
  }

  ensure(n) {
    if (this.px.length < n) {
      const c = Math.max(n, this.px.length * 2, 1024);
      this.px = new Float32Array(c); this.py = new Float32Array(c); this.cls = new Uint8Array(c); this.shown = new Uint8Array(c);
    }
  }

  // opts: {vectorMin, labels, history, selectedId, alertIds:Set, match(slot)->bool, classOn:[4 bools]}
  draw(ctx, view, pic, opts) {
    const tStart = performance.now();
    const { width: w, height: h } = view;
    ctx.clearRect(0, 0, w, h);
    const n = pic.count;
    this.ensure(n);
    const { px, py, cls, shown } = this;
    const k = view.k, kc = view.k * view.refCos, cx = w / 2, cy = h / 2, lat0 = view.lat, lon0 = view.lon;
    let visible = 0;
    // Pass 1: class, filter, projection.
    for (let s = 0; s < n; s++) {
      const sq = pic.squawk[s];
      const id = pic.id[s];
      const c = (sq === '7500' || sq === '7600' || sq === '7700' || pic.emergencyIds.has(id)) ? 2
        : pic.alertIds.has(id) ? 3 : (pic.flags[s] & 12) === 0 ? 1 : 0;
      cls[s] = c;
      const x = cx + (pic.lon[s] - lon0) * kc, y = cy - (pic.lat[s] - lat0) * k;
      px[s] = x; py[s] = y;
      const on = opts.classOn[c] && opts.match(s) && x > -60 && x < w + 60 && y > -60 && y < h + 60;
      shown[s] = on ? 1 : 0;
      if (on) visible++;
    }
    const tPass = performance.now();
    if (this.gl) {
      this.gl.draw(view, pic, px, py, cls, shown, opts);
    } else {
      this.drawCanvas(ctx, view, pic, opts);
    }
    // Selected track: a ring.
    const sel = opts.selectedId == null ? undefined : pic.slotOf.get(opts.selectedId);
    if (sel !== undefined) {
      ctx.beginPath(); ctx.arc(px[sel], py[sel], 13, 0, 2 * Math.PI);
      ctx.strokeStyle = COLOURS.selected; ctx.lineWidth = 1.5; ctx.stroke();
    }
    const tSymbols = performance.now();
    if (opts.labels) this.drawLabels(ctx, view, pic, sel);
    else this.labelCount = 0;
    this.timings = { projectMs: tPass - tStart, symbolsMs: tSymbols - tPass, labelsMs: performance.now() - tSymbols };
    return visible;
  }

  // Fallback when WebGL2 is missing: the same picture in Canvas 2D (correct, but slow beyond a few thousand aircraft).
  drawCanvas(ctx, view, pic, opts) {
    const { px, py, cls, shown } = this;
    const n = pic.count;
    const k = view.k, kc = view.k * view.refCos, cx = view.width / 2, cy = view.height / 2, lat0 = view.lat, lon0 = view.lon;
    // History dots.
    if (opts.history) {
      for (let c = 0; c < 4; c++) {
        ctx.beginPath();
        for (let s = 0; s < n; s++) {
          if (!shown[s] || cls[s] !== c) continue;
          const m = pic.histN[s], base = s * HISTORY;
          for (let j = 0; j < m; j++) {
            const x = cx + (pic.histLon[base + j] - lon0) * kc, y = cy - (pic.histLat[base + j] - lat0) * k;
            ctx.rect(x - 1, y - 1, 2, 2);
          }
        }
        ctx.fillStyle = HISTORY_COLOURS[c]; ctx.fill();
      }
    }
    // Speed vectors: where the aircraft will be in vectorMin minutes at its ground speed and track.
    if (opts.vectorMin > 0) {
      const metres = 0.514444 * 60 * opts.vectorMin / 10; // per 0.1 kt unit
      for (let c = 0; c < 4; c++) {
        ctx.beginPath();
        for (let s = 0; s < n; s++) {
          if (!shown[s] || cls[s] !== c || pic.gs[s] === 65535 || pic.trk[s] === 65535) continue;
          const d = pic.gs[s] * metres / M_PER_DEG_LAT, a = pic.trk[s] / 100 * DEG;
          const x = px[s], y = py[s];
          ctx.moveTo(x, y);
          ctx.lineTo(x + d * Math.sin(a) * k, y - d * Math.cos(a) * k);
        }
        ctx.strokeStyle = COLOURS[CLASS_NAMES[c]]; ctx.lineWidth = 1; ctx.stroke();
      }
    }
    // Symbols: filled when updated by sensors, hollow when coasting (extrapolated).
    for (let c = 0; c < 4; c++) {
      for (const hollow of [false, true]) {
        ctx.beginPath();
        let any = false;
        for (let s = 0; s < n; s++) {
          if (!shown[s] || cls[s] !== c || ((pic.flags[s] & 3) === 2) !== hollow) continue;
          any = true;
          const a = (pic.trk[s] === 65535 ? 0 : pic.trk[s] / 100) * DEG, sn = Math.sin(a), cs = Math.cos(a);
          const x = px[s], y = py[s];
          for (let v = 0; v < 4; v++) {
            const vx = SHAPE[v][0], vy = SHAPE[v][1];
            const X = x + vx * cs - vy * sn, Y = y + vx * sn + vy * cs;
            if (v === 0) ctx.moveTo(X, Y); else ctx.lineTo(X, Y);
          }
          ctx.closePath();
        }
        if (!any) continue;
        if (hollow) { ctx.strokeStyle = COLOURS[CLASS_NAMES[c]]; ctx.lineWidth = 1.2; ctx.stroke(); }
        else { ctx.fillStyle = COLOURS[CLASS_NAMES[c]]; ctx.fill(); }
      }
    }
  }

  drawLabels(ctx, view, pic, sel) {
    const { width: w, height: h } = view;
    const { px, py, cls, shown } = this;
    const cell = this.gridCell, gw = Math.ceil(w / cell) + 1, gh = Math.ceil(h / cell) + 1;
    const grid = new Uint8Array(gw * gh);
    const lineH = 12, cw = this.charW;
    const free = (x0, y0, x1, y1) => {
      if (x0 < 0 || y0 < 0 || x1 >= w || y1 >= h) return false;
      const a = (x0 / cell) | 0, b = (y0 / cell) | 0, c = (x1 / cell) | 0, d = (y1 / cell) | 0;
      for (let j = b; j <= d; j++) for (let i = a; i <= c; i++) if (grid[j * gw + i]) return false;
      return true;
    };
    const take = (x0, y0, x1, y1) => {
      const a = Math.max(0, (x0 / cell) | 0), b = Math.max(0, (y0 / cell) | 0), c = Math.min(gw - 1, (x1 / cell) | 0), d = Math.min(gh - 1, (y1 / cell) | 0);
      for (let j = b; j <= d; j++) for (let i = a; i <= c; i++) grid[j * gw + i] = 1;
    };
    // Symbols occupy their own cells so labels do not hide aircraft.
    const n = pic.count;
    for (let s = 0; s < n; s++) if (shown[s]) take(px[s] - 4, py[s] - 4, px[s] + 4, py[s] + 4);
    // Priority: selected, emergencies, alerts, then the rest.
    const order = [];
    if (sel !== undefined && shown[sel]) order.push(sel);
    for (const want of [2, 3]) for (let s = 0; s < n; s++) if (shown[s] && cls[s] === want && s !== sel) order.push(s);
    const rest = [];
    for (let s = 0; s < n; s++) if (shown[s] && cls[s] < 2 && s !== sel) rest.push(s);
    ctx.font = '11px "DejaVu Sans Mono", monospace';
    ctx.textBaseline = 'top';
    const leaders = new Path2D();
    const texts = [];
    const place = (s, force) => {
      // Size first (cheap), strings only for a label that gets a place: most of 10,000 aircraft never do.
      const nameLen = pic.callsign[s].length || (pic.icao[s] ? 6 : String(pic.id[s]).length + 1);
      const nLines = cls[s] === 2 ? 3 : 2;
      const lw = Math.max(nameLen, 7) * cw + 4, lh = nLines * lineH + 2;
      const x = px[s], y = py[s];
      // A free spot if there is one; the selected aircraft, emergencies and alerts get a label regardless.
      let chosen = -1;
      for (let spot = 0; spot < 4 && chosen < 0; spot++) {
        const dx = spot < 2 ? 12 : -lw - 12, dy = spot % 2 === 0 ? -lh - 6 : 6;
        if (free(x + dx, y + dy, x + dx + lw, y + dy + lh)) chosen = spot;
      }
      if (chosen < 0 && !force) return;
      const spot = Math.max(chosen, 0);
      const dx = spot < 2 ? 12 : -lw - 12, dy = spot % 2 === 0 ? -lh - 6 : 6;
      const x0 = x + dx, y0 = y + dy;
      take(x0, y0, x0 + lw, y0 + lh);
      const alt = pic.alt[s], vr = pic.vr[s];
      const fl = alt === -32768 ? '---' : String(Math.max(0, Math.round(alt / 10))).padStart(3, '0');
      const trend = vr === -128 || Math.abs(vr) < 5 ? ' ' : vr > 0 ? '↑' : '↓'; // 5 × 64 ft/min
      const gs = pic.gs[s] === 65535 ? '' : String(Math.round(pic.gs[s] / 10));
      const lines = [pic.name(s), `${fl}${trend}${gs}`];
      if (nLines === 3) lines.push(pic.squawk[s]);
      const ax = dx > 0 ? x0 : x0 + lw, ay = dy > 0 ? y0 : y0 + lh;
      leaders.moveTo(x + Math.sign(dx) * 6, y + Math.sign(dy) * 5); leaders.lineTo(ax, ay);
      texts.push([s, x0 + 2, y0 + 1, lines]);
    };
    for (const s of order) place(s, true);
    for (const s of rest) place(s, false);
    ctx.strokeStyle = COLOURS.leader; ctx.lineWidth = 1; ctx.stroke(leaders);
    // A dark halo keeps labels readable over the map's own lines and names.
    ctx.strokeStyle = 'rgba(10,16,23,0.85)'; ctx.lineWidth = 3; ctx.lineJoin = 'round';
    for (const [, x, y, lines] of texts) for (let i = 0; i < lines.length; i++) ctx.strokeText(lines[i], x, y + i * lineH);
    for (const [s, x, y, lines] of texts) {
      const c = cls[s];
      ctx.fillStyle = c >= 2 ? COLOURS[CLASS_NAMES[c]] : (pic.flags[s] & 3) === 2 ? COLOURS.labelDim : COLOURS.label;
      for (let i = 0; i < lines.length; i++) ctx.fillText(lines[i], x, y + i * lineH);
    }
    ctx.textBaseline = 'alphabetic';
    this.labelCount = texts.length;
  }

  // Nearest shown aircraft within radius px of (x, y), as a slot, or -1.
  hit(x, y, count, radius = 12) {
    let best = -1, bestD = radius * radius;
    for (let s = 0; s < count; s++) {
      if (!this.shown[s]) continue;
      const dx = this.px[s] - x, dy = this.py[s] - y, d = dx * dx + dy * dy;
      if (d < bestD) { bestD = d; best = s; }
    }
    return best;
  }
}
