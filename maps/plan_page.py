"""The plan page: a patrol plan as a table (who, unit, where, shift, armed) filtered by county
and shift, its map with the shift slider, an Excel download and a print stylesheet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from maps.labels import DEFAULT_LANG, Lang, label
from maps.pages import lang_switch_href, nav_html, page_html, page_labels, render_template
from maps.scenario_map import plan_map
from maps.tiles import TileSource
from optimizer.scenario import Assignment, Scenario


@dataclass(frozen=True)
class PlanMeta:
    """What the page says about the plan itself."""

    id: int | None
    name: str
    start: dt.date
    days: int
    status: str
    published: bool


def _counties(scenario: Scenario) -> tuple[dict[str, str], dict[str, str]]:
    """(jurisdiction id → its county's id, county id → name). A jurisdiction above the
    county level maps to itself."""
    jurs = scenario.by_id("jurisdictions")
    county_of: dict[str, str] = {}
    for jid in jurs:
        j = jurs[jid]
        seen = j
        while seen.level.value not in ("county", "city") and seen.parent_id in jurs:
            seen = jurs[seen.parent_id]
        county_of[jid] = seen.id
    names = {c: jurs[c].name for c in set(county_of.values())}
    return county_of, names


def target_county(scenario: Scenario) -> dict[str, str]:
    """Each post, zone and jurisdiction id → the id of its county."""
    county_of, _ = _counties(scenario)
    out = dict(county_of)
    for post in scenario.posts:
        out[post.id] = county_of.get(post.jurisdiction_id, post.jurisdiction_id)
    for zone in scenario.zones:
        out[zone.id] = county_of.get(zone.jurisdiction_id, zone.jurisdiction_id)
    return out


def plan_rows(
    scenario: Scenario,
    plan: Sequence[Assignment],
    lang: Lang = DEFAULT_LANG,
    county: str | None = None,
    shift: str | None = None,
) -> list[dict[str, Any]]:
    """The plan's table, in time order, only the given county and shift when asked. A person
    no longer on the roster is shown by badge."""
    people, shifts, units = (scenario.by_id(k) for k in ("people", "shifts", "units"))
    places = {
        **{j.id: j.name for j in scenario.jurisdictions},
        **{p.id: p.name for p in scenario.posts},
        **{z.id: z.name for z in scenario.zones},
    }
    county_of = target_county(scenario)
    _, county_names = _counties(scenario)
    yes, no = ("是", "否") if lang == "zh" else ("yes", "no")
    rows = []
    for a in plan:
        if shift and a.shift_id != shift:
            continue
        where_county = county_of.get(a.target_id, "")
        if county and where_county != county:
            continue
        person = people.get(a.person_id)
        template = shifts.get(a.shift_id)
        begin, end = template.interval(a.date) if template else (None, None)
        unit = units.get(person.unit_id) if person and person.unit_id else None
        rows.append(
            {
                "date": a.date.isoformat(),
                "shift": a.shift_id,
                "shift_label": (
                    f"{template.name} {begin:%H:%M}–{end:%H:%M}" if template else a.shift_id
                ),
                "task": label(f"task.{a.task.value}", lang),
                "target": a.target_id,
                "where": places.get(a.target_id, a.target_id),
                "county": where_county,
                "county_name": county_names.get(where_county, where_county),
                "badge": a.person_id,
                "name": person.name if person else "",
                "unit": unit.name if unit else "",
                "armed": yes if person and person.armed else no,
                "phone": person.phone if person else "",
                "_start": begin or dt.datetime.combine(a.date, dt.time()),
            }
        )
    rows.sort(key=lambda r: (r["_start"], r["county"], r["target"], r["badge"]))
    for r in rows:
        del r["_start"]
    return rows


def filter_plan(
    scenario: Scenario, plan: Sequence[Assignment], county: str | None, shift: str | None
) -> list[Assignment]:
    county_of = target_county(scenario)
    return [
        a
        for a in plan
        if (not shift or a.shift_id == shift)
        and (not county or county_of.get(a.target_id) == county)
    ]


def _only_county(scenario: Scenario, county: str | None) -> Scenario:
    """The scenario with only the county's posts and zones (for its map)."""
    if not county:
        return scenario
    where = target_county(scenario)
    return scenario.model_copy(
        update={
            "posts": [p for p in scenario.posts if where.get(p.id) == county],
            "zones": [z for z in scenario.zones if where.get(z.id) == county],
        }
    )


def plan_page(
    *,
    scenario: Scenario,
    plan: Sequence[Assignment],
    meta: PlanMeta,
    user: str,
    role: str,
    lang: Lang = DEFAULT_LANG,
    county: str | None = None,
    shift: str | None = None,
    tiles: TileSource | None = None,
) -> str:
    """The plan page for ``plan`` drawn on ``scenario`` (the roster of its horizon)."""
    if county and county not in {c for c in target_county(scenario).values()}:
        raise ValueError(f"county: unknown county {county!r}")
    if shift and shift not in scenario.by_id("shifts"):
        raise ValueError(f"shift: unknown shift {shift!r}")
    shown = filter_plan(scenario, plan, county, shift)
    m = plan_map(_only_county(scenario, county), shown, lang=lang, tiles=tiles)
    rows = plan_rows(scenario, shown, lang)
    _, names = _counties(scenario)
    used = target_county(scenario)
    counties = sorted({used[a.target_id] for a in plan if a.target_id in used})
    query = {k: v for k, v in (("county", county), ("shift", shift)) if v}
    base = f"/pages/plan/{meta.id}" if meta.id is not None else "/pages/plan"
    heading = (
        f"{meta.name} · {meta.start.isoformat()} +{meta.days} · "
        f"{label('page.published' if meta.published else 'page.draft', lang)}"
    )
    body = render_template(
        "plan.html",
        heading=heading,
        action=base,
        lang=lang,
        counties=[{"id": c, "name": names.get(c, c), "selected": c == county} for c in counties],
        shifts=[{"id": s.id, "name": s.name, "selected": s.id == shift} for s in scenario.shifts],
        all_text=label("page.all", lang),
        filter_text=label("page.filter", lang),
        xlsx_href=f"/pages/plan/{meta.id}/xlsx" if meta.id is not None else "",
        xlsx_text=label("page.download_xlsx", lang),
        print_text=label("page.print", lang),
        count=f"{len(rows)} {label('page.rows', lang)}",
        columns=[
            label(k, lang)
            for k in (
                "field.date",
                "field.shift",
                "field.county",
                "field.task",
                "field.where",
                "field.badge",
                "field.person",
                "field.unit",
                "field.armed",
                "field.phone",
            )
        ],
        rows=rows,
        county_label=label("field.county", lang),
        shift_label=label("field.shift", lang),
    )
    switch = lang_switch_href(base, query, lang)
    nav = nav_html(page="plan", lang=lang, user=user, role=role, switch_href=switch)
    data = {
        "page": "plan",
        "lang": lang,
        "labels": page_labels(lang, ("page.",)),
        "plan": meta.id,
        "rows": len(rows),
        "session_url": "/pages/session",
        "login_url": "/pages/login",
    }
    title = f"{label('page.plan', lang)} · {label('app.title', lang)}"
    return page_html(m, page="plan", title=title, nav=nav, body=body, data=data)
