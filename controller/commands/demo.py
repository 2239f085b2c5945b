"""``phonebank demo``: the demo logins and bank, without starting the appliance."""

from __future__ import annotations

import click

from controller.commands.common import AppContext, emit, fail, json_option, pass_app
from controller.demo import CARRIER_OFF, LOGIN_FILE, prepare, stored_logins


@click.group("demo")
def demo() -> None:
    """The demo `phonebank run` starts with (turn it off with `phonebank run --no-demo`)."""


@demo.command("logins")
@json_option
@pass_app
def logins(app: AppContext, as_json: bool) -> None:
    """Print the demo admin and volunteer logins, once the demo has made them (`phonebank
    run` without --no-demo, or `phonebank demo setup`); this command creates no account.

    The passwords live in clear only in demo-logins.toml in the home (mode 0600).
    """
    found = stored_logins(app.settings, app.db)
    if found is None:
        fail(
            "there is no demo on this appliance: `phonebank demo setup` (or `phonebank run`"
            " without --no-demo) creates it and its logins",
            "no_demo",
            as_json,
        )
        return
    text = "\n".join(f"{name}\t{password}" for name, password in found.items())
    emit({"logins": found, "file": LOGIN_FILE}, as_json, text)


@demo.command("setup")
@json_option
@pass_app
def setup(app: AppContext, as_json: bool) -> None:
    """Create the demo logins and the demo bank (published and started) now; refused when
    the simulated carrier is off (`[carrier] enabled = false`)."""
    if not app.settings.simulated_network:
        fail(CARRIER_OFF, "carrier_off", as_json)
        return
    made = prepare(app.settings, app.db)
    data = {"bank_id": made.bank_id, "logins": made.logins}
    emit(data, as_json, f"Demo bank {made.bank_id} is running.")


COMMANDS = [demo]
