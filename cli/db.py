"""`pingan db upgrade`: create or update the database schema (Alembic)."""

from __future__ import annotations

import typer

from cli.common import database_engine, emit

db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade() -> None:
    """Create or bring the database schema up to date."""
    engine = database_engine(migrate_schema=True)
    emit({"database": engine.url.render_as_string(hide_password=True), "schema": "up to date"})


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
