"""A script text that shows a contact's extra column (``contact.extra.Precinct``) renders for
a contact whose cell was blank in the list (blank cells are not stored): empty, or the
text's own fallback, never an error that leaves the volunteer without the block's buttons."""

from __future__ import annotations

from controller.model.script_text import context_for, render

TEXT = "Your precinct is {{ contact.extra.Precinct }}."
FALLBACK = "Your precinct is {{ contact.extra.Precinct or 'not known' }}."


def test_given_a_contact_without_the_extra_value_when_the_text_renders_then_it_is_empty() -> None:
    blank = context_for({"first_name": "Ana", "extra": {}}, {}, {})
    known = context_for({"first_name": "Bo", "extra": {"Precinct": "North"}}, {}, {})

    assert render(TEXT, known) == "Your precinct is North."
    assert render(TEXT, blank) == "Your precinct is ."
    assert render(FALLBACK, blank) == "Your precinct is not known."
    assert render("{{ contact.extra['Precinct'] }}", blank) == ""
