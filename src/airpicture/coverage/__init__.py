"""Coverage: what the sensors can see over the terrain, where the gaps are, where the next receiver should go.

- :mod:`~airpicture.coverage.terrain` — NOAA GLOBE terrain (a 1' grid shipped with the package), flat fallback.
- :mod:`~airpicture.coverage.los` — lowest visible altitude along every radial (4/3 earth, exact on the sphere).
- :mod:`~airpicture.coverage.analysis` — per-sensor visibility and redundancy counts per flight level.
- :mod:`~airpicture.coverage.export`, :mod:`~airpicture.coverage.maps` — GeoJSON layers and PNG maps.
- :mod:`~airpicture.coverage.gaps` — lazy-greedy maximum coverage for new receiver sites.
- :mod:`~airpicture.coverage.observed` — observed range outline per receiver against the predicted one.
"""

from airpicture.coverage.analysis import CoverageResult, CoverageSettings, SensorSite, compute_coverage
from airpicture.coverage.los import RadialProfile, radar_horizon_m, radial_profile
from airpicture.coverage.terrain import TerrainGrid, default_terrain, flat_terrain, globe_terrain

__all__ = [
    "CoverageResult",
    "CoverageSettings",
    "RadialProfile",
    "SensorSite",
    "TerrainGrid",
    "compute_coverage",
    "default_terrain",
    "flat_terrain",
    "globe_terrain",
    "radar_horizon_m",
    "radial_profile",
]
