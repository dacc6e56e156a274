"""`pingan incident report|suggest|dispatch|arrive|close|list|backfill`: incidents from report
to close, with suggestions of the units to send and how to fill the hole."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import Session, select

from cli.common import database_engine, emit, fail
from dispatch.dispatching import DispatchConflict, close_incident, dispatch_units, mark_on_scene
from dispatch.lifecycle import IllegalTransition, IncidentNotFound, report_incident
from dispatch.models import Escalation, Incident
from dispatch.suggesting import backfill_for_incident, suggest_for_incident
from optimizer.scenario import IncidentNeeds

incident_app = typer.Typer(
    help="Incidents: report, suggest units, dispatch, close.", no_args_is_help=True
)

Actor = Annotated[str, typer.Option("--by", help="who does this (for the audit trail)")]


def _skills(values: list[str]) -> dict[str, int]:
    out = {}
    for v in values:
        name, _, count = v.partition("=")
        if not name or (count and not count.isdigit()):
            fail(f"--skill {v!r}: expected NAME or NAME=COUNT, e.g. riot_control=4")
        out[name] = int(count or 1)
    return out


@incident_app.command("report")
def report(
    code: Annotated[str, typer.Argument(help="incident id, e.g. 2026-0301-07")],
    lon: Annotated[float, typer.Option(help="longitude (WGS84)")],
    lat: Annotated[float, typer.Option(help="latitude (WGS84)")],
    kind: Annotated[str, typer.Option(help="mass_incident, violent, terror, fire, flood…")],
    by: Actor,
    severity: Annotated[int, typer.Option(min=1, max=4)] = 2,
    jurisdiction: Annotated[str | None, typer.Option(help="township/village code")] = None,
    headcount: Annotated[int, typer.Option(min=0)] = 1,
    armed: Annotated[int, typer.Option(min=0)] = 0,
    vehicles: Annotated[int, typer.Option(min=0)] = 0,
    skill: Annotated[list[str], typer.Option(help="NAME=COUNT, repeatable")] = [],  # noqa: B006
    escalation: Annotated[Escalation | None, typer.Option()] = None,
    note: str = "",
) -> None:
    """Record a new incident."""
    needs = IncidentNeeds(
        headcount=headcount, armed=armed, vehicles=vehicles, skills=_skills(skill)
    )
    with Session(database_engine()) as session:
        try:
            inc = report_incident(
                session,
                code=code,
                kind=kind,
                location=(lon, lat),
                needs=needs,
                actor=by,
                severity=severity,
                jurisdiction=jurisdiction,
                escalation=escalation,
                note=note,
            )
            session.commit()
        except ValueError as exc:
            fail(str(exc))
        emit({"incident": inc.code, "status": inc.status, "needs": inc.needs})


@incident_app.command("suggest")
def suggest(
    code: str,
    by: Actor = "system",
    exclude: Annotated[list[str], typer.Option(help="unit to leave out, repeatable")] = [],  # noqa: B006
) -> None:
    """Suggest the units to send (best first, with alternatives and reasons)."""
    with Session(database_engine()) as session:
        try:
            result = suggest_for_incident(session, code, actor=by, exclude=frozenset(exclude))
            session.commit()
        except (IncidentNotFound, IllegalTransition) as exc:
            fail(str(exc))
    from cli.common import state

    if state.json_output:
        emit(result.model_dump(mode="json"))
        return
    from cli.labels import brings, need_name, tier_name
    from optimizer.messages import note_text

    zh = state.lang == "zh"
    for s in result.suggestions:
        emit(
            [
                {
                    "unit": u.unit_id,
                    "name": u.name,
                    "ETA min": u.eta_minutes,
                    "tier": tier_name(u.tier.value, state.lang),
                    "brings": brings(u, state.lang),
                }
                for u in s.units
            ],
            title=f"方案 {s.rank}：{s.arrival_minutes} 分钟内全部到达，{s.unit_count} 个单位"
            if zh
            else f"#{s.rank}: complete in {s.arrival_minutes} min, {s.unit_count} units",
        )
    if result.best:
        emit(
            [
                {
                    **n.model_dump(),
                    "need": need_name(n.need, state.lang),
                    "note": note_text(n, state.lang),
                }
                for n in result.best.needs
            ],
            title="needs",
            columns=[
                "need",
                "requested",
                "provided",
                "met_at_minutes",
                "best_possible_minutes",
                "note",
            ],
        )
    for line in result.escalations:
        emit({"escalation": line})


@incident_app.command("dispatch")
def dispatch(
    code: str,
    by: Actor,
    unit: Annotated[
        list[str], typer.Option(help="unit to send, repeatable; default: the best suggestion")
    ] = [],  # noqa: B006
    option: Annotated[int, typer.Option(help="which suggestion (1 = best)")] = 1,
) -> None:
    """Send all or part of a suggestion (all or nothing: a unit taken meanwhile aborts)."""
    engine = database_engine()
    with Session(engine) as session:
        inc = session.exec(select(Incident).where(Incident.code == code)).first()
        if inc is None:
            fail(f"unknown incident '{code}'")
        sugg = (inc.suggestion or {}).get("suggestions", [])
        etas = {u["unit_id"]: u["eta_minutes"] for s in sugg for u in s["units"]}
        units = list(unit)
        if not units:
            if not 1 <= option <= len(sugg):
                fail(f"incident {code} has no suggestion #{option}: run `pingan incident suggest`")
            units = [u["unit_id"] for u in sugg[option - 1]["units"]]
    with Session(engine) as session:
        try:
            rows = dispatch_units(
                session, code, units, actor=by, etas={u: etas[u] for u in units if u in etas}
            )
            session.commit()
        except (DispatchConflict, IllegalTransition, IncidentNotFound, ValueError) as exc:
            fail(str(exc))
    emit({"incident": code, "dispatched": units, "count": len(rows)})


@incident_app.command("arrive")
def arrive(
    code: str,
    by: Actor,
    unit: Annotated[list[str], typer.Option(help="arrived unit; default all")] = [],  # noqa: B006
) -> None:
    """Units arrive on scene."""
    with Session(database_engine()) as session:
        try:
            arrived = mark_on_scene(session, code, actor=by, unit_codes=unit or None)
            session.commit()
        except (IllegalTransition, IncidentNotFound) as exc:
            fail(str(exc))
    emit({"incident": code, "on_scene": arrived})


@incident_app.command("backfill")
def backfill(code: str, max_moves: Annotated[int, typer.Option(min=0)] = 3) -> None:
    """Moves of idle units that restore the 3- and 5-minute coverage after a dispatch."""
    from optimizer.reinforcement.backfill import BackfillOptions

    with Session(database_engine()) as session:
        try:
            result = backfill_for_incident(
                session, code, options=BackfillOptions(max_moves=max_moves)
            )
        except IncidentNotFound as exc:
            fail(str(exc))
    emit(
        {
            "before": result.before.shares,
            "after dispatch": result.after_dispatch.shares,
            "after moves": result.after_moves.shares,
        }
    )
    emit(
        [m.model_dump() for m in result.moves],
        title="moves",
        columns=["unit_id", "status", "to_site", "travel_minutes"],
    )


@incident_app.command("close")
def close(code: str, by: Actor, note: str = "") -> None:
    """Close the incident and release its units."""
    with Session(database_engine()) as session:
        try:
            released = close_incident(session, code, actor=by, note=note)
            session.commit()
        except (IllegalTransition, IncidentNotFound) as exc:
            fail(str(exc))
    emit({"incident": code, "status": "closed", "released": released})


@incident_app.command("list")
def list_incidents(
    all_: Annotated[bool, typer.Option("--all", help="include closed incidents")] = False,
) -> None:
    """Incidents, newest first."""
    from cli.common import state
    from cli.labels import code_label, tier_name

    lang = state.lang if not state.json_output else "en"
    shown = not state.json_output  # JSON keeps the codes
    with Session(database_engine()) as session:
        query = select(Incident).order_by(Incident.reported_at.desc())  # type: ignore[attr-defined]
        if not all_:
            query = query.where(Incident.status != "closed")
        rows = [
            {
                "code": i.code,
                "kind": code_label("incident_kind", i.kind, lang) if shown else i.kind,
                "severity": i.severity,
                "status": code_label("incident", i.status, lang) if shown else i.status,
                "escalation": (
                    tier_name(i.escalation, lang) if shown and i.escalation else i.escalation
                ),
                "reported": i.reported_at.isoformat(timespec="minutes"),
            }
            for i in session.exec(query).all()
        ]
    emit(
        rows,
        title="incidents",
        columns=["code", "kind", "severity", "status", "escalation", "reported"],
    )


def register(app: typer.Typer) -> None:
    app.add_typer(incident_app, name="incident")
