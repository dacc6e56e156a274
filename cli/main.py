"""The `pingan` command. Each area adds its commands in a module of its own (cli/<area>.py)
and one line in SUBCOMMANDS below."""

from __future__ import annotations

import importlib
from typing import Annotated

import typer

from cli.common import fail, state
from cli.errors import JsonErrorGroup

app = typer.Typer(
    name="pingan",
    cls=JsonErrorGroup,
    help="平安 pingan: patrol plans, drills and reinforcement for command centres.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def main(
    json_output: Annotated[
        bool, typer.Option("--json", help="machine-readable JSON output")
    ] = False,
    database_url: Annotated[
        str | None,
        typer.Option("--database-url", envvar="PINGAN_DATABASE_URL", help="database URL"),
    ] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="language of tables: zh (default) or en")
    ] = "zh",
) -> None:
    state.json_output = json_output
    state.database_url = database_url
    if lang not in ("zh", "en"):
        fail(f"--lang: expected zh or en, got {lang!r}")
    state.lang = lang


# module name → how it is mounted: a Typer sub-app named like the module's NAME, or commands
# registered on `app` by the module's `register(app)`.
SUBCOMMANDS: list[str] = [
    "cli.db",
    "cli.demo",
    "cli.roster",
    "cli.scenario",
    "cli.standards",
    "cli.incident",
    "cli.plan",
    "cli.drills",
    "cli.map",
    "cli.simulate",
    "cli.serve",
    "cli.site",
    "cli.worker",
]

for module_name in SUBCOMMANDS:
    importlib.import_module(module_name).register(app)
