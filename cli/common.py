"""What every `pingan` command shares: the database engine, output as rich tables or JSON,
progress bars, and one-line failures with a non-zero exit."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import Engine

console = Console()
err_console = Console(stderr=True)


class CliState:
    json_output: bool = False
    database_url: str | None = None
    lang: str = "zh"  # the language of tables: zh or en (`pingan --lang`)


state = CliState()


def fail(message: str, code: int = 1) -> NoReturn:
    """Stop with a one-line reason on stderr (with --json: a JSON object on stdout naming
    each problem's field, `cli.errors`) and a non-zero exit code."""
    from cli.errors import report

    report(message, state.json_output, sys.exc_info()[1], code)
    raise typer.Exit(code)


def database_engine(migrate_schema: bool = True) -> Engine:
    """The engine of the configured database, its schema brought up to date."""
    from rosters.db import get_engine, migrate

    engine = get_engine(state.database_url)
    if migrate_schema:
        migrate(engine)
    return engine


def emit(data: Any, *, title: str = "", columns: Sequence[str] | None = None) -> None:
    """Print `data` as JSON (with --json) or as a table of rows (list of dicts) / key-values."""
    if state.json_output:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=1, default=str))
        return
    from cli.labels import cell_value, word

    lang = state.lang
    if isinstance(data, dict):
        table = Table(title=word(title, lang) or None, show_header=False)
        for key, value in data.items():
            table.add_row(word(str(key), lang), _cell(cell_value(str(key), value, lang), lang))
        console.print(table)
        return
    rows = list(data)
    cols = list(columns or (rows[0].keys() if rows else []))
    table = Table(title=word(title, lang) or None)
    for col in cols:
        table.add_column(word(col, lang))
    for row in rows:
        table.add_row(*(_cell(cell_value(c, row.get(c), lang), lang) for c in cols))
    console.print(table)


def _cell(value: Any, lang: str = "zh") -> str:
    """A cell's text: numbers rounded, a list of plain values joined, a dict of plain values
    as `name: value` pairs with the table's words (other nested values as JSON)."""
    from cli.labels import word

    zh = lang == "zh"
    if isinstance(value, float):
        return f"{value:,.2f}"
    plain = (str, int, float, type(None))
    if isinstance(value, list | tuple) and all(isinstance(v, plain) for v in value):
        return ("、" if zh else ", ").join(_cell(v, lang) for v in value) or "—"
    if isinstance(value, dict) and all(isinstance(v, plain) for v in value.values()):
        pairs = [
            f"{word(str(k), lang)}{'：' if zh else ': '}{_cell(v, lang)}" for k, v in value.items()
        ]
        return ("，" if zh else ", ").join(pairs) or "—"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return "" if value is None else str(value)


@contextmanager
def progress(description: str, total: float | None = None) -> Iterator[Any]:
    """A progress bar on stderr (silent with --json); yields `advance(n=1)`."""
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:.0f}/{task.total}"),
        TimeElapsedColumn(),
        console=err_console,
        disable=state.json_output,
        transient=True,
    )
    with bar:
        task = bar.add_task(description, total=total)

        def advance(n: float = 1) -> None:
            bar.advance(task, n)

        yield advance


def track(items: Iterable[Any], description: str, total: int | None = None) -> Iterator[Any]:
    items = list(items) if total is None else items
    with progress(description, total if total is not None else len(items)) as advance:  # type: ignore[arg-type]
        for item in items:
            yield item
            advance()
