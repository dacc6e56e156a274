"""`pingan site pmedian|covering` on the small demo city, as a user runs it: from a scenario
file and from the database; the answer is re-measured independently, compared with today's
posts, drawn on an offline map with names escaped; bad input is a one-line error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from cli.main import app
from maps.offline import linked_assets
from optimizer.scenario import dump_scenario
from optimizer.siting.city import CitySitingOptions, city_instance
from rosters.demo_city import build_demo_city

runner = CliRunner()
HOSTILE = "<img src=x onerror=alert(1)>岗亭"
SMALL = ["--candidates", "300", "--seconds", "30"]


@pytest.fixture(scope="module")
def city() -> Any:
    scenario = build_demo_city(size="small")
    first = scenario.posts[0]
    posts = [first.model_copy(update={"name": HOSTILE}), *scenario.posts[1:]]
    return scenario.model_copy(update={"posts": posts})


@pytest.fixture
def city_file(city: Any, tmp_path: Path) -> Path:
    return dump_scenario(city, tmp_path / "city.json")


def run(*args: object) -> Any:
    return runner.invoke(app, [str(a) for a in args])


def chosen_indices(city: Any, options: CitySitingOptions, report: dict[str, Any]) -> tuple:
    inst = city_instance(city, options).instance
    index = {sid: j for j, sid in enumerate(inst.site_ids)}
    return inst, [index[s["id"]] for s in report["chosen"]]


def test_pmedian_from_a_scenario_file(city: Any, city_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "pmedian.html"
    result = run("--json", "site", "pmedian", "--scenario", city_file, *SMALL, "--out", out)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["result"]["status"] == "optimal"
    assert report["p"] == len(city.posts) == len(report["chosen"]) == len(report["today"])
    # re-measured on the instance the same options build
    inst, sites = chosen_indices(city, CitySitingOptions(max_candidates=300), report)
    nearest = inst.cost[:, sites].min(axis=1)
    assert float(inst.weights @ nearest) == pytest.approx(report["result"]["objective"])
    assert report["result"]["bound"] <= report["result"]["objective"] * (1 + 1e-9)
    today = inst.cost[:, [inst.site_ids.index(s["id"]) for s in report["today"]]].min(axis=1)
    mean_today = float(inst.weights @ today) / float(inst.weights.sum())
    assert report["today_figures"]["mean_minutes"] == pytest.approx(mean_today)
    # today's posts are candidates: the optimum is never worse
    assert report["mean_minutes_saved"] >= -1e-9
    html = out.read_text(encoding="utf-8")
    assert linked_assets(html) == []  # one self-contained file
    assert all(s["id"] in html for s in report["chosen"])
    assert HOSTILE not in html
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;岗亭" in html  # escaped, in JSON


def test_covering_gains_coverage_over_todays_posts(city: Any, city_file: Path) -> None:
    result = run(
        "--json", "site", "covering", "--radius", "10", "--scenario", city_file, *SMALL, "--no-map"
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert "map" not in report
    assert report["result"]["status"] == "optimal"
    options = CitySitingOptions(model="covering", radius_minutes=10, max_candidates=300)
    inst, sites = chosen_indices(city, options, report)
    covered = float(inst.weights @ (inst.cost[:, sites].min(axis=1) <= 10))
    assert report["result"]["objective"] == pytest.approx(covered)
    assert report["chosen_figures"]["covered_share"] == pytest.approx(covered / inst.weights.sum())
    assert report["covered_share_gained"] >= 0


def test_table_output_shows_gap_and_comparison(city_file: Path, tmp_path: Path) -> None:
    result = run("site", "pmedian", "--scenario", city_file, *SMALL, "--out", tmp_path / "m.html")
    assert result.exit_code == 0, result.output
    for text in ("差距 gap", "平均缩短 mean minutes saved", "现有点位 today's posts"):
        assert text in result.output


def test_from_the_database(city_file: Path, tmp_path: Path) -> None:
    db = ["--database-url", f"sqlite:///{tmp_path / 'pingan.db'}"]
    assert run(*db, "scenario", "load", city_file).exit_code == 0
    result = run(*db, "--json", "site", "pmedian", "--p", "3", *SMALL, "--no-map")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["p"] == 3 and len(report["chosen"]) == 3
    assert report["result"]["status"] == "optimal"
    missing = run(*db, "site", "pmedian", "--county", "NOPE", *SMALL)
    assert missing.exit_code == 1 and "--county: no jurisdiction 'NOPE'" in missing.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--p", "5000"], "p: must be between 1 and the 300 candidates, got 5000"),
        (["--lang", "fr"], "--lang: expected zh or en"),
        (["--seconds", "0"], "--seconds: expected 0.5–3600"),
        (["--candidates", "0"], "--candidates: "),
        (["--kind", "tower"], "--kind: "),
    ],
)
def test_bad_input_is_one_line(city_file: Path, tmp_path: Path, args: list, message: str) -> None:
    out = tmp_path / "never.html"
    result = run("site", "pmedian", "--scenario", city_file, *SMALL, "--out", out, *args)
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert not out.exists()


def test_a_roster_without_zones_is_refused(city: Any, tmp_path: Path) -> None:
    bare = dump_scenario(city.model_copy(update={"zones": []}), tmp_path / "bare.json")
    result = run("site", "pmedian", "--scenario", bare, *SMALL)
    assert result.exit_code == 1
    assert "zones: the roster has no patrol zones" in result.output


def test_demand_points_spread_the_risk(city: Any) -> None:
    options = CitySitingOptions(max_candidates=300, demand_points=200)
    inst = city_instance(city, options).instance
    assert 150 <= inst.n <= 260
    weekly = sum(sum(map(sum, z.risk)) for z in city.zones)
    assert float(np.sum(inst.weights)) == pytest.approx(weekly)
