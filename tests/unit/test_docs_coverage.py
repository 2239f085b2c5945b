"""Every command and every setting is documented: an undocumented one fails here."""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from pathlib import Path

import click

from cli import main
from controller.config import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _docs_text() -> str:
    return "\n".join(p.read_text() for p in sorted(DOCS.glob("*.md")))


def _command_paths(command: click.Command, prefix: tuple[str, ...] = ()) -> list[str]:
    if isinstance(command, click.Group):
        paths: list[str] = []
        for name, sub in command.commands.items():
            paths += _command_paths(sub, (*prefix, name))
        return paths
    return [" ".join(prefix)]


def _setting_keys(obj: object, prefix: str = "") -> list[str]:
    keys: list[str] = []
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if is_dataclass(value):
            keys += [f"[{f.name}] {k}" for k in _setting_keys(value)]
        elif prefix or f.name != "home":
            keys.append(f.name)
    return keys


def test_given_the_cli_when_listing_commands_then_each_is_named_in_the_docs() -> None:
    text = _docs_text()
    missing = [p for p in _command_paths(main) if f"phonebank {p}" not in text]
    assert missing == [], f"commands missing from docs/: {missing}"


def test_given_the_settings_when_listing_keys_then_each_is_named_in_the_docs() -> None:
    text = _docs_text()
    missing = []
    for key in _setting_keys(Settings(home=Path("."))):
        section, _, name = key.rpartition(" ")
        if not re.search(rf"\b{re.escape(name)}\b", text) or section.strip("[]") not in text:
            missing.append(key)
    assert missing == [], f"settings missing from docs/: {missing}"
