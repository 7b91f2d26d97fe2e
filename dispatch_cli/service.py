"""``dispatch serve``, ``dispatch db ...``, ``dispatch seed`` and ``dispatch users create``."""

from __future__ import annotations

import datetime as dt
import os
from typing import TYPE_CHECKING, Annotated

import typer

from dispatch.infra.settings import load_settings

if TYPE_CHECKING:
    from dispatch.demo.org import DemoSummary

db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
users_app = typer.Typer(help="User accounts.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the service commands to ``app``."""
    app.command("serve")(serve)
    app.command("worker")(worker)
    app.command("seed")(seed)
    app.add_typer(db_app, name="db")
    app.add_typer(users_app, name="users")


def serve(
    host: Annotated[str, typer.Option(help="Interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    migrate: Annotated[bool, typer.Option(help="Apply migrations before starting")] = True,
    workers: Annotated[int, typer.Option(help="Uvicorn worker processes")] = 1,
) -> None:
    """Start the API (migrations first, as a start-up step)."""
    import uvicorn

    from api.app import create_app
    from api.observability import configure_logging
    from dispatch.infra import migrate as migrations

    settings = load_settings()
    configure_logging(settings.log_level, json_logs=settings.log_json)
    if migrate:
        migrations.upgrade(settings.database_url)
    base = f"http://{host}:{port}"
    typer.echo(f"Field Dispatch API on {base}")
    typer.echo(f"  API docs:  {base}/docs")
    typer.echo(f"  console:   {base}/console")
    typer.echo(f"  health:    {base}/healthz")
    typer.echo(f"  database:  {_redact(settings.database_url)}")
    typer.echo(
        f"  jobs:      {'Redis ' + _redact(settings.redis_url) if settings.redis_url else 'in-process (no Redis configured)'}"
    )
    typer.echo("  demo log-ins (demo data only): admin / demo, dispatcher / demo, engineer / demo")
    if workers > 1:
        if not settings.redis_url:
            # the phones' day cache needs a version all the processes share (Redis)
            os.environ["DISPATCH_PHONE_CACHE"] = "false"
        uvicorn.run(
            "api.app:create_app",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
        )
    else:
        uvicorn.run(create_app(settings), host=host, port=port, log_config=None, access_log=False)


def worker(
    burst: Annotated[bool, typer.Option(help="Exit when the queue is empty")] = False,
    housekeeping: Annotated[bool, typer.Option(help="Also run the reaper and SLA sweep")] = True,
) -> None:
    """Run optimisation and simulation jobs from the Redis queues (plus the housekeeping).

    Optimisation runs come first: a worker takes a simulation run only when no
    optimisation waits.
    """
    from rq import Worker

    from api.observability import configure_logging
    from dispatch.infra import keys
    from dispatch.planning.housekeeping import Housekeeper
    from dispatch.runtime import Runtime

    settings = load_settings()
    configure_logging(settings.log_level, json_logs=settings.log_json)
    if settings.redis_url is None:
        typer.echo(
            "no Redis configured (DISPATCH_REDIS_URL): jobs run in-process inside 'dispatch serve'",
            err=True,
        )
        raise typer.Exit(code=2)
    runtime = Runtime(settings)
    keeper = Housekeeper(runtime) if housekeeping else None
    if keeper:
        keeper.start()
    try:
        assert runtime.redis is not None
        queues = [keys.queue_name(), keys.simulation_queue_name()]
        Worker(queues, connection=runtime.redis).work(burst=burst, logging_level=settings.log_level)
    finally:
        if keeper:
            keeper.stop()
        runtime.close()


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        user = creds.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in creds else f"{scheme}://{user}@{host}"
    return url


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database up to REVISION (default: the newest)."""
    from dispatch.infra import migrate as migrations

    settings = load_settings()
    migrations.upgrade(settings.database_url, revision)
    typer.echo(f"database at revision {migrations.current_revision(settings.database_url)}")


@db_app.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()]) -> None:
    """Migrate the database down to REVISION (``base`` removes every table)."""
    from dispatch.infra import migrate as migrations

    settings = load_settings()
    migrations.downgrade(settings.database_url, revision)
    typer.echo(f"database at revision {migrations.current_revision(settings.database_url)}")


@db_app.command("current")
def db_current() -> None:
    """Print the database's revision and the newest shipped one."""
    from dispatch.infra import migrate as migrations

    settings = load_settings()
    typer.echo(f"current: {migrations.current_revision(settings.database_url)}")
    typer.echo(f"head:    {migrations.head_revision()}")


def seed(
    scenario: Annotated[str, typer.Option(help="Data set to load.")] = "demo",
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the database has data.")
    ] = False,
    random_seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 7,
    day: Annotated[
        str | None,
        typer.Option(
            help="Service day YYYY-MM-DD. Default: today while its shifts have time left, "
            "else the next working day. On a database with data: the day to add.",
            metavar="DAY",
        ),
    ] = None,
    engineers: Annotated[int, typer.Option(min=1, max=500, help="Engineers (first load).")] = 25,
    tickets: Annotated[int, typer.Option(min=0, max=5000, help="Tickets of the day.")] = 150,
) -> None:
    """Load the demo metro area, or add a day of its tickets next to those loaded.

    The day is seen from the service's clock (DISPATCH_CLOCK_AT when set): requests came in
    over the last hours and the rest of the day is still plannable.
    """
    from dispatch.demo import org as demo
    from dispatch.errors import DispatchError
    from dispatch.runtime import Runtime

    if scenario != "demo":
        raise typer.BadParameter(
            f"unknown scenario {scenario!r}; available: demo", param_hint="--scenario"
        )
    service_day = _service_day(day)
    runtime = Runtime(load_settings())
    try:
        with runtime.session() as session:
            if not demo.database_is_empty(session=session):
                if if_empty:
                    typer.echo("database already has data; demo not loaded")
                    return
                if service_day is None:
                    raise typer.BadParameter(
                        "the database already has data: add a day with --day YYYY-MM-DD, "
                        "or use --if-empty to skip",
                        param_hint="--day",
                    )
            summary = demo.load_demo(
                session=session,
                seed=random_seed,
                day=service_day,
                now=runtime.clock(),
                engineers=engineers,
                tickets=tickets,
            )
    except DispatchError as exc:
        typer.echo(f"error: {exc.field + ': ' if exc.field else ''}{exc.message}", err=True)
        raise typer.Exit(code=2) from exc
    finally:
        runtime.close()
    _echo_loaded(summary)


def _service_day(day: str | None) -> dt.date | None:
    """``--day`` as a date (``None``: not given)."""
    try:
        return dt.date.fromisoformat(day) if day else None
    except ValueError:
        raise typer.BadParameter(f"not a date: {day!r}", param_hint="--day") from None


def _echo_loaded(summary: DemoSummary) -> None:
    if summary.note:
        typer.echo(summary.note)
    typer.echo(
        f"demo loaded for {summary.day}: {summary.engineers} engineers, "
        f"{summary.customers} customers, {summary.sites} sites, {summary.assets} assets, "
        f"{summary.tickets} tickets; log-ins admin/demo, dispatcher/demo, engineer/demo"
    )


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Argument()],
    role: Annotated[str, typer.Option(help="admin, dispatcher or engineer")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            envvar="DISPATCH_USER_PASSWORD",
            show_envvar=True,
            help="10+ characters; asked when neither this nor DISPATCH_USER_PASSWORD is given "
            "(prefer the variable in scripts: a command line is visible to other users)",
        ),
    ],
    engineer: Annotated[str | None, typer.Option(help="Engineer code (engineer users)")] = None,
    full_name: Annotated[str | None, typer.Option()] = None,
) -> None:
    """Create a user account (non-interactive with DISPATCH_USER_PASSWORD set)."""
    from dispatch.errors import DispatchError
    from dispatch.infra.db import Database
    from dispatch.org.users import create_user

    database = Database(load_settings())
    try:
        with database.session() as session:
            user = create_user(
                session=session,
                username=username,
                password=password,
                role=role,
                engineer_code=engineer,
                full_name=full_name,
            )
            typer.echo(f"created user {user.username} ({user.role})")
    except DispatchError as exc:
        typer.echo(f"error: {exc.field + ': ' if exc.field else ''}{exc.message}", err=True)
        raise typer.Exit(code=2) from exc
    finally:
        database.dispose()
