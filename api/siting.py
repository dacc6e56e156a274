"""Post siting as a background job ("siting"): the roster's geography read as a scenario,
`optimizer.siting.city.site_city` with progress and cancellation, the report (chosen sites,
today's posts, the proven gap, how much closer or how much more covered) kept on the job.
`siting_page` draws a finished job's answer on the map."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from api.jobs import JobContext, job_kind
from optimizer.scenario import PostKind, Scenario
from optimizer.siting.city import CitySitingOptions, CitySitingReport, SitingModel

KIND = "siting"


class SitingRequest(BaseModel):
    """Where `p` posts would best serve the zones' risk (see `pingan site`)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)
    model: SitingModel = "pmedian"
    p: int | None = Field(default=None, ge=1, le=5000, description="default: today's posts")
    radius_minutes: float = Field(default=5.0, gt=0, le=240, description="covering radius")
    county: str | None = Field(default=None, max_length=64, description="only this county")
    post_kinds: list[PostKind] | None = Field(default=None, max_length=8)
    keep_posts: bool = False
    max_candidates: int = Field(default=2000, ge=1, le=20_000)
    demand_points: int | None = Field(default=None, ge=1, le=50_000)
    road_spacing_km: float = Field(default=1.0, gt=0.05, le=50)
    seconds: float = Field(default=60.0, ge=0.5, le=3600, description="time limit of the solve")
    seed: int = Field(default=0, ge=0, le=2**31 - 1)

    def options(self) -> CitySitingOptions:
        return CitySitingOptions(
            model=self.model,
            p=self.p,
            radius_minutes=self.radius_minutes,
            post_kinds=self.post_kinds,
            keep_posts=self.keep_posts,
            max_candidates=self.max_candidates,
            road_spacing_km=self.road_spacing_km,
            demand_points=self.demand_points,
            seed=self.seed,
        )


def siting_scenario(engine: Any, county: str | None, tz: str) -> Scenario:
    from rosters.scenario_db import export_scenario

    with Session(engine) as session:
        return export_scenario(
            session,
            start=dt.date.today(),
            days=1,
            county=county,
            name="siting",
            tz=tz,
            drill_absences=False,
        )


@job_kind(KIND)
def run_siting(ctx: JobContext, params: dict[str, Any]) -> dict[str, Any]:
    from optimizer.siting.city import site_city

    req = SitingRequest.model_validate(params)
    scenario = siting_scenario(ctx.engine, req.county, ctx.settings.timezone)
    report = site_city(
        scenario, req.options(), time_limit=req.seconds, progress=ctx.report, cancel=ctx.cancel
    )
    out = report.model_dump(mode="json")
    out["result"].pop("shortfalls", None)  # the uncovered points: many, and in the map
    return {
        "status": report.result.status.value,
        "objective": report.result.objective,
        "bound": report.result.bound,
        "gap": report.result.gap,
        "seconds": report.result.solve_seconds,
        "report": out,
    }


def siting_page(engine: Any, tz: str, params: dict[str, Any], result: dict[str, Any]) -> str:
    """The map page of a finished siting job (assets linked under the static URL)."""
    from maps.scenario_map import map_html
    from maps.siting_map import siting_map

    req = SitingRequest.model_validate(params)
    report = CitySitingReport.model_validate(result["report"])
    return map_html(siting_map(siting_scenario(engine, req.county, tz), report))
