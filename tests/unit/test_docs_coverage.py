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
    missing = [p for p, _ in _commands(main) if f"phonebank {p}" not in text]
    assert missing == [], f"commands missing from docs/: {missing}"


def test_given_the_settings_when_listing_keys_then_each_is_named_in_the_docs() -> None:
    text = _docs_text()
    missing = []
    for key in _setting_keys(Settings(home=Path("."))):
        section, _, name = key.rpartition(" ")
        if not re.search(rf"\b{re.escape(name)}\b", text) or section.strip("[]") not in text:
            missing.append(key)
    assert missing == [], f"settings missing from docs/: {missing}"


def _commands(
    command: click.Command, prefix: tuple[str, ...] = ()
) -> list[tuple[str, click.Command]]:
    if isinstance(command, click.Group):
        found: list[tuple[str, click.Command]] = []
        for name, sub in command.commands.items():
            found += _commands(sub, (*prefix, name))
        return found
    return [(" ".join(prefix), command)]


def test_given_the_cli_when_reading_each_help_then_every_option_says_what_it_does() -> None:
    """``--help`` is the reference: an option without words fails here."""
    bare = [
        f"phonebank {path} {param.opts[0]}"
        for path, command in _commands(main)
        for param in command.params
        if isinstance(param, click.Option) and not (param.help or "").strip()
    ]
    assert bare == [], f"options without help: {bare}"
