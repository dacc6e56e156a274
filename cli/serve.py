"""`pingan serve` (the HTTP API with uvicorn) and `pingan user create-admin | add`."""

from __future__ import annotations

from typing import Annotated

import typer

from cli.common import database_engine, emit, fail

user_app = typer.Typer(help="Users of the server.", no_args_is_help=True)


def _password(password: str | None) -> str:
    if password:
        return password
    return typer.prompt("password", hide_input=True, confirmation_prompt=True)


def _add(username: str, password: str | None, role: str, full_name: str) -> None:
    from api.auth import AuthError, create_user
    from api.models import Role
    from rosters.db import session_scope

    try:
        wanted = Role(role)
    except ValueError:
        fail(f"--role: expected one of {', '.join(r.value for r in Role)}, got {role!r}")
    try:
        with session_scope(database_engine()) as session:
            user = create_user(session, username, _password(password), wanted, full_name)
            emit({"user": user.username, "role": user.role})
    except AuthError as exc:
        fail(str(exc))


@user_app.command("create-admin")
def create_admin(
    username: Annotated[str, typer.Option(help="the admin's login name")] = "admin",
    password: Annotated[
        str | None,
        typer.Option(
            help="password (prompted, hidden, when not given)", envvar="PINGAN_ADMIN_PASSWORD"
        ),
    ] = None,
    full_name: str = "",
) -> None:
    """Create the first admin (there is no default password)."""
    _add(username, password, "admin", full_name)


@user_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="login name")],
    role: Annotated[
        str, typer.Option(help="admin, commander, training_officer, dispatcher or viewer")
    ],
    password: Annotated[str | None, typer.Option(help="password (prompted when not given)")] = None,
    full_name: str = "",
) -> None:
    """Add a user with a role."""
    _add(username, password, role, full_name)


def serve(
    host: Annotated[
        str | None, typer.Option(help="default: PINGAN_SERVER_HOST (127.0.0.1)")
    ] = None,
    port: Annotated[int | None, typer.Option(help="default: PINGAN_SERVER_PORT (8000)")] = None,
    workers: Annotated[int, typer.Option(min=1, help="server processes (PostgreSQL for >1)")] = 1,
    log_level: Annotated[
        str, typer.Option(help="uvicorn's log level: warning leaves out the access log")
    ] = "info",
) -> None:
    """Run the HTTP API (docs at /docs)."""
    import os

    import uvicorn

    from cli.common import state
    from rosters.settings import get_settings

    if state.database_url:  # --database-url reaches the server processes too
        os.environ["PINGAN_DATABASE_URL"] = state.database_url
        get_settings.cache_clear()
    from api.signing_key import key_problem

    settings = get_settings()
    weak = key_problem(settings.secret_key)
    if weak:
        fail(weak)
    engine = database_engine()  # migrates the schema
    if workers > 1 and engine.dialect.name == "sqlite":
        fail("--workers > 1 needs PostgreSQL (PINGAN_DATABASE_URL)")
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        host=host or settings.server_host,
        port=port or settings.server_port,
        workers=workers,
        proxy_headers=False,
        log_level=log_level,
        # a worker imports the whole app (OR-Tools, folium…) before it answers the
        # supervisor's health check: on a busy machine that takes more than uvicorn's 5 s
        timeout_worker_healthcheck=60,
    )


def register(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.add_typer(user_app, name="user")
