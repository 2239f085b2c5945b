"""What a script's text may contain: values, conditions and a few text filters; anything
that could fail or run away on a volunteer's screen (arithmetic, calls, loops, other
filters) is a validation problem, and a text that still fails to render raises
``ScriptError`` (never anything else)."""

from __future__ import annotations

import pytest

from controller.model.script_text import ScriptError, check_text, render

CONTEXT = {"contact": {"first_name": "ana", "extra": {"Ward 3": "yes"}}}


@pytest.mark.parametrize(
    ("text", "named"),
    [("{{ 1/0 }}", "arithmetic (/)"), ("{{ 10**5000 }}", "arithmetic (**)"),
     ('{{ "x" * 1000000000 }}', "arithmetic (*)"), ("{{ -contact.zip5 }}", "arithmetic (-)"),
     ("{{ lipsum() }}", "calls"), ("{% for c in contact %}{% endfor %}", "{% for %}"),
     ("{{ contact.first_name | format(1) }}", "the filter |format"),
     ("{% if contact.zip5 is divisibleby 0 %}x{% endif %}", "'is divisibleby'")],
)  # fmt: skip
def test_given_a_text_doing_more_than_showing_values_when_checked_then_refused_by_name(
    text: str, named: str
) -> None:
    [problem] = check_text(text)
    assert problem.code == "template_not_allowed"
    assert named in problem.message


@pytest.mark.parametrize(
    ("text", "shown"),
    [("Hi {{ contact.first_name | title }}", "Hi Ana"),
     ('{{ contact.last_name | default("there", true) }}', "there"),
     ('Hi {{ contact.last_name or "there" }}', "Hi there"),
     ("{% if contact.first_name %}Hi {{ contact.first_name }}{% else %}Hello{% endif %}",
      "Hi ana"),
     ('{{ contact.extra["Ward 3"] | upper }}', "YES"),
     ("{% if contact.first_name is defined and not contact.zip5 %}ok{% endif %}", "ok")],
)  # fmt: skip
def test_given_values_conditions_and_text_filters_when_checked_then_they_pass_and_render(
    text: str, shown: str
) -> None:
    assert check_text(text) == []
    context = {"contact": {**CONTEXT["contact"], "zip5": "", "last_name": ""}}
    assert render(text, context) == shown


def test_given_a_saved_text_that_fails_when_rendered_then_a_script_error_not_a_crash() -> None:
    with pytest.raises(ScriptError) as err:
        render("{{ 1/0 }}", {})  # saved before texts were checked for it
    assert err.value.code == "render_failed" and "division by zero" in err.value.message


def test_given_a_text_nested_too_deeply_when_checked_then_a_template_problem() -> None:
    [problem] = check_text("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}")
    assert problem.code == "template_syntax"
