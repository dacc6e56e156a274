"""`pingan --json …`: every error is one JSON object on stdout naming each problem's field
(a scenario path, a command option, an argument), with the exit code; without --json the
same error is one line on stderr and stdout stays empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from cli.errors import problem
from cli.main import app

runner = CliRunner()

BAD = {
    "format": "pingan-scenario",
    "version": "1.2",
    "horizon": {"start": "2026-12-07", "days": 1},
    "people": [{"id": "a", "name": "甲", "force": "volunteer", "jurisdiction_id": "X"}],
    "covers": [{"target_id": "P"}],
}


def error_of(args: list[str], code: int) -> dict[str, Any]:
    result = runner.invoke(app, ["--json", *args])
    assert result.exit_code == code, result.output
    body = json.loads(result.stdout)
    assert set(body) == {"error"} and body["error"]["exit_code"] == code
    return body["error"]


def test_scenario_problems_come_with_their_field_paths(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(BAD), encoding="utf-8")
    error = error_of(["scenario", "validate", str(bad)], 1)
    fields = [p["field"] for p in error["problems"]]
    assert fields == ["people[0].jurisdiction_id", "covers[0].target_id", "covers[0]"]
    assert error["problems"][0]["message"] == "unknown jurisdiction 'X'"


def test_a_missing_file_names_the_file(tmp_path: Path) -> None:
    error = error_of(["scenario", "validate", str(tmp_path / "none.json")], 1)
    assert error["problems"][0]["field"].startswith("(file) ")


def test_a_bad_option_value_names_the_option() -> None:
    error = error_of(["plan", "patrol", "--days", "0"], 2)
    assert error["problems"][0]["field"] == "--days"


def test_a_command_error_names_its_option(tmp_path: Path) -> None:
    error = error_of(["plan", "patrol", "--start", "someday"], 1)
    assert error["problems"] == [
        {"field": "--start", "message": "not a date (YYYY-MM-DD): 'someday'"}
    ]


def test_a_missing_argument_and_an_unknown_command() -> None:
    assert error_of(["scenario", "validate"], 2)["problems"][0]["field"] == "file"
    assert error_of(["no-such-command"], 2)["problems"][0]["field"] is None


def test_without_json_the_error_is_one_line_on_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(BAD), encoding="utf-8")
    result = runner.invoke(app, ["scenario", "validate", str(bad)])
    assert result.exit_code == 1 and result.stdout == ""
    assert "people[0].jurisdiction_id: unknown jurisdiction 'X'" in result.stderr


def test_problem_splits_only_a_field_path() -> None:
    assert problem("covers[0].skills.first_aid: 5 exceeds") == {
        "field": "covers[0].skills.first_aid",
        "message": "5 exceeds",
    }
    assert problem("--save/--publish: give one") == {
        "field": "--save/--publish",
        "message": "give one",
    }
    assert problem("the database holds no roster: run `pingan demo`")["field"] is None
