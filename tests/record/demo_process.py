"""A real demo run in its own process, for the kill -9 test: ``python -m tests.record.demo_process DB PORT SPEED``.

It is ``airpicture demo`` minus the browser: the Niger scenario's simulated sensors emit Beast and ASTERIX
CAT048/034 bytes, the app's ``LiveChain`` decodes them with the real decoders, tracks, runs the monitors and hands
every bus message to a real ``Recorder`` (write-ahead on, 1 s flush), paced by ``command_demo._loop``. The only
addition is a witness: after each ``Recorder.append`` has returned, one JSON line on stdout says what was handed
over (subject, rows, a digest of the rows) and when, so the test can check the reopened recording against it.
It also writes the deployment's sensors.json beside the recording (what a replay with the same settings needs).
"""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path

import pyarrow as pa

from airpicture.app.chain import LiveChain
from airpicture.app.command_demo import _loop
from airpicture.core.sensors import save_sensors
from airpicture.monitor import default_niger_airspace
from airpicture.record.recorder import Recorder
from airpicture.serve import PictureServer
from airpicture.sim import build_scenario


def digest(subject: str, table: pa.Table) -> str:
    """The rows of one message identified by their times and identities: equal digests, the same rows in order.

    (Only columns that both the bus payload and the recording hold: a radar plot's own track number, say, is a
    decoder extra the recording does not keep.)"""
    kind = subject.split(".")[1]
    h = hashlib.sha1(kind.encode())
    if kind != "alerts":
        h.update(table.column("time_s").to_numpy(zero_copy_only=False).tobytes())
    names = {"meas": ("icao24", "callsign"), "tracks": ("track_id", "icao24"), "alerts": ("alert_id", "kind", "state")}
    for name in names[kind]:
        h.update(repr(table.column(name).to_pylist()).encode())
    return h.hexdigest()


class WitnessedRecorder:
    """The real recorder, plus one stdout line per append once it has returned."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.recording = recorder.recording

    def append(self, subject: str, table: pa.Table) -> None:
        self.recorder.append(subject, table)
        if table.num_rows:
            line = {"subject": subject, "rows": table.num_rows, "digest": digest(subject, table), "wall_s": time.time()}
            print(json.dumps(line), flush=True)

    def close(self) -> None:
        self.recorder.close()


def main(db: Path, port: int, speed: float) -> None:
    start_time_s = time.time()
    scenario = build_scenario("niger", seed=0, start_time_s=start_time_s, horizon_s=900.0)
    save_sensors(scenario.sensors, db.with_name("sensors.json"))
    server = PictureServer("127.0.0.1", port)
    server.start()
    radar_names = {
        (model.sac, model.sic): scenario.sensors[index].id
        for index, model in scenario.models
        if hasattr(model, "sac") and hasattr(model, "sic")
    }
    chain = LiveChain(
        scenario.sensors,
        server,
        airspace=default_niger_airspace(),
        recorder=WitnessedRecorder(Recorder(db)),
        asterix_sensor_names=radar_names,
    )
    print(json.dumps({"streaming": True, "wall_s": time.time()}), flush=True)
    _loop(chain, scenario, speed, None)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]))
