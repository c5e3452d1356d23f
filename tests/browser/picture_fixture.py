"""A picture server fed with test traffic, for the browser tests and screenshots (tests only).

Run: ``.venv/bin/python -m tests.browser.picture_fixture --port 8765 --aircraft 300``. It publishes
``MovingTraffic`` at ``--rate-hz`` and one emergency alert on the 7700 aircraft, until killed.
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np

from airpicture.core.schema import ALERT, table_from_columns
from airpicture.core.sensors import Sensor
from airpicture.serve import PictureServer
from airpicture.serve.layers import niger_display_config
from tests.serve.traffic import MovingTraffic

SENSORS = [
    Sensor("psr_ssr-niamey", "psr_ssr", 13.4817, 2.1703, 230.0, rotation_period_s=6.0, range_max_m=463_000.0),
    Sensor("adsb-niamey", "adsb", 13.5, 2.12, 220.0),
    Sensor("adsb-agadez", "adsb", 16.97, 7.99, 500.0),
]


def emergency_alert(time_s: float) -> object:
    return table_from_columns(
        ALERT,
        {
            "alert_id": np.array([1], dtype=np.int64),
            "kind": ["emergency"],
            "severity": ["high"],
            "track_ids": [[1]],
            "volume": [None],
            "time_raised_s": [time_s],
            "state": ["raised"],
            "message": ["squawk 7700"],
            "icao24": ["0a0000"],
            "callsign": ["NIG700"],
        },
        1,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--aircraft", type=int, default=300)
    parser.add_argument("--rate-hz", type=float, default=1.0)
    parser.add_argument("--token", default=None)
    parser.add_argument("--language", default="fr")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    traffic = MovingTraffic(args.aircraft, start_time_s=time.time())
    server = PictureServer(
        port=args.port,
        operator_token=args.token,
        display_config=niger_display_config(SENSORS, language=args.language),
    )
    server.start()
    print(f"ready {server.url}", flush=True)
    alert_after_s = time.time() + 3.0
    try:
        while True:
            now = time.time()
            server.publish_tracks(traffic.at(now))
            if now >= alert_after_s:
                server.publish_alerts(emergency_alert(alert_after_s))
            time.sleep(max(0.0, 1.0 / args.rate_hz - (time.time() - now)))
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


if __name__ == "__main__":
    main()
