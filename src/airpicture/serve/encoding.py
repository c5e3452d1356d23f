"""The picture stream's binary columnar encoding: one snapshot, then changes, encoded once for every client.

Why binary and columnar: at 10,000 tracks a JSON object per aircraft per second (tar1090's ``aircraft.json``) costs
megabytes per client per second and a JSON parse of the same size in the browser. Here a frame is a few fixed-width
columns that the browser maps straight onto typed arrays (no parsing), and identity strings travel only when they
change. The server encodes each frame once; every client receives the same bytes.

Frame layout (little-endian; every column starts on a 4-byte boundary so the client can view it in place)::

    header, 40 bytes:
      u32 magic "APIC" | u8 version (2) | u8 kind (1 snapshot, 2 changes) | u16 reserved
      u32 n_tracks | u32 n_absolute | u32 n_removed | u32 n_ident | u32 ident_blob_bytes | 4 bytes padding
      f64 time_s (frame time, epoch s)
    n_tracks rows (the n_absolute rows first), one column after the other:
      u32 track_id
      i32 lat_e5, i32 lon_e5   (absolute rows: position in 1e-5 degree, about 1.1 m)
      i16 dlat_e5, i16 dlon_e5 (the other rows: change since the previous frame, same unit)
      i16 alt_10ft             (altitude / 10 ft; -32768 = unknown)
      u16 ground_speed_dkt     (0.1 kt; 65535 = unknown)
      u16 track_cdeg           (0.01 deg; 65535 = unknown)
      i8  vertical_rate_64fpm  (clamped to ±127; -128 = unknown)
      u8  sigma_h_10m          (clamped to 254; 255 = unknown)
      u8  age_ds               (frame time - track time, 0.1 s, clamped to 254; 255 = unknown)
      u8  flags                (bits 0-1 status: 0 tentative, 1 confirmed, 2 coasting, 3 unknown; bit 2 cooperative;
                                bit 3 cooperative unknown)
    u32 removed_track_id[n_removed]
    u32 ident_track_id[n_ident]
    ident blob: UTF-8, one record per ident_track_id separated by RS (0x1e), fields separated by US (0x1f):
      icao24, callsign, squawk, sources, flight_plan (empty = unknown)

A snapshot carries every track (all absolute) and every identity; a changes frame carries the tracks whose encoded
values changed since the previous frame (a new track, or a move too large for 16 bits, is absolute; the others are
deltas), the tracks that disappeared and the identities that changed. Deltas are taken from the previous frame's
integer positions, so a client that applies every frame in order holds exactly the server's picture; a client that
misses one is dropped and reconnects to a snapshot. About 18 bytes per moving aircraft per update.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

MAGIC = b"APIC"
VERSION = 2
KIND_SNAPSHOT = 1
KIND_CHANGES = 2
HEADER = struct.Struct("<4sBBHIIIII4xd")
IDENT_FIELDS = ("icao24", "callsign", "squawk", "sources", "flight_plan")
STATUS_CODES = {"tentative": 0, "confirmed": 1, "coasting": 2}
#: State columns: (name, dtype). ``lat``/``lon`` are integers in 1e-5 degree.
COLUMNS = (
    ("track_id", "<u4"),
    ("lat", "<i4"),
    ("lon", "<i4"),
    ("alt", "<i2"),
    ("gs", "<u2"),
    ("trk", "<u2"),
    ("vr", "i1"),
    ("sigma", "u1"),
    ("age", "u1"),
    ("flags", "u1"),
)
#: Columns after the position, in frame order.
TAIL_COLUMNS = COLUMNS[3:]
#: Bytes per aircraft that moved a little (the usual case).
BYTES_PER_TRACK = 4 + 2 + 2 + sum(np.dtype(t).itemsize for _, t in TAIL_COLUMNS)
DELTA_LIMIT = 32767


def _float(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, np.nan)
    return table.column(name).to_numpy(zero_copy_only=False).astype(np.float64, copy=False)


def _strings(table: pa.Table, name: str) -> pa.Array:
    """A string column as one Arrow array, nulls as ''."""
    if name not in table.column_names:
        return pa.array([""] * table.num_rows, type=pa.string())
    col = table.column(name)
    col = col.combine_chunks() if isinstance(col, pa.ChunkedArray) else col
    return pc.fill_null(col.cast(pa.string()), "")


def _joined_records(records: pa.Array) -> bytes:
    """The RS-separated concatenation of string records, straight from Arrow's value buffer (no Python loop)."""
    if len(records) == 0:
        return b""
    terminated = pc.binary_join_element_wise(records, "", "\x1e")
    terminated = terminated.combine_chunks() if isinstance(terminated, pa.ChunkedArray) else terminated
    offsets = np.frombuffer(
        terminated.buffers()[1], dtype=np.int32, count=len(terminated) + 1, offset=terminated.offset * 4
    )
    data = terminated.buffers()[2]
    return data[int(offsets[0]) : int(offsets[-1]) - 1].to_pybytes()


def _quantise(values: np.ndarray, scale: float, lo: int, hi: int, missing: int, dtype: str) -> np.ndarray:
    known = np.isfinite(values)
    out = np.full(values.shape, missing, dtype=np.int64)
    out[known] = np.clip(np.rint(values[known] * scale), lo, hi).astype(np.int64)
    return out.astype(dtype)


@dataclass
class PictureState:
    """The current picture as columns sorted by track id (immutable once built: a new state per publish)."""

    time_s: float = 0.0
    columns: dict[str, np.ndarray] = field(default_factory=lambda: {n: np.empty(0, t) for n, t in COLUMNS})
    ident: pa.Array = field(default_factory=lambda: pa.array([], type=pa.string()))
    table: pa.Table | None = None

    @property
    def track_ids(self) -> np.ndarray:
        return self.columns["track_id"]

    def __len__(self) -> int:
        return len(self.columns["track_id"])


def state_from_tracks(table: pa.Table, time_s: float | None = None) -> PictureState:
    """Quantise a SystemTrack table into the stream's columns (last row wins for a repeated track id)."""
    n = table.num_rows
    track_id = table.column("track_id").to_numpy(zero_copy_only=False).astype(np.int64) if n else np.empty(0, np.int64)
    times = _float(table, "time_s")
    frame_time = float(np.nanmax(times)) if n and np.isfinite(times).any() else float(time_s or 0.0)
    if time_s is not None:
        frame_time = float(time_s)
    # Keep the last row per track id, sorted by id.
    order = np.lexsort((np.arange(n), track_id))
    last = np.ones(n, dtype=bool)
    if n > 1:
        last[:-1] = track_id[order][1:] != track_id[order][:-1]
    keep = order[last]
    table = table.take(pa.array(keep)) if n else table
    status = _strings(table, "status")
    status_code = np.full(len(keep), 3, dtype=np.uint8)
    for name, code in STATUS_CODES.items():
        status_code[pc.equal(status, name).to_numpy(zero_copy_only=False)] = code
    if "cooperative" in table.column_names:
        coop_col = table.column("cooperative")
        coop_known = ~np.asarray(coop_col.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        coop = np.asarray(pc.fill_null(coop_col, False).to_numpy(zero_copy_only=False), dtype=bool)
    else:
        coop_known = np.zeros(len(keep), dtype=bool)
        coop = coop_known
    flags = status_code | (coop.astype(np.uint8) << 2) | ((~coop_known).astype(np.uint8) << 3)
    track_time = _float(table, "time_s")
    age = np.where(np.isfinite(track_time), frame_time - track_time, 0.0)
    columns = {
        "track_id": (track_id[keep] & 0xFFFFFFFF).astype("<u4"),
        "lat": _quantise(_float(table, "lat_deg"), 1e5, -9_000_000, 9_000_000, 0, "<i4"),
        "lon": _quantise(_float(table, "lon_deg"), 1e5, -18_000_000, 18_000_000, 0, "<i4"),
        "alt": _quantise(_float(table, "alt_ft"), 0.1, -32767, 32767, -32768, "<i2"),
        "gs": _quantise(_float(table, "ground_speed_kt"), 10.0, 0, 65534, 65535, "<u2"),
        "trk": _quantise(np.mod(_float(table, "track_deg"), 360.0), 100.0, 0, 35999, 65535, "<u2"),
        "vr": _quantise(_float(table, "vertical_rate_fpm"), 1 / 64, -127, 127, -128, "i1"),
        "sigma": _quantise(_float(table, "sigma_h_m"), 0.1, 0, 254, 255, "u1"),
        "age": _quantise(np.maximum(age, 0.0), 10.0, 0, 254, 255, "u1"),
        "flags": flags.astype("u1"),
    }
    ident = pc.binary_join_element_wise(*[_strings(table, name) for name in IDENT_FIELDS], "\x1f")
    return PictureState(time_s=frame_time, columns=columns, ident=ident, table=table)


def _pad4(parts: list[bytes], size: int) -> int:
    pad = (-size) % 4
    if pad:
        parts.append(b"\0" * pad)
    return size + pad


def encode_frame(
    kind: int,
    state: PictureState,
    absolute: np.ndarray,
    moved: np.ndarray,
    previous_rows: np.ndarray,
    previous: PictureState | None,
    removed: np.ndarray,
    ident_rows: np.ndarray,
) -> bytes:
    """Encode rows of ``state``: ``absolute`` ones with their position, ``moved`` ones as deltas from ``previous``
    (at ``previous_rows``), plus ``removed`` track ids and the identities at ``ident_rows``."""
    blob = _joined_records(state.ident.take(pa.array(ident_rows, type=pa.int64())))
    rows = np.concatenate([absolute, moved]).astype(np.int64)
    header = HEADER.pack(
        MAGIC, VERSION, kind, 0, len(rows), len(absolute), len(removed), len(ident_rows), len(blob), state.time_s
    )
    cols = state.columns
    chunks = [cols["track_id"][rows], cols["lat"][absolute], cols["lon"][absolute]]
    if len(moved):
        assert previous is not None
        chunks.append((cols["lat"][moved] - previous.columns["lat"][previous_rows]).astype("<i2"))
        chunks.append((cols["lon"][moved] - previous.columns["lon"][previous_rows]).astype("<i2"))
    else:
        chunks += [np.empty(0, "<i2"), np.empty(0, "<i2")]
    chunks += [cols[name][rows] for name, _ in TAIL_COLUMNS]
    parts = [header]
    for chunk in chunks:
        data = chunk.tobytes()
        parts.append(data)
        if len(data) % 4:
            parts.append(b"\0" * (4 - len(data) % 4))
    parts.append(np.asarray(removed, dtype="<u4").tobytes())
    parts.append(state.track_ids[ident_rows].astype("<u4").tobytes())
    parts.append(blob)
    return b"".join(parts)


def encode_snapshot(state: PictureState) -> bytes:
    everything = np.arange(len(state))
    empty = np.empty(0, np.int64)
    return encode_frame(KIND_SNAPSHOT, state, everything, empty, empty, None, np.empty(0, "<u4"), everything)


def encode_changes(previous: PictureState, current: PictureState) -> bytes:
    """The changes that turn ``previous`` into ``current``: moved or new tracks, removed ids, changed identities."""
    prev_ids, cur_ids = previous.track_ids, current.track_ids
    pos = np.searchsorted(prev_ids, cur_ids)
    pos_c = np.minimum(pos, max(len(prev_ids) - 1, 0))
    existed = (pos < len(prev_ids)) & (prev_ids[pos_c] == cur_ids) if len(prev_ids) else np.zeros(len(cur_ids), bool)
    changed = ~existed
    big_move = np.zeros(len(cur_ids), bool)
    if len(prev_ids):
        for name in ("lat", "lon"):
            step = current.columns[name].astype(np.int64) - previous.columns[name][pos_c].astype(np.int64)
            changed |= step != 0
            big_move |= np.abs(step) > DELTA_LIMIT
        for name, _ in TAIL_COLUMNS:
            if name != "age":
                changed |= previous.columns[name][pos_c] != current.columns[name]
    ident_changed = ~existed
    if len(prev_ids):
        before = previous.ident.take(pa.array(pos_c, type=pa.int64()))
        ident_changed |= pc.not_equal(before, current.ident).to_numpy(zero_copy_only=False)
    removed = np.setdiff1d(prev_ids, cur_ids, assume_unique=True)
    absolute = np.flatnonzero(changed & (~existed | big_move))
    moved = np.flatnonzero(changed & existed & ~big_move)
    return encode_frame(
        KIND_CHANGES, current, absolute, moved, pos_c[moved], previous, removed, np.flatnonzero(ident_changed)
    )


def decode_frame(data: bytes) -> dict:
    """Decode one frame into numpy columns (positions of delta rows stay deltas: see :class:`PictureMirror`)."""
    if len(data) < HEADER.size:
        raise ValueError(f"frame of {len(data)} bytes is shorter than its header")
    magic, version, kind, _, n, n_abs, n_removed, n_ident, blob_bytes, time_s = HEADER.unpack_from(data, 0)
    if magic != MAGIC or version != VERSION:
        raise ValueError(f"not an airpicture frame (magic {magic!r}, version {version})")
    offset = HEADER.size
    out: dict = {"kind": kind, "time_s": time_s, "n_absolute": n_abs}

    def take(dtype: str, count: int, pad: bool = True) -> np.ndarray:
        nonlocal offset
        dt = np.dtype(dtype)
        if offset + count * dt.itemsize > len(data):
            raise ValueError("frame is shorter than its header says")
        values = np.frombuffer(data, dtype=dt, count=count, offset=offset)
        offset += count * dt.itemsize
        if pad:
            offset += (-offset) % 4
        return values

    out["track_id"] = take("<u4", n)
    out["lat_e5"] = take("<i4", n_abs)
    out["lon_e5"] = take("<i4", n_abs)
    out["dlat_e5"] = take("<i2", n - n_abs)
    out["dlon_e5"] = take("<i2", n - n_abs)
    for name, dtype in TAIL_COLUMNS:
        out[name] = take(dtype, n)
    out["removed"] = take("<u4", n_removed, pad=False)
    out["ident_track_id"] = take("<u4", n_ident, pad=False)
    if offset + blob_bytes != len(data):
        raise ValueError(f"frame length {len(data)} does not match its header ({offset + blob_bytes})")
    blob = data[offset : offset + blob_bytes].decode("utf-8")
    records = blob.split("\x1e") if n_ident else []
    out["ident"] = [dict(zip(IDENT_FIELDS, r.split("\x1f"), strict=True)) for r in records]
    return out


class PictureMirror:
    """What a display holds after applying frames in order (the reference for the browser's picture.js)."""

    def __init__(self) -> None:
        self.tracks: dict[int, dict] = {}
        self.time_s = 0.0

    def apply(self, data: bytes) -> dict:
        frame = decode_frame(data)
        if frame["kind"] == KIND_SNAPSHOT:
            self.tracks.clear()
        self.time_s = frame["time_s"]
        for track_id in frame["removed"].tolist():
            self.tracks.pop(track_id, None)
        n_abs = frame["n_absolute"]
        for i, track_id in enumerate(frame["track_id"].tolist()):
            if i < n_abs:
                track = self.tracks.setdefault(track_id, {})
                track["lat_e5"], track["lon_e5"] = int(frame["lat_e5"][i]), int(frame["lon_e5"][i])
            else:
                track = self.tracks[track_id]  # a delta for an unknown track means a missed frame
                track["lat_e5"] += int(frame["dlat_e5"][i - n_abs])
                track["lon_e5"] += int(frame["dlon_e5"][i - n_abs])
            for name, _ in TAIL_COLUMNS:
                track[name] = int(frame[name][i])
        for track_id, ident in zip(frame["ident_track_id"].tolist(), frame["ident"], strict=True):
            if track_id in self.tracks:
                self.tracks[track_id].update(ident)
        return frame
