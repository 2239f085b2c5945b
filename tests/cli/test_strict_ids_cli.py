"""CLI id arguments: a number beyond the store's range or digits like "²" are a usage
error naming the argument, never a traceback, and change nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cli import main

HUGE = "99999999999999999999"


def run(home: Path, *args: str) -> Result:
    return CliRunner().invoke(main, ["--home", str(home), *args])


@pytest.mark.parametrize(
    "args",
    [
        ("tags", "apply", HUGE, "x"),
        ("contacts", "show", HUGE),
        ("bank", "show", HUGE),
        ("bank", "show", "²"),
        ("bank", "start", "٣"),
        ("sync", "map", "Support", "Yes", "--survey-question", HUGE),
    ],
)
def test_given_a_huge_or_odd_digit_id_when_a_command_runs_then_a_usage_error_and_no_traceback(
    home: Path, args: tuple[str, ...]
) -> None:
    result = run(home, *args)
    assert result.exit_code == 2, result.output
    assert "is not an id (a whole number from 0 to 9223372036854775807)" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_given_an_id_in_range_that_names_nothing_when_shown_then_no_such_bank(home: Path) -> None:
    result = run(home, "bank", "show", "9223372036854775807")
    assert result.exit_code == 1 and "Traceback" not in result.output


@pytest.mark.parametrize("ref", [HUGE, "²"])
def test_given_a_huge_or_odd_digit_script_ref_when_exported_then_no_such_script(
    home: Path, ref: str
) -> None:
    result = run(home, "script", "export", ref)
    assert result.exit_code == 1 and f"there is no script '{ref}'" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize("bank", [HUGE, "²"])
def test_given_a_huge_or_odd_digit_bank_when_exported_then_a_usage_error_and_no_file(
    home: Path, tmp_path: Path, bank: str
) -> None:
    out = tmp_path / "out.csv"
    result = run(home, "export", "contacts", bank, "--output", str(out))
    assert result.exit_code == 2, result.output
    assert "is not an id" in result.output and not out.exists()
