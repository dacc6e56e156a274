"""The plan's grids read from the tables: post × shift and person × shift, filtered by
county, day, shift and search, paged; pinned assignments marked."""

from __future__ import annotations

from sqlmodel import Session

from optimizer.scenario import parse_scenario
from rosters.models.plans import Plan
from rosters.plan_edits import store_pins
from rosters.plan_grid import GridQuery, filtered_assignments, plan_grid
from rosters.plans import save_plan
from rosters.scenario_db import load_scenario_into_db
from tests.api.city import DAY, PLAN, city_data


def _plan(session: Session) -> Plan:
    scenario = parse_scenario(city_data())
    load_scenario_into_db(session, scenario, replace=True)
    plan_id = save_plan(
        session,
        name="p",
        start=DAY,
        days=1,
        status="feasible",
        assignments=scenario.published_plan,
    )
    return session.get(Plan, plan_id)  # type: ignore[return-value]


def test_post_grid_lists_every_place_of_the_plans_counties(session: Session) -> None:
    plan = _plan(session)
    grid = plan_grid(session, plan, GridQuery())
    # two posts, a zone and standby per county; three shifts of one day
    assert grid.total == 8 and len(grid.columns) == 3 and grid.assignments == len(PLAN)
    assert [c.shift for c in grid.columns] == ["night", "day", "evening"]
    k1a = next(r for r in grid.rows if r.key == "K1-A")
    assert [sorted(c.badge for c in cell) for cell in k1a.cells] == [[], ["K1-0", "K1-1"], []]
    only = plan_grid(session, plan, GridQuery(county="K2", shift="night"))
    assert {r.county for r in only.rows} == {"K2"} and [c.shift for c in only.columns] == ["night"]
    assert only.assignments == 1


def test_person_grid_search_paging_and_pins(session: Session) -> None:
    plan = _plan(session)
    people = plan_grid(session, plan, GridQuery(view="person"))
    assert [r.key for r in people.rows] == ["K1-0", "K1-1", "K1-2", "K2-0", "K2-1"]
    found = plan_grid(session, plan, GridQuery(view="person", search="k2-"))
    assert [r.key for r in found.rows] == ["K2-0", "K2-1"]
    late = plan_grid(session, plan, GridQuery(page=99))
    assert late.query.page == 1 and late.pages == 1
    a = filtered_assignments(session, plan, GridQuery(search="K1-2"))
    assert [(x.person_id, x.target_id) for x in a] == [("K1-2", "K1-B")]
    from optimizer.patrol.pins import Pin
    from rosters.models import Person

    ids = {p.badge: p.id for p in session.query(Person).all()}
    store_pins(session, plan.id, ids, [Pin(a[0])], by="t")  # type: ignore[arg-type]
    grid = plan_grid(session, plan, GridQuery(search="K1-B"))
    cell = next(c for c in grid.rows[0].cells if c)
    assert cell[0].pinned and not cell[0].override
