"""Suite-wide fixtures: an installation home and a migrated database on a real file."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from controller.config import Settings, load_settings
from controller.store import queue_build_steps
from controller.store.db import Database, open_database


@pytest.fixture
def home(tmp_path: Path) -> Path:
    path = tmp_path / "home"
    path.mkdir()
    return path


@pytest.fixture
def settings(home: Path) -> Settings:
    return load_settings(home)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = open_database(settings.db_path)
    yield database
    database.close()


@pytest.fixture
def crash_start_after(monkeypatch: pytest.MonkeyPatch) -> Callable[[int], Callable[[], None]]:
    """``crash_start_after(n)``: the next bank start in steps dies (RuntimeError) once ``n``
    steps are stored, as when the appliance stops mid-start; call what it returns to let
    the next start run whole."""

    def arm(done: int) -> Callable[[], None]:
        real_step = queue_build_steps.build_step
        calls: list[int] = []

        def crashing_step(*args: Any) -> bool:
            calls.append(1)
            if len(calls) == done + 1:
                raise RuntimeError("the appliance stops here")
            return real_step(*args)

        monkeypatch.setattr(queue_build_steps, "build_step", crashing_step)
        return lambda: monkeypatch.setattr(queue_build_steps, "build_step", real_step)

    return arm


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """A failed test that ran on a PBX shows that PBX's last warnings and errors in its
    report (its log stays in the run's temporary directory, which CI does not show)."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    pair = getattr(item, "funcargs", {}).get("pbx_pair")
    if report.when != "call" or not report.failed or pair is None:
        return
    for instance in pair.pair.instances:
        path = instance.host_dir / "log" / "messages.log"
        if path.exists():
            lines = path.read_text(errors="replace").splitlines()
            bad = [line for line in lines if "WARNING" in line or "ERROR" in line][-40:]
            title = f"{instance.name} log: last warnings and errors"
            report.sections.append((title, "\n".join(bad)))
