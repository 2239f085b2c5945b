from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from controller.model import scripts
from controller.model.scripts import ScriptError

FIELDS = {"Support": ["Strong yes", "Lean yes", "Undecided", "No"]}


def sample() -> dict:
    return {
        "name": "GOTV",
        "blocks": [
            {"id": "intro", "title": "Hello",
             "text": "Hi {{ contact.first_name }}, I'm {{ volunteer.first_name }}!",
             "responses": [{"label": "Talk", "next": "support"}, {"label": "Bye", "next": None}]},
            {"id": "support", "title": "Support", "text": "Will you vote?", "field": "Support",
             "next": "thanks", "branches": {"No": None}},
            {"id": "thanks", "title": "Thanks", "text": "Thanks from {{ bank.title }}"},
        ],
    }  # fmt: skip


def codes(data: dict) -> list[str]:
    return [p.code for p in scripts.validate(scripts.from_dict(data), FIELDS)]


def test_given_valid_script_when_validated_then_no_problems() -> None:
    assert codes(sample()) == []


def test_given_no_blocks_when_validated_then_empty_script() -> None:
    assert codes({"name": "x", "blocks": []}) == ["empty_script"]


def test_given_branch_to_missing_block_when_validated_then_dangling_branch() -> None:
    data = sample()
    data["blocks"][0]["responses"][1]["next"] = "nowhere"
    problems = scripts.validate(scripts.from_dict(data), FIELDS)
    assert [p.code for p in problems] == ["dangling_branch"]
    assert problems[0].block == "intro" and "nowhere" in problems[0].message


def test_given_orphan_block_when_validated_then_unreachable_block() -> None:
    data = sample()
    data["blocks"].append({"id": "orphan", "title": "Lost"})
    assert codes(data) == ["unreachable_block"]


def test_given_unknown_variable_when_validated_then_named_not_crash() -> None:
    data = sample()
    data["blocks"][2]["text"] = "Thanks {{ contact.shoe_size }} {{ weather }}"
    assert codes(data) == ["unknown_variable", "unknown_variable"]


def test_given_unknown_field_or_option_when_validated_then_named() -> None:
    data = sample()
    data["blocks"][1]["branches"] = {"Maybe": None}
    assert codes(data) == ["unknown_option"]
    data["blocks"][1]["field"] = "Shoe size"
    assert codes(data) == ["unknown_field"]


def test_given_field_block_with_own_responses_when_validated_then_refused() -> None:
    data = sample()
    data["blocks"][1]["responses"] = [{"label": "Yes"}]
    assert codes(data) == ["field_responses_fixed"]


def test_given_field_block_when_asked_for_responses_then_options_with_branches() -> None:
    s = scripts.from_dict(sample())
    got = scripts.responses_for(s.block("support"), FIELDS)
    assert [(r.label, r.next) for r in got] == [
        ("Strong yes", "thanks"), ("Lean yes", "thanks"), ("Undecided", "thanks"), ("No", None)
    ]  # fmt: skip


def test_given_text_when_rendered_then_values_filled_and_sandboxed() -> None:
    out = scripts.render("Hi {{ contact.first_name }}", {"contact": {"first_name": "Ana"}})
    assert out == "Hi Ana"
    with pytest.raises(ScriptError) as err:
        scripts.render("{{ contact.missing }}", {"contact": {}})
    assert err.value.code == "render_failed"
    with pytest.raises(ScriptError):
        scripts.render("{{ ''.__class__.__mro__ }}", {})


def test_given_malformed_document_when_loaded_then_bad_shape() -> None:
    with pytest.raises(ScriptError) as err:
        scripts.from_dict({"name": "x", "blocks": [{"title": "no id"}]})
    assert err.value.code == "bad_shape"
    with pytest.raises(ScriptError):
        scripts.from_dict(["not", "a", "mapping"])


def test_given_bad_template_syntax_when_validated_then_named() -> None:
    data = sample()
    data["blocks"][2]["text"] = "{{ unclosed"
    assert codes(data) == ["template_syntax"]


@settings(deadline=None)  # no timing assertions in tests
@given(st.integers(1, 60), st.data())
def test_given_random_chain_when_round_tripped_then_same_and_valid(
    n: int, data: st.DataObject
) -> None:
    blocks = []
    for i in range(n):
        nxt = f"b{i + 1}" if i + 1 < n else None
        extra = data.draw(st.integers(0, i)) if i else 0
        blocks.append({"id": f"b{i}", "title": f"B{i}", "text": "",
                       "responses": [{"label": "on", "next": nxt},
                                     {"label": "back", "next": f"b{extra}"}]})  # fmt: skip
    script = scripts.from_dict({"name": "chain", "blocks": blocks})
    assert scripts.validate(script) == []
    assert scripts.from_dict(scripts.to_dict(script)) == script


def test_given_plain_records_when_block_rendered_then_full_context_and_responses() -> None:
    s = scripts.from_dict(sample())
    ctx = scripts.context_for(
        {"first_name": "Ana", "last_name": "Ruiz", "extra": {"Ward": "3"}},
        {"first_name": "Bo"},
        {"title": "GOTV"},
    )
    assert ctx["contact"]["full_name"] == "Ana Ruiz" and ctx["contact"]["zip5"] == ""
    intro = scripts.render_block(s.block("intro"), ctx, FIELDS)
    assert intro["text"] == "Hi Ana, I'm Bo!"
    assert [r["label"] for r in intro["responses"]] == ["Talk", "Bye"]
    thanks = scripts.render_block(s.block("thanks"), ctx, FIELDS)
    assert thanks["text"] == "Thanks from GOTV" and thanks["responses"] == []
    assert scripts.render("{{ contact.extra.Ward }}", ctx) == "3"


def test_given_a_block_linked_to_a_field_without_options_when_validated_then_refused() -> None:
    """A text, number or date field offers nothing to click: a block linked to it would end
    the call's script there, its `next` ignored. Refused, saying which kinds can be asked."""
    data = sample()
    data["blocks"][1]["field"] = "Notes"
    data["blocks"][1]["branches"] = {}
    problems = scripts.validate(scripts.from_dict(data), {**FIELDS, "Notes": []})
    assert [p.code for p in problems] == ["field_without_options"]
    assert "'Notes'" in problems[0].message and "choice or yes/no" in problems[0].message
