"""`pingan site pmedian|covering`: where p posts would best serve the zones' risk, on the
roster's geography (grid centres and points along the grid boundaries as candidate sites,
the zones' weekly risk as demand, the travel model's times), compared with today's posts and
drawn on an offline map.

    pingan site pmedian --p 50 --seconds 120
    pingan site covering --radius 5 --county ZY06 --out covering.html
    pingan --json site pmedian --scenario city.json --no-map
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from cli.common import database_engine, emit, fail

#: option of each field of `CitySitingOptions` (for error messages)
OPTION_OF = {
    "max_candidates": "--candidates",
    "road_spacing_km": "--road-spacing",
    "radius_minutes": "--radius",
    "post_kinds": "--kind",
}

site_app = typer.Typer(
    help="Post siting on the roster's geography (p-median, maximal covering).",
    no_args_is_help=True,
)

POption = Annotated[
    int | None, typer.Option("--p", help="sites to open (default: as many as today's posts)")
]
CountyOption = Annotated[str | None, typer.Option("--county", help="only this county (code)")]
ScenarioOption = Annotated[
    Path | None, typer.Option("--scenario", help="scenario JSON; default: the database")
]
SecondsOption = Annotated[float, typer.Option("--seconds", help="time limit of the solve")]
CandidatesOption = Annotated[
    int, typer.Option("--candidates", help="at most this many candidate sites")
]
DemandOption = Annotated[
    int | None,
    typer.Option(
        "--demand-points", help="spread the demand over this many points (default: one a zone)"
    ),
]
SpacingOption = Annotated[
    float, typer.Option("--road-spacing", help="km between candidate points on grid boundaries")
]
KindOption = Annotated[
    list[str] | None,
    typer.Option("--kind", help="today's posts of this kind only (repeatable)"),
]
KeepOption = Annotated[
    bool, typer.Option("--keep-posts", help="keep today's posts open; p counts them")
]
OutOption = Annotated[
    Path | None, typer.Option("--out", help="map HTML file (default under the output dir)")
]
NoMapOption = Annotated[bool, typer.Option("--no-map", help="do not draw the map")]
LangOption = Annotated[str, typer.Option("--lang", help="map language: zh (default) or en")]
SeedOption = Annotated[int, typer.Option("--seed", help="seed of the sampled points")]


@site_app.command("pmedian")
def pmedian(
    p: POption = None,
    county: CountyOption = None,
    scenario: ScenarioOption = None,
    seconds: SecondsOption = 60.0,
    candidates: CandidatesOption = 2000,
    demand_points: DemandOption = None,
    road_spacing: SpacingOption = 1.0,
    kind: KindOption = None,
    keep_posts: KeepOption = False,
    out: OutOption = None,
    no_map: NoMapOption = False,
    lang: LangOption = "zh",
    seed: SeedOption = 0,
) -> None:
    """Least risk-weighted travel time to the nearest site (p-median), with its proven gap."""
    _site(
        "pmedian", p, None, county, scenario, seconds, candidates, demand_points,
        road_spacing, kind, keep_posts, out, no_map, lang, seed,
    )  # fmt: skip


@site_app.command("covering")
def covering(
    radius: Annotated[float, typer.Option("--radius", help="minutes of the coverage radius")] = 5.0,
    p: POption = None,
    county: CountyOption = None,
    scenario: ScenarioOption = None,
    seconds: SecondsOption = 60.0,
    candidates: CandidatesOption = 2000,
    demand_points: DemandOption = None,
    road_spacing: SpacingOption = 1.0,
    kind: KindOption = None,
    keep_posts: KeepOption = False,
    out: OutOption = None,
    no_map: NoMapOption = False,
    lang: LangOption = "zh",
    seed: SeedOption = 0,
) -> None:
    """Most risk within `--radius` minutes of a site (maximal covering), with its proven gap."""
    _site(
        "covering", p, radius, county, scenario, seconds, candidates, demand_points,
        road_spacing, kind, keep_posts, out, no_map, lang, seed,
    )  # fmt: skip


def _site(
    model: str,
    p: int | None,
    radius: float | None,
    county: str | None,
    scenario_path: Path | None,
    seconds: float,
    candidates: int,
    demand_points: int | None,
    road_spacing: float,
    kinds: list[str] | None,
    keep_posts: bool,
    out: Path | None,
    no_map: bool,
    lang: str,
    seed: int,
) -> None:
    from pydantic import ValidationError

    from optimizer.siting.city import CitySitingOptions, site_city
    from optimizer.siting.problem import SitingInputError

    if lang not in ("zh", "en"):
        fail(f"--lang: expected zh or en, got {lang!r}")
    if not 0.5 <= seconds <= 3600:
        fail(f"--seconds: expected 0.5–3600, got {seconds:g}")
    try:
        options = CitySitingOptions(
            model=model,  # type: ignore[arg-type]
            p=p,
            radius_minutes=radius if radius is not None else 5.0,
            post_kinds=kinds or None,  # type: ignore[arg-type]
            keep_posts=keep_posts,
            max_candidates=candidates,
            road_spacing_km=road_spacing,
            demand_points=demand_points,
            seed=seed,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0])
        fail(f"{OPTION_OF.get(field, '--' + field.replace('_', '-'))}: {first['msg']}")
    scenario = _scenario(scenario_path, county)
    try:
        report = site_city(scenario, options, time_limit=seconds)
    except SitingInputError as exc:
        fail(str(exc))
    data: dict[str, Any] = report.model_dump(mode="json")
    if not no_map:
        data["map"] = str(_draw(scenario, report, out, model, lang))
    emit(data if _json() else _summary(data), title=f"pingan site {model}")


def _json() -> bool:
    from cli.common import state

    return state.json_output


def _scenario(path: Path | None, county: str | None) -> Any:
    if path is not None:
        from optimizer.scenario import ScenarioError, load_scenario

        if not path.is_file():
            fail(f"--scenario: no such file {str(path)!r}")
        try:
            scenario = load_scenario(path)
        except ScenarioError as exc:
            fail(f"--scenario: {exc}")
        if county:
            fail("--county: only with the database (cut the scenario file instead)")
        return scenario
    from sqlmodel import Session

    from rosters.scenario_db import export_scenario
    from rosters.settings import get_settings

    settings = get_settings()
    with Session(database_engine()) as session:
        if county:
            from sqlmodel import select

            from rosters.models.geography import Jurisdiction

            found = session.exec(select(Jurisdiction).where(Jurisdiction.code == county)).first()
            if found is None:
                fail(f"--county: no jurisdiction {county!r} in the roster")
        return export_scenario(
            session,
            start=dt.date.today(),
            days=1,
            county=county,
            name="siting",
            tz=settings.timezone,
            drill_absences=False,
        )


def _draw(scenario: Any, report: Any, out: Path | None, model: str, lang: str) -> Path:
    from maps.scenario_map import write_map
    from maps.siting_map import siting_map

    if out is None:
        from rosters.settings import get_settings

        out = Path(get_settings().output_dir) / f"siting-{model}.html"
    return write_map(siting_map(scenario, report, lang=lang), out)  # type: ignore[arg-type]


def _summary(data: dict[str, Any]) -> dict[str, Any]:
    """The figures a commander reads: the proof, and chosen vs today's posts."""
    result, chosen, today = data["result"], data["chosen_figures"], data["today_figures"]
    rows: dict[str, Any] = {
        "模型 model": data["model"],
        "状态 status": result["status"],
        "目标值 objective": result["objective"],
        "下界 bound": result["bound"],
        "差距 gap": "—" if result["gap"] is None else f"{result['gap']:.4%}",
        "下界来源 bound source": result["bound_source"],
        "用时 seconds": result["solve_seconds"],
        "选址数 sites (p)": data["p"],
        "候选点 candidates": data["candidates"],
        "需求点 demand points": data["demand_points"],
        "平均到达 mean minutes (chosen)": chosen["mean_minutes"],
        "最长到达 max minutes (chosen)": chosen["max_minutes"],
        f"{data['radius_minutes']:g} 分钟覆盖 covered (chosen)": f"{chosen['covered_share']:.1%}",
    }
    if today is not None:
        rows |= {
            "现有点位 today's posts": today["sites"],
            "平均到达 mean minutes (today)": today["mean_minutes"],
            "最长到达 max minutes (today)": today["max_minutes"],
            f"{data['radius_minutes']:g} 分钟覆盖 covered (today)": f"{today['covered_share']:.1%}",
            "平均缩短 mean minutes saved": data["mean_minutes_saved"],
            "最长缩短 max minutes saved": data["max_minutes_saved"],
            "覆盖提升 covered share gained": f"{data['covered_share_gained']:+.1%}",
        }
    if "map" in data:
        rows["地图 map"] = data["map"]
    return rows


def register(app: typer.Typer) -> None:
    app.add_typer(site_app, name="site")
