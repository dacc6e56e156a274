"""Travel times between places, in minutes, behind one small protocol.

Every model answers `matrix(origins, destinations, mode)` (a numpy array of minutes, one row
per origin) and `minutes(a, b, mode)`. Places are `(lon, lat)` tuples in WGS84 for the
coordinate-based models and scenario ids for `MatrixTravel`.

- `GreatCircleTravel`: offline default; haversine distance × circuity factor ÷ speed.
- `OsrmTableTravel`: an OSRM-compatible `/table` service (e.g. a city's own osrm-backend),
  cached and chunked, falling back to `GreatCircleTravel` on any error.
- `MatrixTravel`: an explicit matrix, e.g. a scenario's `travel.matrix`.
"""

from __future__ import annotations

import logging
import math
from collections import OrderedDict
from collections.abc import Sequence
from enum import StrEnum
from typing import Literal, Protocol, runtime_checkable

import httpx
import numpy as np

from optimizer.scenario import TravelMatrix

log = logging.getLogger(__name__)

LonLat = tuple[float, float]
Place = LonLat | str

#: Mean Earth radius R1 = (2a + b) / 3 of WGS84, in km (IUGG / Moritz, "Geodetic Reference
#: System 1980", Bulletin Géodésique 54, 1980).
EARTH_RADIUS_KM = 6371.0088


class TravelMode(StrEnum):
    VEHICLE = "vehicle"
    FOOT = "foot"


Area = Literal["urban", "rural"]


@runtime_checkable
class TravelTimeModel(Protocol):
    """Anything that turns places into travel minutes."""

    def matrix(
        self,
        origins: Sequence[Place],
        destinations: Sequence[Place],
        mode: TravelMode = TravelMode.VEHICLE,
    ) -> np.ndarray: ...

    def minutes(self, a: Place, b: Place, mode: TravelMode = TravelMode.VEHICLE) -> float: ...


def _lonlat_array(places: Sequence[Place], name: str) -> np.ndarray:
    try:
        arr = np.asarray(places, dtype=float).reshape(len(places), 2)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name}: expected (lon, lat) pairs") from exc
    lon, lat = arr[:, 0], arr[:, 1]
    if not (np.all(np.abs(lon) <= 180) and np.all(np.abs(lat) <= 90)):
        raise ValueError(f"{name}: longitude must be within ±180 and latitude within ±90")
    return arr


def haversine_km(origins: Sequence[Place], destinations: Sequence[Place]) -> np.ndarray:
    """Great-circle distances in km between every origin and destination (a sphere of radius
    `EARTH_RADIUS_KM`; within about 0.5 % of the ellipsoidal distance)."""
    o = np.radians(_lonlat_array(origins, "origins"))
    d = np.radians(_lonlat_array(destinations, "destinations"))
    dlon = d[None, :, 0] - o[:, None, 0]
    dlat = d[None, :, 1] - o[:, None, 1]
    h = (
        np.sin(dlat / 2) ** 2
        + np.cos(o[:, None, 1]) * np.cos(d[None, :, 1]) * np.sin(dlon / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


class GreatCircleTravel:
    """Haversine distance × circuity factor ÷ speed — the offline default.

    Defaults (all constructor parameters, meant to be tuned from settings with local data):

    - `circuity` 1.3: ratio of road distance to straight-line distance. Ballou, Rahardja and
      Sakai (2002), "Selected country circuity factors for road travel distance estimation",
      Transportation Research Part A 36(9), report country averages mostly between about 1.2
      and 1.4; Boscoe, Henry and Zdeb (2012), "A nationwide comparison of driving distance
      versus straight-line distance to hospitals", The Professional Geographer 64(2), find a
      mean detour index of about 1.4 in the United States.
    - vehicle speed 30 km/h urban, 60 km/h rural: project assumptions for a police vehicle's
      average door-to-door speed, not measured values. For scale, China's road traffic safety
      regulations (道路交通安全法实施条例, art. 45) set 30 / 50 km/h on urban roads without a
      centre line / with one lane each way and 40 / 70 km/h on highways (公路) of the same
      kind; urban averages in large cities are lower at peak hours.
    - foot speed 5 km/h (≈ 1.4 m/s), in the range of mean free walking speeds measured by
      Knoblauch, Pietrucha and Nitzburg (1996), Transportation Research Record 1538.
    - `fixed_minutes` 0: time added to every trip (turn-out, parking); 0 keeps the pure
      driving time, set it from local data.

    `area` chooses the speed table for the whole model; build one model per area type (or use
    `OsrmTableTravel` for real road times).
    """

    DEFAULT_SPEED_KMH: dict[tuple[TravelMode, str], float] = {  # noqa: RUF012
        (TravelMode.VEHICLE, "urban"): 30.0,
        (TravelMode.VEHICLE, "rural"): 60.0,
        (TravelMode.FOOT, "urban"): 5.0,
        (TravelMode.FOOT, "rural"): 5.0,
    }

    def __init__(
        self,
        area: Area = "urban",
        circuity: float = 1.3,
        speed_kmh: dict[tuple[TravelMode, str], float] | None = None,
        fixed_minutes: float = 0.0,
    ) -> None:
        if area not in ("urban", "rural"):
            raise ValueError(f"area: expected 'urban' or 'rural', got {area!r}")
        if circuity < 1.0:
            raise ValueError(f"circuity: must be ≥ 1, got {circuity}")
        self.area = area
        self.circuity = circuity
        self.speed_kmh = {**self.DEFAULT_SPEED_KMH, **(speed_kmh or {})}
        if any(v <= 0 for v in self.speed_kmh.values()):
            raise ValueError("speed_kmh: every speed must be positive")
        self.fixed_minutes = fixed_minutes

    def speed(self, mode: TravelMode) -> float:
        return self.speed_kmh[(TravelMode(mode), self.area)]

    def matrix(
        self,
        origins: Sequence[Place],
        destinations: Sequence[Place],
        mode: TravelMode = TravelMode.VEHICLE,
    ) -> np.ndarray:
        km = haversine_km(origins, destinations) * self.circuity
        return km / self.speed(mode) * 60.0 + self.fixed_minutes

    def minutes(self, a: Place, b: Place, mode: TravelMode = TravelMode.VEHICLE) -> float:
        return float(self.matrix([a], [b], mode)[0, 0])


class MatrixTravel:
    """An explicit square matrix of minutes between known ids (one matrix per mode, or one
    matrix for every mode)."""

    def __init__(
        self, ids: Sequence[str], minutes: np.ndarray | dict[TravelMode, np.ndarray]
    ) -> None:
        self.index = {pid: k for k, pid in enumerate(ids)}
        if len(self.index) != len(ids):
            raise ValueError("ids: duplicate id")
        tables = minutes if isinstance(minutes, dict) else dict.fromkeys(TravelMode, minutes)
        self.tables: dict[TravelMode, np.ndarray] = {}
        for mode, table in tables.items():
            arr = np.asarray(table, dtype=float)
            if arr.shape != (len(ids), len(ids)):
                raise ValueError(
                    f"minutes[{mode}]: shape {arr.shape} does not match {len(ids)} ids"
                )
            if np.any(arr < 0) or np.any(np.isnan(arr)):
                raise ValueError(f"minutes[{mode}]: negative or missing travel time")
            self.tables[TravelMode(mode)] = arr

    @classmethod
    def from_scenario(cls, matrix: TravelMatrix) -> MatrixTravel:
        return cls(matrix.ids, np.asarray(matrix.minutes, dtype=float))

    def _rows(self, places: Sequence[Place], name: str) -> list[int]:
        try:
            return [self.index[p] for p in places]  # type: ignore[index]
        except (KeyError, TypeError) as exc:
            raise ValueError(f"{name}: unknown id {exc.args[0]!r}") from exc

    def matrix(
        self,
        origins: Sequence[Place],
        destinations: Sequence[Place],
        mode: TravelMode = TravelMode.VEHICLE,
    ) -> np.ndarray:
        table = self.tables.get(TravelMode(mode))
        if table is None:
            raise ValueError(f"mode: no travel-time matrix for {mode!s}")
        rows, cols = self._rows(origins, "origins"), self._rows(destinations, "destinations")
        return table[np.ix_(rows, cols)]

    def minutes(self, a: Place, b: Place, mode: TravelMode = TravelMode.VEHICLE) -> float:
        return float(self.matrix([a], [b], mode)[0, 0])


TravelSource = Literal["osrm", "fallback", "mixed"]


class OsrmTableTravel:
    """Road travel times from an OSRM-compatible table service.

    Calls `GET {base_url}/table/v1/{profile}/{lon,lat;…}?sources=…&destinations=…&
    annotations=duration` and converts the `durations` (seconds) to minutes. Big requests are
    cut into blocks of at most `max_block` origins × `max_block` destinations (osrm-backend
    refuses tables above `--max-table-size`, 100 coordinates by default). Blocks are cached in
    an in-memory LRU keyed by the coordinates rounded to `round_digits` decimals (5 ≈ 1 m).

    On any error (connection, timeout, HTTP status, malformed answer) the block — and every
    block after it in the same call — is computed by `fallback` (a `GreatCircleTravel` by
    default) and a warning is logged; cells the service reports as unreachable (`null`) are
    filled from the fallback too. `last_source` says where the last matrix came from.
    """

    def __init__(
        self,
        base_url: str,
        *,
        profiles: dict[TravelMode, str] | None = None,
        timeout_seconds: float = 5.0,
        max_block: int = 50,
        cache_size: int = 256,
        round_digits: int = 5,
        fallback: TravelTimeModel | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.profiles = profiles or {TravelMode.VEHICLE: "driving", TravelMode.FOOT: "foot"}
        self.max_block = max_block
        self.cache_size = cache_size
        self.round_digits = round_digits
        self.fallback: TravelTimeModel = fallback or GreatCircleTravel()
        self.client = client or httpx.Client(timeout=timeout_seconds)
        self._cache: OrderedDict[tuple, np.ndarray] = OrderedDict()
        self.last_source: TravelSource | None = None

    def close(self) -> None:
        self.client.close()

    def matrix(
        self,
        origins: Sequence[Place],
        destinations: Sequence[Place],
        mode: TravelMode = TravelMode.VEHICLE,
    ) -> np.ndarray:
        o = np.round(_lonlat_array(origins, "origins"), self.round_digits)
        d = np.round(_lonlat_array(destinations, "destinations"), self.round_digits)
        out = np.empty((len(o), len(d)))
        sources: set[str] = set()
        service_up = True
        step = self.max_block
        for r in range(0, len(o), step):
            for c in range(0, len(d), step):
                ob, db = o[r : r + step], d[c : c + step]
                block = self._block(ob, db, mode) if service_up else None
                service_up = block is not None
                if block is None:
                    sources.add("fallback")
                    block = self.fallback.matrix(_pairs(ob), _pairs(db), mode)
                else:
                    sources.add("osrm")
                    missing = np.isnan(block)
                    if missing.any():
                        sources.add("fallback")
                        block = np.where(
                            missing, self.fallback.matrix(_pairs(ob), _pairs(db), mode), block
                        )
                out[r : r + len(ob), c : c + len(db)] = block
        self.last_source = "mixed" if len(sources) > 1 else (sources.pop() if sources else "osrm")
        return out

    def minutes(self, a: Place, b: Place, mode: TravelMode = TravelMode.VEHICLE) -> float:
        return float(self.matrix([a], [b], mode)[0, 0])

    def _block(self, o: np.ndarray, d: np.ndarray, mode: TravelMode) -> np.ndarray | None:
        """Minutes for one block from the cache or the service; None when the service failed.
        Unreachable cells are NaN."""
        key = (TravelMode(mode), o.tobytes(), d.tobytes())
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        digits = self.round_digits
        coords = ";".join(f"{lon:.{digits}f},{lat:.{digits}f}" for lon, lat in [*o, *d])
        sources = ";".join(str(k) for k in range(len(o)))
        targets = ";".join(str(len(o) + k) for k in range(len(d)))
        # Literal ';' separators in the query, as in the OSRM API documentation.
        url = (
            f"{self.base_url}/table/v1/{self.profiles[TravelMode(mode)]}/{coords}"
            f"?sources={sources}&destinations={targets}&annotations=duration"
        )
        try:
            response = self.client.get(url)
            response.raise_for_status()
            body = response.json()
            if body.get("code") != "Ok":
                raise ValueError(f"service answered code {body.get('code')!r}")
            seconds = np.array(
                [[math.nan if v is None else float(v) for v in row] for row in body["durations"]]
            )
            if seconds.shape != (len(o), len(d)) or np.any(seconds < 0):
                raise ValueError(f"durations shape {seconds.shape}, expected {(len(o), len(d))}")
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AttributeError) as exc:
            log.warning(
                "OSRM table at %s failed (%s); using %s",
                self.base_url,
                exc,
                type(self.fallback).__name__,
            )
            return None
        block = seconds / 60.0
        self._cache[key] = block
        if len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return block


def _pairs(arr: np.ndarray) -> list[LonLat]:
    return [(float(lon), float(lat)) for lon, lat in arr]
