"""Property-based run of schemathesis over the OpenAPI spec with ALL its checks, against the
ASGI app directly (a small roster loaded, calls made as an admin): no 5xx, and every response
conforms to the documented status codes, content types, headers and schemas; schema-valid
data is accepted and schema-violating data refused; an undeclared method gets a 405 whose
`Allow` names the path's methods; unparsable bodies get the documented 400.

Per operation: schemathesis' coverage phase (boundary values, missing and malformed
parameters, undeclared methods, malformed bodies and content types; the first
`COVERAGE_CASES` cases, every request-shape probe included), then `FUZZ_EXAMPLES` drawn cases
in positive and negative mode. Bounded for CI (a few minutes); the endless /events stream is
left out, and so is POST /auth/logout (it would revoke the admin's token for later calls; a
token is minted from the database before each call in any case).

`positive_data_acceptance` also counts 422 as an answer to schema-valid data: the spec cannot
say that a referenced code must exist (`jurisdiction: "K9"`), that `end_at` follows
`start_at` or that a holiday notice's days fall in its year; the API answers those with a
documented 422 problem naming the field.

(Operations are listed at collection time and each test draws cases from the operation's
strategies: schemathesis' `from_fixture` does not run on pytest 9.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.config._checks import PositiveDataAcceptanceConfig
from schemathesis.generation import GenerationMode
from schemathesis.generation.drivers import CoverageGenerator
from schemathesis.generation.feedback import FeedbackSources
from schemathesis.generation.meta import REQUEST_SHAPE_PROBES
from schemathesis.generation.overrides import Override
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from api.app import create_app
from api.auth import create_token, hash_password
from api.models import User
from rosters.db import make_engine, session_scope
from rosters.scenario_db import load_scenario_into_db
from tests.api.conftest import SECRET, add_users, api_settings
from tests.conftest import BACKENDS, _new_database
from tests.optimizer.patrol_cases import person, post, scenario

pytestmark = pytest.mark.slow

CHECKS = checks.CHECKS.get_all()
SKIP = {"/events", "/auth/logout"}
MODES = [GenerationMode.POSITIVE, GenerationMode.NEGATIVE]
FUZZ_EXAMPLES = 6
COVERAGE_CASES = 60
POSITIVE_ANSWERS = ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]


def _labels() -> list[str]:
    spec = create_app(api_settings(), make_engine("sqlite://")).openapi()
    schema = schemathesis.openapi.from_dict(spec)
    ops = (r.ok() for r in schema.get_all_operations())
    return [op.label for op in ops if op.path not in SKIP]


class Target:
    """The schema loaded from the running app, and the admin's current token."""

    def __init__(self, schema: schemathesis.BaseSchema, engine: Engine) -> None:
        self.schema, self.engine = schema, engine

    def admin(self) -> dict[str, str]:
        with Session(self.engine) as session:
            user = session.exec(select(User).where(User.username == "admin")).one()
        return {"Authorization": f"Bearer {create_token(SECRET, user, 30)[0]}"}

    def call(self, case: Any) -> None:
        """Call as the admin (the generated API key and token replaced) and run every check."""
        headers = {
            k: v
            for k, v in (case.headers or {}).items()
            if k.lower() not in ("x-api-key", "authorization")
        }
        case.headers = headers
        case.call_and_validate(headers=self.admin(), checks=CHECKS)


@pytest.fixture(scope="module", params=BACKENDS)
def target(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Target]:
    engine, cleanup = _new_database(request.param, Path(tmp_path_factory.mktemp("st")))
    add_users(engine, hash_password("not-used-here"))
    case = scenario([person(f"P{i}", armed=i < 2) for i in range(4)], [post("X1")])
    with session_scope(engine) as session:
        load_scenario_into_db(session, case)
    app = create_app(api_settings(), engine)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    schema.config.checks.positive_data_acceptance = PositiveDataAcceptanceConfig(
        expected_statuses=POSITIVE_ANSWERS
    )
    yield Target(schema, engine)
    cleanup()  # type: ignore[operator]


def _coverage_cases(operation: Any) -> list[Any]:
    generator = CoverageGenerator(
        operation=operation,
        generation_modes=MODES,
        generation_config=operation.schema.config.generation_for(
            operation=operation, phase="coverage"
        ),
        auth_storage=None,
        override=Override(),
        feedback=FeedbackSources(),
    )
    probes, rest = [], []
    for case in generator:
        data = case.meta.phase.data if case.meta is not None else None
        (probes if getattr(data, "scenario", None) in REQUEST_SHAPE_PROBES else rest).append(case)
    return probes + rest[: max(0, COVERAGE_CASES - len(probes))]


@pytest.mark.parametrize("label", _labels())
def test_operation_conforms_to_the_spec(target: Target, label: str) -> None:
    method, path = label.split(" ", 1)
    operation = target.schema[path][method]
    for case in _coverage_cases(operation):
        target.call(case)
    strategy = st.one_of([operation.as_strategy(generation_mode=mode) for mode in MODES])

    @given(data=st.data())
    @settings(
        max_examples=FUZZ_EXAMPLES,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def run(data: st.DataObject) -> None:
        target.call(data.draw(strategy))

    run()
