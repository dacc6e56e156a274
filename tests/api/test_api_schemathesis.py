"""Property-based run of schemathesis over the OpenAPI spec, against the ASGI app directly
(a small roster loaded, calls made as an admin): no 5xx, and every response conforms to the
documented status codes, content types, headers and schemas. Bounded: one test per
operation, a few examples each, no shrinking; the endless /events stream is left out.

(Operations are listed at collection time and each test draws cases from the operation's
hypothesis strategy: schemathesis' `from_fixture` does not run on pytest 9.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks

from api.app import create_app
from api.auth import hash_password
from api.models import Role
from rosters.db import make_engine, session_scope
from rosters.scenario_db import load_scenario_into_db
from tests.api.conftest import add_users, api_settings, bearer
from tests.conftest import BACKENDS, _new_database
from tests.optimizer.patrol_cases import person, post, scenario

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]
ADMIN = bearer(Role.ADMIN)
SKIP = {"/events"}


def _labels() -> list[str]:
    spec = create_app(api_settings(), make_engine("sqlite://")).openapi()
    schema = schemathesis.openapi.from_dict(spec)
    ops = (r.ok() for r in schema.get_all_operations())
    return [op.label for op in ops if op.path not in SKIP]


@pytest.fixture(scope="module", params=BACKENDS)
def spec(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[schemathesis.BaseSchema]:
    engine, cleanup = _new_database(request.param, Path(tmp_path_factory.mktemp("st")))
    add_users(engine, hash_password("not-used-here"))
    case = scenario([person(f"P{i}", armed=i < 2) for i in range(4)], [post("X1")])
    with session_scope(engine) as session:
        load_scenario_into_db(session, case)
    app = create_app(api_settings(), engine)
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    cleanup()  # type: ignore[operator]


@pytest.mark.parametrize("label", _labels())
def test_operation_conforms_to_the_spec(spec: schemathesis.BaseSchema, label: str) -> None:
    method, path = label.split(" ", 1)
    operation = spec[path][method]

    @given(data=st.data())
    @settings(
        max_examples=5,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(data: st.DataObject) -> None:
        case = data.draw(operation.as_strategy())
        case.call_and_validate(headers=ADMIN, checks=CHECKS)

    run()
