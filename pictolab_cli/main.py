"""The one console script, ``pictolab`` (the names are part of the public contract).

The command line lives outside the shared ``pictolab`` package because it drives the services
(``pictolab db upgrade`` runs the BFF's migrations, ``pictolab up`` starts all three): the
services depend on ``pictolab``, this package depends on them, never the other way round.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pictolab.settings import Settings, SettingsError


def _settings(needs_secrets: bool = True) -> Settings:
    try:
        settings = Settings.from_env()
        return settings.require_secrets() if needs_secrets else settings
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pictolab")
def main() -> None:
    """PictoLab: a classroom image-classification workshop."""


def _service_command(name: str, factory: str, default_port: int, default_workers: int, default_threads: int,
                     timeout: int = 120, graceful_timeout: int = 30, needs_secrets: bool = False):
    @main.command(name, help=f"Run the {name} service under gunicorn.")
    @click.option("--host", default="127.0.0.1", show_default=True)
    @click.option("--port", default=default_port, show_default=True, type=int)
    @click.option("--workers", default=default_workers, show_default=True, type=int)
    @click.option("--threads", default=default_threads, show_default=True, type=int)
    def command(host: str, port: int, workers: int, threads: int) -> None:
        _settings(needs_secrets)  # fail fast, with a readable message, on bad configuration
        from pictolab.serve import serve

        serve(factory, host, port, workers=workers, threads=threads, timeout=timeout,
              graceful_timeout=graceful_timeout)

    return command


# 2 x 4 measured best for uploads on 2 cores (bench/upload.py --sweep).
_service_command("bff", "bff:create_app", 8001, default_workers=2, default_threads=4, needs_secrets=True)
# One worker: its model LRU and worker slots (the queue itself is in the database); threads serve requests.
# A long graceful timeout lets a DEEP run write its checkpoint on SIGTERM.
_service_command("ml-api", "ml_api:create_app", 8002, default_workers=1, default_threads=8,
                 timeout=300, graceful_timeout=60)
_service_command("frontend", "frontend:create_app", 8000, default_workers=1, default_threads=8)


@main.command()
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where the database, photos and models live (default: $PICTOLAB_DATA_DIR or ./.pictolab).")
@click.option("--port", default=8000, show_default=True, type=int,
              help="Base port: frontend on it, the BFF on +1, the ML API on +2.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to listen on (0.0.0.0 to let iPads on the LAN in).")
def up(data_dir: Path | None, port: int, host: str) -> None:
    """The whole system on this machine with embedded defaults."""
    from .supervisor import run_up

    sys.exit(run_up(data_dir=data_dir, base_port=port, host=host))


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def db_upgrade(revision: str) -> None:
    """Apply Alembic migrations up to REVISION."""
    from bff.cli import upgrade_database

    upgrade_database(_settings(), revision)
    click.echo(f"database at {revision}")


@main.group("ml-db")
def ml_db() -> None:
    """The ML API's job-queue database (PICTOLAB_ML_DATABASE_URL)."""


@ml_db.command("upgrade")
@click.option("--revision", default="head", show_default=True)
def ml_db_upgrade(revision: str) -> None:
    """Apply the queue's Alembic migrations up to REVISION."""
    from ml_api.migrations import upgrade

    upgrade(_settings(needs_secrets=False).ml_database_url, revision)
    click.echo(f"ML queue database at {revision}")


@main.group()
def workshop() -> None:
    """Workshops."""


@workshop.command("create")
@click.option("--title", default=None, help="Required unless --template gives one.")
@click.option("--classes", default=None,
              help="Comma list of class names, each optionally name:emoji, e.g. りんご:🍎,バナナ:🍌,cat "
                   "(not with --template)")
@click.option("--groups", required=True, type=click.IntRange(1, 200))
@click.option("--template", type=click.Choice(["background"]), default=None,
              help="A ready lesson: 'background' (the bias lesson, docs/classroom.md) comes with its classes, "
                   "demo photos for every group and swapped-background test photos, in TRAIN.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of text.")
def workshop_create(title: str | None, classes: str | None, groups: int, template: str | None,
                    as_json: bool) -> None:
    """Create a workshop with classes and N groups; prints the groups' login URLs."""
    from bff.cli import create_template_workshop, create_workshop

    if template is None and (not title or classes is None):
        raise click.UsageError("--title and --classes are required (or use --template).")
    if template is not None and classes is not None:
        raise click.UsageError("--template brings its own classes: leave out --classes.")
    try:
        if template is not None:
            result = create_template_workshop(_settings(), template, groups=groups, title=title)
        else:
            names = [c.strip() for c in classes.split(",") if c.strip()]
            result = create_workshop(_settings(), title=title, classes=names, groups=groups)
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
        return
    click.echo(f"workshop {result['id']}: {result['title']}")
    for cls in result["classes"]:
        click.echo(f"  class {cls['id']}: {cls.get('emoji') or ''} {cls['name']}")
    for group in result["groups"]:
        click.echo(f"  {group['emoji']} {group['name']}: {group['loginUrl']}")


@main.command()
@click.option("--workshop", "workshop_id", required=True, help="Workshop id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge(workshop_id: str, yes: bool) -> None:
    """Delete every photo, model and embedding of a workshop."""
    from bff.cli import purge_workshop

    if not yes and sys.stdin.isatty():
        click.confirm(f"Delete every photo, model and embedding of workshop {workshop_id}?", abort=True)
    try:
        result = purge_workshop(_settings(), workshop_id)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(json.dumps(result))


@main.group()
def instructor() -> None:
    """Instructor accounts."""


@instructor.command("invite")
@click.argument("email")
@click.option("--org-admin", is_flag=True, help="The new account may invite others and sees every workshop.")
def instructor_invite(email: str, org_admin: bool) -> None:
    """Print a one-time URL (valid 72 h) where EMAIL sets a password."""
    from bff.cli import invite_instructor

    try:
        click.echo(invite_instructor(_settings(), email, org_admin=org_admin))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


@instructor.command("reset")
@click.argument("email")
def instructor_reset(email: str) -> None:
    """Unlock EMAIL's account; print a one-time URL to set a new password."""
    from bff.cli import reset_instructor

    try:
        result = reset_instructor(_settings(), email)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{result['email']}: unlocked")
    if result["resetUrl"]:
        click.echo(result["resetUrl"])
    else:
        click.echo("its password is PICTOLAB_ADMIN_PASSWORD")


if __name__ == "__main__":  # pragma: no cover
    main()
