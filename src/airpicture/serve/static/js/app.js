// The operators' display: connects to the picture stream, keeps the picture, draws it, and runs the side panel.
import { decodeFrame, Picture } from './picture.js';
import { Timeline } from './timeline.js';
import { COLOURS, drawBase, sizeCanvas, TrafficRenderer, View } from './render.js';
import { GLTraffic } from './gl.js';
import { language, setLanguage, t } from './i18n.js';

const $ = (id) => document.getElementById(id);
// The live picture always follows the stream; `pic` is the one drawn: the live one, or a past one in replay.
const live = new Picture();
live.alertIds = new Set();
live.emergencyIds = new Set();
let pic = live;
const baseCanvas = $('base');
const trafficCanvas = $('traffic');
const renderer = new TrafficRenderer(GLTraffic.create($('traffic-gl'), COLOURS));
let view = new View(16.5, 3.0, 60);
let config = { layers: {}, extent: [-6, 9.5, 16.5, 24.5] };
let countries = null;
let alerts = [];
let selectedId = null;
let detailsCache = null;
const settings = { vectorMin: 1, labels: true, history: true, classOn: [true, true, true, true] };
const filters = { flMin: 0, flMax: 600, unknownAlt: true, search: '' };

// Measurements the browser tests and the benchmark read (main-thread time per update, Performance API).
const stats = { webgl: Boolean(renderer.gl), frames: 0, bytes: 0, updateMs: [], lastUpdateMs: 0, visible: 0, labels: 0, errors: 0, connected: false };
const timeline = new Timeline((past) => {
  pic = past || live;
  detailsCache = null;
  renderDetails();
  if (!past) fetchDetails();
  scheduleRedraw();
});
window.airpicture = {
  stats, renderer, timeline, live, select: (id) => select(id), alerts: () => alerts,
  get picture() { return pic; }, get replaying() { return pic !== live; },
};

// ------------------------------------------------------------------ drawing
let baseDirty = true;
let trafficDirty = true;
function redraw() {
  if (baseDirty) {
    const ctx = sizeCanvas(baseCanvas, view);
    drawBase(ctx, view, config.layers || {}, countries);
    baseDirty = false;
    $('scale').textContent = `100 px ≈ ${Math.round(100 * view.nmPerPx())} NM`;
  }
  const ctx = sizeCanvas(trafficCanvas, view);
  stats.visible = renderer.draw(ctx, view, pic, {
    vectorMin: settings.vectorMin, labels: settings.labels, history: settings.history, selectedId,
    classOn: settings.classOn, match: matcher(),
  });
  stats.labels = renderer.labelCount || 0;
  trafficDirty = false;
  $('count-tracks').textContent = pic.count;
  $('count-shown').textContent = stats.visible;
}
function scheduleRedraw(base = false) {
  baseDirty ||= base;
  if (!trafficDirty) { trafficDirty = true; requestAnimationFrame(redraw); }
}

function matcher() {
  const q = filters.search.trim().toUpperCase();
  const lo = filters.flMin * 10, hi = filters.flMax * 10; // alt units are 10 ft: FL × 10
  const unknown = filters.unknownAlt;
  return (s) => {
    const a = pic.alt[s];
    if (a === -32768) { if (!unknown) return false; } else if (a < lo || a > hi) return false;
    if (q) {
      return pic.callsign[s].toUpperCase().includes(q) || pic.icao[s].toUpperCase().startsWith(q)
        || pic.squawk[s] === q || String(pic.id[s]) === q;
    }
    return true;
  };
}

// ------------------------------------------------------------------ stream
let socket = null;
let backoffMs = 500;
function connect() {
  const proto = location.protocol === 'https:' ? 'wss' : 'ws';
  socket = new WebSocket(`${proto}://${location.host}/ws`);
  socket.binaryType = 'arraybuffer';
  socket.onopen = () => {
    backoffMs = 500;
    setLink(true);
    // The server may have changed its configuration (e.g. mounted the recording's history) between our first
    // /api/config and this connection, whose 'config' messages we could not have heard: ask again.
    loadConfig().then(() => { baseDirty = true; scheduleRedraw(true); enableTimeline(); });
  };
  socket.onclose = () => { setLink(false); setTimeout(connect, backoffMs); backoffMs = Math.min(backoffMs * 2, 10000); };
  socket.onerror = () => {};
  socket.onmessage = (event) => {
    if (typeof event.data === 'string') { onText(event.data); return; }
    const t0 = performance.now();
    const frame = decodeFrame(event.data);
    live.apply(frame);
    const tApplied = performance.now();
    // In replay the stream keeps the live picture current but the map stays on the past.
    if (pic === live) redraw();
    const t1 = performance.now();
    stats.applyMs = tApplied - t0; stats.drawMs = t1 - tApplied; stats.sections = renderer.timings;
    performance.measure('airpicture-update', { start: t0, end: t1 });
    stats.frames++; stats.bytes += event.data.byteLength; stats.lastUpdateMs = t1 - t0;
    stats.updateMs.push(t1 - t0);
    if (stats.updateMs.length > 600) stats.updateMs.shift();
    if (pic === live && selectedId !== null && !pic.slotOf.has(selectedId)) renderDetails();
  };
}
function setLink(up) {
  stats.connected = up;
  $('link').classList.toggle('up', up); $('link').classList.toggle('down', !up);
  $('link-text').dataset.i18n = up ? 'link_up' : 'link_down';
  $('link-text').textContent = t(up ? 'link_up' : 'link_down');
}
function onText(text) {
  const message = JSON.parse(text);
  if (message.type === 'config') {
    loadConfig().then(() => { baseDirty = true; scheduleRedraw(true); renderAlerts(); enableTimeline(); });
    return;
  }
  if (message.type === 'alerts') {
    alerts = message.alerts || [];
    const open = alerts.filter((a) => a.state !== 'cleared');
    live.alertIds = new Set(open.flatMap((a) => a.track_ids || []));
    // An emergency declared by ADS-B status alone (no 7x00 squawk) is still drawn as an emergency.
    live.emergencyIds = new Set(open.filter((a) => a.kind === 'emergency').flatMap((a) => a.track_ids || []));
    renderAlerts();
    scheduleRedraw();
  }
}

// ------------------------------------------------------------------ alerts
const hhmmss = (epoch) => (epoch ? new Date(epoch * 1000).toISOString().slice(11, 19) : '--:--:--');
function alertWho(a) {
  if (a.callsign) return a.callsign;
  if (a.icao24) return a.icao24.toUpperCase();
  const ids = a.track_ids || [];
  return ids.map((id) => { const s = pic.slotOf.get(id); return s === undefined ? `T${id}` : pic.name(s); }).join(' / ');
}
function renderAlerts() {
  const list = $('alerts');
  list.replaceChildren();
  const active = alerts.filter((a) => a.state !== 'cleared');
  $('count-alerts').textContent = active.length;
  $('no-alerts').hidden = active.length > 0;
  for (const a of active) {
    const li = document.createElement('li');
    li.className = `kind-${a.kind} sev-${a.severity || 'info'} ${a.state === 'acknowledged' ? 'acknowledged' : ''}`;
    li.dataset.alertId = a.alert_id;
    const kind = document.createElement('span'); kind.className = 'kind'; kind.textContent = t(`kind_${a.kind}`);
    const who = document.createElement('span'); who.className = 'who'; who.textContent = alertWho(a);
    const when = document.createElement('span'); when.className = 'when'; when.textContent = hhmmss(a.time_raised_s);
    const head = document.createElement('span'); head.append(kind, ' · ', who);
    li.append(head, when);
    if (a.message || a.volume) {
      const msg = document.createElement('span'); msg.className = 'msg';
      msg.textContent = [a.volume, a.message].filter(Boolean).join(' — ');
      li.append(msg);
    }
    if (a.state === 'acknowledged') {
      const acked = document.createElement('span'); acked.className = 'acked';
      acked.textContent = `${t('state_acknowledged')}${a.acknowledged_by ? ` (${a.acknowledged_by})` : ''}`;
      li.append(acked);
    } else {
      const button = document.createElement('button');
      button.textContent = t('acknowledge');
      button.disabled = !config.acknowledge_enabled;
      button.title = config.acknowledge_enabled ? t('ack_enabled') : t('ack_disabled');
      button.onclick = (e) => { e.stopPropagation(); openAck(a.alert_id); };
      li.append(button);
    }
    li.onclick = () => { if (a.track_ids && a.track_ids.length) select(a.track_ids[0], true); };
    list.append(li);
  }
  $('ack-state').textContent = config.acknowledge_enabled ? '' : t('ack_disabled');
}
let ackAlertId = null;
function openAck(alertId) {
  ackAlertId = alertId;
  $('ack-operator').value = sessionStorage.getItem('airpicture.operator') || '';
  $('ack-token').value = sessionStorage.getItem('airpicture.token') || '';
  $('ack-error').textContent = '';
  $('ack-dialog').showModal();
}
$('ack-submit').addEventListener('click', async (event) => {
  event.preventDefault();
  const operator = $('ack-operator').value.trim(), token = $('ack-token').value;
  if (!operator || !token) { $('ack-error').textContent = `${t('operator')} / ${t('token')}`; return; }
  const response = await fetch(`/api/alerts/${ackAlertId}/acknowledge`, {
    method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify({ operator }),
  });
  if (response.ok) {
    sessionStorage.setItem('airpicture.operator', operator); sessionStorage.setItem('airpicture.token', token);
    $('ack-dialog').close();
  } else {
    const body = await response.json().catch(() => ({}));
    $('ack-error').textContent = `${t('ack_failed')} ${body.error || response.status}`;
  }
});

// ------------------------------------------------------------------ details
function select(id, centre = false) {
  selectedId = id;
  detailsCache = null;
  const s = pic.slotOf.get(id);
  if (centre && s !== undefined) { view.lat = pic.lat[s]; view.lon = pic.lon[s]; baseDirty = true; }
  renderDetails();
  fetchDetails();
  scheduleRedraw(centre);
}
async function fetchDetails() {
  if (selectedId === null || pic !== live) return; // /api/tracks is the live picture: a past track has no live details
  const id = selectedId;
  try {
    const response = await fetch(`/api/tracks/${id}`);
    if (id !== selectedId) return;
    detailsCache = response.ok ? await response.json() : null;
  } catch { detailsCache = null; }
  renderDetails();
}
setInterval(fetchDetails, 2000);

const fmt = (v, digits = 0, unit = '') => (v === null || v === undefined ? '—' : `${Number(v).toFixed(digits)}${unit}`);
function latlon(lat, lon) {
  const f = (v, p, n) => `${Math.abs(v).toFixed(4)}°${v >= 0 ? p : n}`;
  return `${f(lat, 'N', 'S')} ${f(lon, 'E', 'W')}`;
}
function renderDetails() {
  const box = $('details');
  if (selectedId === null) { box.innerHTML = `<p class="muted">${t('select_hint')}</p>`; return; }
  const s = pic.slotOf.get(selectedId);
  if (s === undefined) { box.innerHTML = `<p class="muted">${t('gone')} (${t('track_id')} ${selectedId})</p>`; return; }
  const d = detailsCache && detailsCache.track_id === selectedId ? detailsCache : null;
  const cls = renderer.cls[s];
  const colour = ['var(--coop)', 'var(--primary)', 'var(--emergency)', 'var(--alert)'][cls];
  const badge = t(['class_coop', 'class_primary', 'class_emergency', 'class_alert'][cls]);
  const coop = pic.cooperative(s);
  const alt = pic.altFt(s);
  const rows = [
    ['track_id', pic.id[s]],
    ['callsign', pic.callsign[s] || '—'], ['icao24', pic.icao[s] ? pic.icao[s].toUpperCase() : '—'],
    ['squawk', pic.squawk[s] || '—'], ['flight_plan', pic.fpl[s] || '—'],
    ['cooperative', coop === null ? t('unknown') : t(coop ? 'yes' : 'no')],
  ];
  const kin = [
    ['position', latlon(pic.lat[s], pic.lon[s])],
    ['level', alt === null ? '—' : `FL${String(Math.round(alt / 100)).padStart(3, '0')} (${alt} ft)`],
    ['ground_speed', fmt(pic.gsKt(s), 0, ' kt')], ['track', fmt(pic.trackDeg(s), 0, '°')],
    ['vertical_rate', fmt(pic.vrFpm(s), 0, ' ft/min')],
  ];
  const status = pic.status(s);
  const quality = [
    ['status', status ? t(`status_${status}`) : '—'], ['sigma', fmt(pic.sigmaM(s), 0, ' m')],
    ['age', fmt(pic.ageS(s), 1, ' s')],
  ];
  const table = (list) => `<table>${list.map(([k, v]) => `<tr><th>${t(k)}</th><td>${escapeHtml(String(v))}</td></tr>`).join('')}</table>`;
  let sensors = '';
  const sensorTimes = d ? d.sensor_last_update_s || {} : {};
  const names = (pic.sources[s] || '').split(',').filter(Boolean);
  for (const name of Object.keys(sensorTimes)) if (!names.includes(name)) names.push(name);
  if (names.length) {
    sensors = `<table>${names.map((name) => {
      const when = sensorTimes[name];
      const ago = when ? Math.max(0, pic.time - when) : null;
      const text = when ? `${hhmmss(when)} · ${t('ago')} ${ago.toFixed(0)} ${t('s')}`.replace('  ', ' ') : '—';
      return `<tr><th>${escapeHtml(name)}</th><td>${text}</td></tr>`;
    }).join('')}</table>`;
  }
  box.innerHTML = `<div class="callsign">${escapeHtml(pic.name(s))}<span class="badge" style="color:${colour}">${badge}</span></div>`
    + `<h3>${t('identity')}</h3>${table(rows)}<h3>${t('position')}</h3>${table(kin)}`
    + `<h3>${t('quality')}</h3>${table(quality)}<h3>${t('sources')} — ${t('last_update')}</h3>${sensors || '<p class="muted">—</p>'}`;
}
function escapeHtml(text) {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

// ------------------------------------------------------------------ interaction
let drag = null;
trafficCanvas.addEventListener('mousedown', (e) => { drag = { x: e.offsetX, y: e.offsetY, moved: false }; });
window.addEventListener('mouseup', (e) => {
  if (drag && !drag.moved && e.target === trafficCanvas) {
    const s = renderer.hit(e.offsetX, e.offsetY, pic.count);
    if (s >= 0) select(pic.id[s]); else { selectedId = null; renderDetails(); scheduleRedraw(); }
  }
  drag = null;
});
trafficCanvas.addEventListener('mousemove', (e) => {
  const lat = view.latAt(e.offsetY), lon = view.lonAt(e.offsetX);
  $('cursor-pos').textContent = latlon(lat, lon);
  if (!drag) return;
  const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
  if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
  if (drag.moved) { view.pan(dx, dy); drag.x = e.offsetX; drag.y = e.offsetY; scheduleRedraw(true); }
});
trafficCanvas.addEventListener('wheel', (e) => {
  e.preventDefault();
  view.zoomAt(e.deltaY < 0 ? 1.25 : 0.8, e.offsetX, e.offsetY);
  scheduleRedraw(true);
}, { passive: false });
window.addEventListener('resize', () => scheduleRedraw(true));

for (const b of document.querySelectorAll('[data-vector]')) {
  b.addEventListener('click', () => {
    settings.vectorMin = Number(b.dataset.vector);
    for (const o of document.querySelectorAll('[data-vector]')) o.classList.toggle('on', o === b);
    scheduleRedraw();
  });
  b.classList.toggle('on', Number(b.dataset.vector) === settings.vectorMin);
}
$('show-labels').addEventListener('change', (e) => { settings.labels = e.target.checked; scheduleRedraw(); });
$('show-history').addEventListener('change', (e) => { settings.history = e.target.checked; scheduleRedraw(); });
$('reset-view').addEventListener('click', () => { view.fit(config.extent); scheduleRedraw(true); });
for (const box of document.querySelectorAll('[data-class]')) {
  const index = ['coop', 'primary', 'emergency', 'alert'].indexOf(box.dataset.class);
  box.addEventListener('change', () => { settings.classOn[index] = box.checked; scheduleRedraw(); });
}
$('search').addEventListener('input', (e) => { filters.search = e.target.value; scheduleRedraw(); });
$('fl-min').addEventListener('input', (e) => { filters.flMin = Number(e.target.value) || 0; scheduleRedraw(); });
$('fl-max').addEventListener('input', (e) => { filters.flMax = Number(e.target.value) || 999; scheduleRedraw(); });
$('fl-unknown').addEventListener('change', (e) => { filters.unknownAlt = e.target.checked; scheduleRedraw(); });
for (const b of document.querySelectorAll('.lang button')) {
  b.addEventListener('click', () => {
    setLanguage(b.dataset.lang);
    localStorage.setItem('airpicture.language', language());
    renderAlerts(); renderDetails(); timeline.render();
  });
}

function tickClock() {
  const now = new Date();
  $('clock').textContent = `${now.toISOString().slice(11, 19)} UTC`;
  if (pic !== live) $('picture-age').textContent = '';
  else if (pic.time) {
    const lag = Date.now() / 1000 - pic.time;
    $('picture-age').textContent = Math.abs(lag) > 5 ? `${t('picture_age')} ${hhmmss(pic.time)} UTC` : '';
  }
}
setInterval(tickClock, 250);

// ------------------------------------------------------------------ start
let timelineOn = false;
function enableTimeline() {
  if (timelineOn || !config.history_enabled) return;
  timelineOn = true;
  timeline.enable().then(() => scheduleRedraw(true));
}

async function loadConfig() {
  try {
    config = await (await fetch('/api/config')).json();
  } catch { /* the stream still works without the map layers */ }
}

async function start() {
  setLanguage(localStorage.getItem('airpicture.language') || 'fr');
  tickClock();
  await loadConfig();
  setLanguage(localStorage.getItem('airpicture.language') || config.language || 'fr');
  if (config.title) { $('title').textContent = config.title; document.title = `airpicture — ${config.title}`; }
  sizeCanvas(baseCanvas, view);
  const c = config.centre || [16.5, 3.0];
  view = new View(c[0], c[1], 60);
  sizeCanvas(baseCanvas, view);
  view.fit(config.extent || [-6, 9.5, 16.5, 24.5]);
  baseDirty = true;
  redraw();
  renderAlerts();
  connect();
  enableTimeline();
  try {
    countries = await (await fetch('/static/vendor/countries-50m-africa.geojson')).json();
    baseDirty = true; scheduleRedraw(true);
  } catch { countries = null; }
}
start();
