"""The one strict parse of ids and offsets, as the web and the CLI use it."""

from __future__ import annotations

import click
import pytest
from aiohttp import web
from click.testing import CliRunner

from controller.commands.params import ID
from controller.ids import ID_MAX, parse_id
from web.params import id_or_404, int_or_400


@pytest.mark.parametrize("text", ["0", "7", " 42 ", str(ID_MAX)])
def test_given_ascii_digits_in_range_when_parsed_then_the_number(text: str) -> None:
    assert parse_id(text) == int(text)


@pytest.mark.parametrize(
    "text", ["", "²", "٣", "-1", "1.5", "abc", "99999999999999999999", str(ID_MAX + 1), None, True]
)
def test_given_anything_else_when_parsed_then_none(text: object) -> None:
    assert parse_id(text) is None


def test_given_a_maximum_when_the_number_is_above_it_then_none() -> None:
    assert parse_id("201", maximum=200) is None
    assert parse_id("200", maximum=200) == 200


def test_given_a_bad_url_id_when_read_then_404() -> None:
    with pytest.raises(web.HTTPNotFound):
        id_or_404("99999999999999999999")
    assert id_or_404("12") == 12


def test_given_a_bad_form_number_when_read_then_400_naming_the_box() -> None:
    with pytest.raises(web.HTTPBadRequest) as caught:
        int_or_400("²", "Contact id")
    assert "Contact id must be a whole number" in (caught.value.text or "")


@click.command()
@click.argument("contact_id", type=ID)
def _show(contact_id: int) -> None:
    click.echo(f"contact {contact_id}")


@pytest.mark.parametrize("text", ["²", "99999999999999999999", "x"])
def test_given_a_bad_cli_id_when_run_then_usage_error_without_traceback(text: str) -> None:
    result = CliRunner().invoke(_show, [text])
    assert result.exit_code == 2
    assert "is not an id" in result.output
    assert "Traceback" not in result.output


def test_given_a_good_cli_id_when_run_then_the_number() -> None:
    assert CliRunner().invoke(_show, ["5"]).output == "contact 5\n"
