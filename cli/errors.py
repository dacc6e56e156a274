"""Every error of the `pingan` command, formatted in one place.

Without --json an error is one line on stderr (``error: people[3].unit_id: unknown unit
'XT-09'``). With --json it is one JSON object on stdout, each problem with its field path —
the scenario's field (``people[3].unit_id``), the command's option (``--start``), or null
when the problem belongs to no field — and the exit code:

    {"error": {"message": "...", "exit_code": 1,
               "problems": [{"field": "people[3].unit_id", "message": "unknown unit 'XT-09'"}]}}

Usage errors (a bad option value, an unknown command) and, with --json, unexpected failures
come out the same way (`JsonErrorGroup`, the group class of the `pingan` app)."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from typer.core import TyperGroup
from typer.exceptions import Abort, TyperException

err_console = Console(stderr=True)

#: a problem's leading field path: a scenario path (`covers[0].skills.first_aid`), one or
#: more command options (`--save/--publish`), a file, or the scenario's top level
FIELD = re.compile(
    r"^(?P<field>\(file\) \S+|\(top level\)|--[\w-]+(?:/--[\w-]+)*"
    r"|[A-Za-z_]\w*(?:\[\d+\]|\.[\w-]+)*): (?P<message>.+)$",
    re.DOTALL,
)


def problem(text: str) -> dict[str, str | None]:
    """One problem as {field, message}: the field path it starts with, if any."""
    match = FIELD.match(text)
    if match is None:
        return {"field": None, "message": text}
    return {"field": match["field"], "message": match["message"]}


def _loc(parts: Sequence[Any]) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def problems_of(message: str, exc: BaseException | None) -> list[dict[str, str | None]]:
    """The problems behind `message`: those the exception being handled lists when the
    message reports it (a scenario's `problems`, pydantic's errors), else the message."""
    if exc is not None and str(exc) and str(exc) in message:
        listed = getattr(exc, "problems", None)
        if isinstance(listed, list) and listed:
            return [problem(str(p)) for p in listed]
        if isinstance(exc, ValidationError):
            return [{"field": _loc(e["loc"]), "message": e["msg"]} for e in exc.errors()]
    return [problem(message)]


def error_object(
    message: str, exc: BaseException | None = None, exit_code: int = 1
) -> dict[str, Any]:
    return {
        "error": {
            "message": message,
            "exit_code": exit_code,
            "problems": problems_of(message, exc),
        }
    }


def report(
    message: str, json_output: bool, exc: BaseException | None = None, code: int = 1
) -> None:
    """Print an error: a JSON object on stdout with --json, one line on stderr without."""
    if json_output:
        typer.echo(json.dumps(error_object(message, exc, code), ensure_ascii=False))
    else:
        err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)


def _usage_message(exc: TyperException) -> str:
    """A usage error's message led by the option it is about (`--days: …`)."""
    text = exc.format_message()
    param = getattr(exc, "param", None)
    opts = getattr(param, "opts", None)
    if opts and opts[0].startswith("-"):
        return f"{opts[0]}: {text}"
    name = getattr(param, "name", None)
    return f"{name}: {text}" if name else text


class JsonErrorGroup(TyperGroup):
    """The `pingan` group: with --json, usage errors and unexpected failures are JSON
    objects too (`report`); without it, Typer's own output."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        wants_json = "--json" in argv[: argv.index("--") if "--" in argv else len(argv)]
        if not standalone_mode or not wants_json:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, **extra)
        except TyperException as exc:
            report(_usage_message(exc), True, None, exc.exit_code)
            sys.exit(exc.exit_code)
        except Abort:
            report("aborted", True, None, 1)
            sys.exit(1)
        except Exception as exc:  # an unexpected failure: still one JSON object
            report(f"internal error: {type(exc).__name__}: {exc}", True, None, 1)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)
