// The client's copy of the air picture: structure-of-arrays in typed arrays, one slot per track.
// Frames (see airpicture/serve/encoding.py) are viewed in place as typed arrays: no parsing, no per-field objects.

const MAGIC = 0x43495041; // "APIC" little-endian
const VERSION = 2;
export const HISTORY = 8; // history dots kept per track
export const HISTORY_PERIOD_S = 4; // one dot every 4 s, like a radar's plot history

const TAIL = [['alt', Int16Array], ['gs', Uint16Array], ['trk', Uint16Array], ['vr', Int8Array], ['sigma', Uint8Array],
  ['age', Uint8Array], ['flags', Uint8Array]];

const FIELDS = {
  id: Uint32Array, latE5: Int32Array, lonE5: Int32Array, lat: Float32Array, lon: Float32Array, alt: Int16Array,
  gs: Uint16Array, trk: Uint16Array, vr: Int8Array, sigma: Uint8Array, age: Uint8Array, flags: Uint8Array,
  updated: Float64Array,
  histTime: Float64Array, histN: Uint8Array, histHead: Uint8Array,
};
const STRING_FIELDS = ['icao', 'callsign', 'squawk', 'sources', 'fpl'];

export function decodeFrame(buffer) {
  const view = new DataView(buffer);
  if (view.getUint32(0, true) !== MAGIC || view.getUint8(4) !== VERSION) throw new Error('not an airpicture frame');
  const kind = view.getUint8(5);
  const n = view.getUint32(8, true);
  const nAbs = view.getUint32(12, true);
  const nRemoved = view.getUint32(16, true);
  const nIdent = view.getUint32(20, true);
  const blobBytes = view.getUint32(24, true);
  const time = view.getFloat64(32, true);
  let offset = 40;
  const take = (Type, count, pad = true) => {
    const a = new Type(buffer, offset, count);
    offset += count * Type.BYTES_PER_ELEMENT;
    if (pad) offset += (4 - (offset % 4)) % 4;
    return a;
  };
  const cols = { track_id: take(Uint32Array, n), lat: take(Int32Array, nAbs), lon: take(Int32Array, nAbs),
    dlat: take(Int16Array, n - nAbs), dlon: take(Int16Array, n - nAbs) };
  for (const [name, Type] of TAIL) cols[name] = take(Type, n);
  const removed = take(Uint32Array, nRemoved, false);
  const identIds = take(Uint32Array, nIdent, false);
  if (offset + blobBytes !== buffer.byteLength) throw new Error('frame length does not match its header');
  const blob = nIdent ? new TextDecoder().decode(new Uint8Array(buffer, offset, blobBytes)) : '';
  return { kind, time, n, nAbs, cols, removed, identIds, idents: nIdent ? blob.split('\x1e') : [] };
}

export class Picture {
  constructor(capacity = 1024) {
    this.count = 0; // slots in use: 0..count-1 (dense; removal moves the last slot into the hole)
    this.time = 0;
    this.slotOf = new Map();
    this.allocate(capacity);
  }

  allocate(capacity) {
    const grow = (old, Type, per = 1) => {
      const a = new Type(capacity * per);
      if (old) a.set(old.subarray(0, this.count * per));
      return a;
    };
    for (const [k, Type] of Object.entries(FIELDS)) this[k] = grow(this[k], Type);
    this.histLat = grow(this.histLat, Float32Array, HISTORY);
    this.histLon = grow(this.histLon, Float32Array, HISTORY);
    for (const k of STRING_FIELDS) if (!this[k]) this[k] = [];
    this.capacity = capacity;
  }

  apply(frame) {
    const { cols, n } = frame;
    if (frame.kind === 1) this.clear();
    this.time = frame.time;
    for (let i = 0; i < frame.removed.length; i++) this.remove(frame.removed[i]);
    if (this.count + n > this.capacity) this.allocate(Math.max(this.capacity * 2, this.count + n));
    const ids = cols.track_id;
    for (let i = 0; i < n; i++) {
      const id = ids[i];
      let s = this.slotOf.get(id);
      if (s === undefined) {
        s = this.count++;
        this.slotOf.set(id, s);
        this.id[s] = id;
        this.histN[s] = 0; this.histHead[s] = 0; this.histTime[s] = -1e12;
        this.icao[s] = ''; this.callsign[s] = ''; this.squawk[s] = ''; this.sources[s] = ''; this.fpl[s] = '';
      }
      // Absolute rows first, then deltas from the previous frame's integer position (exact, no drift).
      let latE5, lonE5;
      if (i < frame.nAbs) { latE5 = cols.lat[i]; lonE5 = cols.lon[i]; }
      else { latE5 = this.latE5[s] + cols.dlat[i - frame.nAbs]; lonE5 = this.lonE5[s] + cols.dlon[i - frame.nAbs]; }
      const lat = latE5 / 1e5;
      const lon = lonE5 / 1e5;
      // History: a dot at the previous position every HISTORY_PERIOD_S.
      if (this.updated[s] > 0 && frame.time - this.histTime[s] >= HISTORY_PERIOD_S) {
        const h = s * HISTORY + this.histHead[s];
        this.histLat[h] = this.lat[s]; this.histLon[h] = this.lon[s];
        this.histHead[s] = (this.histHead[s] + 1) % HISTORY;
        if (this.histN[s] < HISTORY) this.histN[s]++;
        this.histTime[s] = frame.time;
      }
      this.latE5[s] = latE5; this.lonE5[s] = lonE5;
      this.lat[s] = lat; this.lon[s] = lon; this.alt[s] = cols.alt[i]; this.gs[s] = cols.gs[i];
      this.trk[s] = cols.trk[i]; this.vr[s] = cols.vr[i]; this.sigma[s] = cols.sigma[i]; this.age[s] = cols.age[i];
      this.flags[s] = cols.flags[i]; this.updated[s] = frame.time;
    }
    for (let i = 0; i < frame.identIds.length; i++) {
      const s = this.slotOf.get(frame.identIds[i]);
      if (s === undefined) continue;
      const f = frame.idents[i].split('\x1f');
      this.icao[s] = f[0] || ''; this.callsign[s] = (f[1] || '').trim(); this.squawk[s] = f[2] || '';
      this.sources[s] = f[3] || ''; this.fpl[s] = f[4] || '';
    }
  }

  clear() {
    this.count = 0;
    this.slotOf.clear();
  }

  remove(id) {
    const s = this.slotOf.get(id);
    if (s === undefined) return;
    this.slotOf.delete(id);
    const last = --this.count;
    if (s !== last) this.moveSlot(last, s);
  }

  moveSlot(from, to) {
    for (const k of Object.keys(FIELDS)) this[k][to] = this[k][from];
    this.histLat.copyWithin(to * HISTORY, from * HISTORY, (from + 1) * HISTORY);
    this.histLon.copyWithin(to * HISTORY, from * HISTORY, (from + 1) * HISTORY);
    for (const k of STRING_FIELDS) this[k][to] = this[k][from];
    this.slotOf.set(this.id[to], to);
  }

  // Decoded values (nulls as null) for one slot.
  altFt(s) { return this.alt[s] === -32768 ? null : this.alt[s] * 10; }
  gsKt(s) { return this.gs[s] === 65535 ? null : this.gs[s] / 10; }
  trackDeg(s) { return this.trk[s] === 65535 ? null : this.trk[s] / 100; }
  vrFpm(s) { return this.vr[s] === -128 ? null : this.vr[s] * 64; }
  sigmaM(s) { return this.sigma[s] === 255 ? null : this.sigma[s] * 10; }
  ageS(s) { return this.age[s] === 255 ? null : this.age[s] / 10; }
  status(s) { return ['tentative', 'confirmed', 'coasting', null][this.flags[s] & 3]; }
  cooperative(s) { return (this.flags[s] & 8) ? null : Boolean(this.flags[s] & 4); }
  name(s) { return this.callsign[s] || (this.icao[s] ? this.icao[s].toUpperCase() : `T${this.id[s]}`); }
}

// A recorded picture (SystemTrack rows from /api/history/snapshot, JSON) as a frame Picture.apply takes: the same
// quantisation as the server's encoder (airpicture/serve/encoding.py), so a past picture is drawn exactly like a
// live one. `previous` (a Picture) turns it into a changes frame that removes the tracks absent from `rows`, so
// stepping through the past keeps each aircraft's history dots.
export function rowsToFrame(rows, time, previous = null) {
  const n = rows.length;
  const q = (v, scale, lo, hi, missing) => (v === null || v === undefined || !Number.isFinite(v)
    ? missing : Math.min(hi, Math.max(lo, Math.round(v * scale))));
  const cols = {
    track_id: new Uint32Array(n), lat: new Int32Array(n), lon: new Int32Array(n),
    dlat: new Int16Array(0), dlon: new Int16Array(0), alt: new Int16Array(n), gs: new Uint16Array(n),
    trk: new Uint16Array(n), vr: new Int8Array(n), sigma: new Uint8Array(n), age: new Uint8Array(n), flags: new Uint8Array(n),
  };
  const status = { tentative: 0, confirmed: 1, coasting: 2 };
  const idents = new Array(n);
  const seen = new Set();
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    cols.track_id[i] = r.track_id; seen.add(r.track_id);
    cols.lat[i] = q(r.lat_deg, 1e5, -9e6, 9e6, 0); cols.lon[i] = q(r.lon_deg, 1e5, -18e6, 18e6, 0);
    cols.alt[i] = q(r.alt_ft, 0.1, -32767, 32767, -32768);
    cols.gs[i] = q(r.ground_speed_kt, 10, 0, 65534, 65535);
    cols.trk[i] = q(r.track_deg === null || r.track_deg === undefined ? null : ((r.track_deg % 360) + 360) % 360, 100, 0, 35999, 65535);
    cols.vr[i] = q(r.vertical_rate_fpm, 1 / 64, -127, 127, -128);
    cols.sigma[i] = q(r.sigma_h_m, 0.1, 0, 254, 255);
    cols.age[i] = q(Number.isFinite(r.time_s) ? Math.max(0, time - r.time_s) : 0, 10, 0, 254, 255);
    const coopKnown = r.cooperative === true || r.cooperative === false;
    cols.flags[i] = (status[r.status] ?? 3) | (r.cooperative === true ? 4 : 0) | (coopKnown ? 0 : 8);
    idents[i] = [r.icao24, r.callsign, r.squawk, r.sources, r.flight_plan].map((v) => v || '').join('\x1f');
  }
  const removed = [];
  if (previous) for (let s = 0; s < previous.count; s++) if (!seen.has(previous.id[s])) removed.push(previous.id[s]);
  return {
    kind: previous ? 2 : 1, time, n, nAbs: n, cols, removed: Uint32Array.from(removed),
    identIds: cols.track_id, idents,
  };
}
