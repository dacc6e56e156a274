"""Every job kind the server can submit is known where jobs run: the `pingan worker` process
(the job engine's tasks module) registers the same kinds as the API server, and both hold
every kind declared in the code (`@job_kind(...)` anywhere under api/); a real worker runs the
re-plan around pins ("patrol_replan_pins"), whose module the server imports with its pages."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session

from api.app import create_app
from api.job_kinds import all_kinds
from api.models import Role
from api.plan_replan import KIND as REPLAN_PINS
from tests.api.conftest import add_users, bearer, wait_for
from tests.distributed.conftest import REPO, Engine_, Workers
from tests.distributed.test_jobs_distributed import _finished, _plan, _two_counties


def _declared_kinds() -> set[str]:
    """The kinds declared in the source: `@job_kind("name")` or `@job_kind(KIND)` with a
    module-level `KIND = "name"`."""
    kinds: set[str] = set()
    for path in (REPO / "api").rglob("*.py"):
        tree = ast.parse(path.read_text())
        consts = {
            t.id: n.value.value
            for n in tree.body
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef):
                continue
            for d in node.decorator_list:
                if isinstance(d, ast.Call) and getattr(d.func, "id", "") == "job_kind":
                    arg = d.args[0]
                    name = arg.value if isinstance(arg, ast.Constant) else consts[arg.id]  # type: ignore[attr-defined]
                    kinds.add(str(name))
    return kinds


def _kinds_in_fresh_process(imports: str) -> set[str]:
    code = f"{imports}\nimport json\nfrom api.jobs import KINDS\nprint(json.dumps(sorted(KINDS)))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_worker_and_the_server_know_every_declared_kind() -> None:
    declared = _declared_kinds()
    assert {"patrol_plan", "drill_schedule", REPLAN_PINS} <= declared
    # what `pingan worker` loads: the Celery app, whose worker imports the tasks module
    worker = _kinds_in_fresh_process(
        "from api.job_engine.celery_app import celery_app\n"
        "for m in celery_app.conf.include: __import__(m)"
    )
    server = _kinds_in_fresh_process("from api.app import create_app")
    assert worker == server == declared == set(all_kinds())


def test_a_real_worker_runs_the_replan_around_pins(
    job_db: Engine_, workers: Workers, tmp_path: Path
) -> None:
    _two_counties(job_db)
    add_users(job_db.engine, "")
    h = bearer(Role.COMMANDER)
    workers.start(tmp_path)
    with TestClient(create_app(job_db.settings, job_db.engine)) as c:
        plan_job = _plan(c, h, seconds=10, workers=1, seed=3)
        done = wait_for(lambda: _finished(job_db, plan_job), seconds=120, every=0.2)
        assert done.status == "succeeded", (done.error, workers.log_text())
        plan_id = done.result["plan_id"]  # type: ignore[index]
        with Session(job_db.engine) as session:  # submitted as the plan page submits it
            job = c.app.state.jobs.submit(
                session, REPLAN_PINS, {"plan_id": plan_id, "seconds": 5, "workers": 1}, "test"
            )
            job_id, engine_worker = job.id, job.worker
        assert engine_worker == "celery"  # handed to the job engine, not run in this process
        replan = wait_for(lambda: _finished(job_db, job_id), seconds=120, every=0.2)
    assert replan.status == "succeeded", (replan.error, workers.log_text())
    result = replan.result or {}
    assert result["plan_id"] == plan_id and result["stored"] is True
    assert set(result["parts"]) == {"all"}  # one part: the kind run whole on the worker
