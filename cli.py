"""The ``phonebank`` command.

Each module in ``controller/commands/`` contributes one or more click commands through a
module-level ``COMMANDS`` list; this file only gathers them, so every command's own
``--help`` is the reference.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import click

import controller.commands
from controller.commands.common import AppContext


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    envvar="PHONEBANK_HOME",
    help="Installation directory (settings, secrets, database). Default: $PHONEBANK_HOME,"
    " else var/ beside the project.",
)
@click.pass_context
def main(ctx: click.Context, home: Path | None) -> None:
    """Phonebank: a self-hosted phone-banking appliance."""
    ctx.obj = AppContext(home=home)


def _register() -> None:
    package = controller.commands
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        for command in getattr(module, "COMMANDS", []):
            main.add_command(command)


_register()

if __name__ == "__main__":
    main()
