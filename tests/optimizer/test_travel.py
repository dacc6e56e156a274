"""Travel-time models: great-circle sanity, explicit matrices, and the OSRM client against a
small real HTTP server on 127.0.0.1 (answering, garbage, silent, down)."""

from __future__ import annotations

import json
import math
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from optimizer.scenario import TravelMatrix
from optimizer.travel import (
    EARTH_RADIUS_KM,
    GreatCircleTravel,
    MatrixTravel,
    OsrmTableTravel,
    TravelMode,
    TravelTimeModel,
    haversine_km,
)

LONDON = (-0.1276, 51.5072)
PARIS = (2.3522, 48.8566)
ONE_DEGREE_KM = 2 * math.pi * EARTH_RADIUS_KM / 360


# --- great circle -------------------------------------------------------------------------


def test_haversine_known_distances() -> None:
    # London–Paris is about 343.5 km great-circle; one degree of a meridian is 2πR/360.
    assert haversine_km([LONDON], [PARIS])[0, 0] == pytest.approx(343.5, rel=0.01)
    assert haversine_km([(10.0, 0.0)], [(10.0, 1.0)])[0, 0] == pytest.approx(ONE_DEGREE_KM)
    assert haversine_km([PARIS], [PARIS])[0, 0] == 0.0


def test_minutes_follow_speed_by_mode_and_area() -> None:
    a, b = (116.0, 39.0), (116.0, 40.0)
    urban = GreatCircleTravel(area="urban", circuity=1.0)
    rural = GreatCircleTravel(area="rural", circuity=1.0)
    assert urban.minutes(a, b) == pytest.approx(ONE_DEGREE_KM / 30 * 60)
    assert rural.minutes(a, b) == pytest.approx(ONE_DEGREE_KM / 60 * 60)
    assert urban.minutes(a, b, TravelMode.FOOT) == pytest.approx(ONE_DEGREE_KM / 5 * 60)
    detour = GreatCircleTravel(circuity=1.3, fixed_minutes=2.0)
    assert detour.minutes(a, b) == pytest.approx(ONE_DEGREE_KM * 1.3 / 30 * 60 + 2.0)
    custom = GreatCircleTravel(speed_kmh={(TravelMode.VEHICLE, "urban"): 45.0}, circuity=1.0)
    assert custom.minutes(a, b) == pytest.approx(ONE_DEGREE_KM / 45 * 60)


def test_minutes_grow_with_distance() -> None:
    model = GreatCircleTravel()
    origin = (104.06, 30.67)
    targets = [(104.06 + 0.01 * k, 30.67 + 0.005 * k) for k in range(10)]
    row = model.matrix([origin], targets)[0]
    assert np.all(np.diff(row) > 0)


def test_matrix_shape_and_orientation() -> None:
    model = GreatCircleTravel()
    origins = [(116.0, 39.0), (116.1, 39.0), (116.2, 39.0)]
    destinations = [(116.0, 39.1), (116.3, 39.0), (116.0, 39.0), (115.9, 39.2)]
    m = model.matrix(origins, destinations)
    assert m.shape == (3, 4)
    assert m[2, 1] == pytest.approx(model.minutes(origins[2], destinations[1]))
    assert m[0, 2] == 0.0
    assert isinstance(model, TravelTimeModel)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"area": "suburb"}, "area"), ({"circuity": 0.8}, "circuity")],
)
def test_bad_parameters_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        GreatCircleTravel(**kwargs)


def test_bad_coordinates_are_rejected() -> None:
    with pytest.raises(ValueError, match="latitude"):
        GreatCircleTravel().matrix([(116.0, 95.0)], [(116.0, 39.0)])


# --- explicit matrix ----------------------------------------------------------------------


def test_matrix_travel_selects_by_id() -> None:
    table = np.array([[0, 4, 9], [5, 0, 3], [8, 2, 0]], dtype=float)
    model = MatrixTravel(["a", "b", "c"], table)
    assert model.matrix(["c", "a"], ["b", "c"]).tolist() == [[2, 0], [4, 9]]
    assert model.minutes("b", "c", TravelMode.FOOT) == 3
    scenario = MatrixTravel.from_scenario(TravelMatrix(ids=["a", "b", "c"], minutes=table.tolist()))
    assert scenario.minutes("c", "a") == 8
    with pytest.raises(ValueError, match="unknown id 'z'"):
        model.matrix(["z"], ["a"])
    with pytest.raises(ValueError, match="shape"):
        MatrixTravel(["a", "b"], table)
    foot_only = MatrixTravel(["a", "b", "c"], {TravelMode.FOOT: table})
    with pytest.raises(ValueError, match="mode"):
        foot_only.matrix(["a"], ["b"], TravelMode.VEHICLE)


# --- OSRM table service -------------------------------------------------------------------


def fake_seconds(a: tuple[float, float], b: tuple[float, float]) -> float:
    """What the test server answers: 1000 s per degree of Manhattan distance."""
    return 1000 * (abs(a[0] - b[0]) + abs(a[1] - b[1]))


class TableHandler(BaseHTTPRequestHandler):
    mode = "ok"  # ok | garbage | slow | null
    requests: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        TableHandler.requests.append(url.path)
        if TableHandler.mode == "slow":
            time.sleep(1.0)
        if TableHandler.mode == "garbage":
            self._send(200, b"<html>not a table</html>")
            return
        coords = [tuple(map(float, c.split(","))) for c in url.path.split("/")[-1].split(";")]
        query = parse_qs(url.query)
        sources = [int(k) for k in query["sources"][0].split(";")]
        destinations = [int(k) for k in query["destinations"][0].split(";")]
        durations = [[fake_seconds(coords[s], coords[d]) for d in destinations] for s in sources]
        if TableHandler.mode == "null":
            durations[0][0] = None
        self._send(200, json.dumps({"code": "Ok", "durations": durations}).encode())

    def _send(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def osrm_url() -> Iterator[str]:
    TableHandler.mode, TableHandler.requests = "ok", []
    server = ThreadingHTTPServer(("127.0.0.1", 0), TableHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def places(n: int, shift: float = 0.0) -> list[tuple[float, float]]:
    return [(116.3 + 0.01 * k + shift, 39.9 + 0.003 * k) for k in range(n)]


def expected_minutes(origins, destinations) -> np.ndarray:
    return np.array([[fake_seconds(a, b) / 60 for b in destinations] for a in origins])


def test_osrm_answers_are_used_chunked_and_cached(osrm_url: str) -> None:
    origins, destinations = places(7), places(5, shift=0.002)
    model = OsrmTableTravel(osrm_url, max_block=3)
    got = model.matrix(origins, destinations)
    assert model.last_source == "osrm"
    np.testing.assert_allclose(got, expected_minutes(origins, destinations), atol=1e-6)
    assert len(TableHandler.requests) == 3 * 2  # 7 origins × 5 destinations in 3 × 3 blocks
    assert all(path.startswith("/table/v1/driving/") for path in TableHandler.requests)
    again = model.matrix(origins, destinations)
    np.testing.assert_array_equal(again, got)
    assert len(TableHandler.requests) == 6  # served from the cache
    model.minutes(origins[0], destinations[0], TravelMode.FOOT)
    assert TableHandler.requests[-1].startswith("/table/v1/foot/")
    model.close()


def test_osrm_unreachable_cells_come_from_fallback(osrm_url: str) -> None:
    TableHandler.mode = "null"
    fallback = GreatCircleTravel()
    model = OsrmTableTravel(osrm_url, fallback=fallback)
    origins, destinations = places(2), places(2, shift=0.05)
    got = model.matrix(origins, destinations)
    assert model.last_source == "mixed"
    assert got[0, 0] == pytest.approx(fallback.minutes(origins[0], destinations[0]))
    assert got[1, 1] == pytest.approx(fake_seconds(origins[1], destinations[1]) / 60)


@pytest.mark.parametrize("mode", ["garbage", "slow"])
def test_osrm_falls_back_on_bad_or_silent_service(
    osrm_url: str, mode: str, caplog: pytest.LogCaptureFixture
) -> None:
    TableHandler.mode = mode
    model = OsrmTableTravel(osrm_url, timeout_seconds=0.2, max_block=2)
    origins, destinations = places(3), places(3, shift=0.05)
    got = model.matrix(origins, destinations)
    assert model.last_source == "fallback"
    np.testing.assert_allclose(got, GreatCircleTravel().matrix(origins, destinations))
    assert "OSRM table" in caplog.text
    assert len(TableHandler.requests) == 1  # later blocks skip a failing service


def test_osrm_falls_back_when_server_is_down() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again on exit: nothing listens there
    model = OsrmTableTravel(f"http://127.0.0.1:{port}", timeout_seconds=1.0)
    assert model.minutes(LONDON, PARIS) == pytest.approx(GreatCircleTravel().minutes(LONDON, PARIS))
    assert model.last_source == "fallback"
