// The replay timeline: the recorded range from /api/history/extent, LIVE by default. Scrubbing shows the picture at
// a past instant (/api/history/snapshot); the live stream keeps arriving but is not drawn until BACK TO LIVE.
import { Picture, rowsToFrame } from './picture.js';
import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);
const EXTENT_PERIOD_MS = 5000;
const PLAY_PERIOD_MS = 1000; // one past picture per second of wall time, ×1 or ×10 simulated seconds each
// A past instant within this many seconds of the end of the recording counts as "the present" for the slider.
const LIVE_EDGE_S = 2;

export const utc = (epoch, date = false) => {
  const iso = new Date(epoch * 1000).toISOString();
  return date ? `${iso.slice(0, 10)} ${iso.slice(11, 19)}` : iso.slice(11, 19);
};
const span = (seconds) => {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return `${h ? `${h} h ` : ''}${String(m).padStart(h ? 2 : 1, '0')} min ${String(s % 60).padStart(2, '0')} s`;
};

export class Timeline {
  // onShow(picture | null): draw this past picture (null: back to the live one).
  constructor(onShow) {
    this.onShow = onShow;
    this.replay = new Picture();
    this.replay.alertIds = new Set();
    this.replay.emergencyIds = new Set();
    this.mode = 'live';
    this.time = null; // the instant shown in replay (epoch s)
    this.range = null; // [min, max] of the recorded tracks
    this.speed = 1;
    this.playing = null;
    this.request = 0;
    this.pending = false;
    this.stats = { snapshots: 0, extentFetches: 0, errors: 0, lastSnapshotMs: 0, lastRows: 0 };
    this.slider = $('tl-slider');
    this.slider.addEventListener('input', () => this.seek(Number(this.slider.value)));
    $('tl-play').addEventListener('click', () => (this.playing ? this.pause() : this.play()));
    for (const b of document.querySelectorAll('[data-speed]')) {
      b.addEventListener('click', () => { this.speed = Number(b.dataset.speed); this.render(); });
    }
    for (const id of ['tl-live', 'back-live']) $(id).addEventListener('click', () => this.goLive());
    for (const b of document.querySelectorAll('[data-step]')) {
      b.addEventListener('click', () => this.seek((this.time ?? this.range?.[1] ?? 0) + Number(b.dataset.step)));
    }
    window.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && this.mode === 'replay' && !document.querySelector('dialog[open]')) this.goLive();
    });
  }

  async enable() {
    $('timeline').hidden = false;
    document.body.classList.add('has-timeline');
    await this.fetchExtent();
    setInterval(() => this.fetchExtent(), EXTENT_PERIOD_MS);
    this.render();
  }

  async fetchExtent() {
    try {
      const response = await fetch('/api/history/extent');
      if (!response.ok) throw new Error(`extent ${response.status}`);
      const tracks = (await response.json()).find((row) => row.table_name === 'tracks');
      this.stats.extentFetches++;
      if (tracks && tracks.rows > 0 && Number.isFinite(tracks.min_time_s)) {
        this.range = [Math.floor(tracks.min_time_s), Math.ceil(tracks.max_time_s)];
      }
    } catch { this.stats.errors++; }
    this.render();
  }

  seek(time) {
    if (!this.range) return;
    const [lo, hi] = this.range;
    this.time = Math.min(hi, Math.max(lo, time));
    if (this.mode !== 'replay') {
      this.mode = 'replay';
      document.body.classList.add('replay');
    }
    this.render();
    this.load(false);
  }

  // Fetch the picture at this.time; only the newest request is drawn (a drag fires many).
  async load(stepping) {
    if (this.pending) { this.again = stepping ? 'step' : 'jump'; return; }
    this.pending = true;
    const number = ++this.request;
    const time = this.time;
    const t0 = performance.now();
    try {
      const response = await fetch(`/api/history/snapshot?t=${time}&max_age_s=30`);
      if (!response.ok) throw new Error(`snapshot ${response.status}`);
      const rows = await response.json();
      if (number === this.request && this.mode === 'replay') {
        this.replay.apply(rowsToFrame(rows, time, stepping ? this.replay : null));
        this.stats.snapshots++; this.stats.lastRows = rows.length;
        this.stats.lastSnapshotMs = performance.now() - t0;
        $('replay-empty').hidden = rows.length > 0;
        this.onShow(this.replay);
      }
    } catch { this.stats.errors++; }
    this.pending = false;
    if (this.again) {
      const again = this.again; this.again = null;
      if (this.mode === 'replay' && this.time !== time) this.load(again === 'step');
    }
  }

  play() {
    if (!this.range) return;
    if (this.mode !== 'replay') this.seek(this.range[0]);
    this.playing = setInterval(() => {
      const next = this.time + this.speed * (PLAY_PERIOD_MS / 1000);
      if (next >= this.range[1]) { this.time = this.range[1]; this.pause(); } else this.time = next;
      this.render();
      this.load(true);
    }, PLAY_PERIOD_MS);
    this.render();
  }

  pause() {
    clearInterval(this.playing);
    this.playing = null;
    this.render();
  }

  goLive() {
    this.pause();
    this.mode = 'live';
    this.time = null;
    this.request++;
    document.body.classList.remove('replay');
    this.replay.clear();
    this.render();
    this.onShow(null);
  }

  // Everything the operator reads about the mode, in the current language.
  render() {
    const live = this.mode === 'live';
    const range = this.range;
    $('replay-banner').hidden = live;
    $('alerts-live-note').hidden = live; // the alert list stays live during a replay: say so
    $('tl-mode').textContent = live ? t('tl_live') : t('tl_replay');
    $('tl-mode').classList.toggle('replay', !live);
    $('tl-live').disabled = live;
    $('tl-play').textContent = this.playing ? '❚❚' : '▶';
    $('tl-play').title = t(this.playing ? 'tl_pause' : 'tl_play');
    for (const b of document.querySelectorAll('[data-speed]')) b.classList.toggle('on', Number(b.dataset.speed) === this.speed);
    if (!range) {
      this.slider.disabled = true;
      $('tl-start').textContent = '--:--:--'; $('tl-end').textContent = '--:--:--';
      $('tl-range').textContent = t('tl_empty');
      return;
    }
    this.slider.disabled = false;
    this.slider.min = range[0]; this.slider.max = range[1];
    $('tl-start').textContent = utc(range[0]);
    $('tl-end').textContent = utc(range[1]);
    $('tl-range').textContent = `${t('tl_recorded')} ${span(range[1] - range[0])}`;
    if (live) {
      this.slider.value = range[1];
      return;
    }
    this.slider.value = this.time;
    $('replay-time').textContent = `${utc(this.time, true)} UTC`;
    const behind = range[1] - this.time;
    $('replay-behind').textContent = behind > LIVE_EDGE_S ? `−${span(behind)} ${t('tl_behind')}` : t('tl_at_end');
  }
}
