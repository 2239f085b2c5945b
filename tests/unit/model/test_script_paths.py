"""A script where some reachable block can never reach an end is refused (script_no_end)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from controller.model import script_paths, scripts

FIELDS = {"Support": ["Yes", "No"]}


def block(block_id: str, *targets: str | None, **extra: Any) -> dict[str, Any]:
    responses = [{"label": f"to {t}", "next": t} for t in targets]
    return {"id": block_id, "title": block_id.title(), "responses": responses, **extra}


def problems(*blocks: dict[str, Any]) -> list[scripts.Problem]:
    return scripts.validate(scripts.from_dict({"name": "S", "blocks": list(blocks)}), FIELDS)


def test_given_a_loop_with_a_way_out_when_validated_then_no_problems() -> None:
    ask = block("ask", "ask", "thanks")  # "Go back to the question" or go on
    assert problems(ask, block("thanks", None)) == []
    assert problems(block("ask", "ask", None)) == []


def test_given_two_blocks_leading_only_to_each_other_when_validated_then_both_named() -> None:
    found = problems(block("ask", "thanks"), block("thanks", "ask"))
    assert [(p.code, p.block) for p in found] == [
        ("script_no_end", "ask"),
        ("script_no_end", "thanks"),
    ]
    assert "block 'ask' never reaches an end" in found[0].message
    assert "only lead to 'ask' and 'thanks'" in found[0].message


def test_given_a_block_leading_into_a_trap_when_validated_then_it_names_the_loop() -> None:
    found = problems(block("intro", "loop"), block("loop", "loop"))
    assert [(p.code, p.block) for p in found] == [
        ("script_no_end", "intro"),
        ("script_no_end", "loop"),
    ]
    assert "only lead to 'loop';" in found[0].message


def test_given_a_trap_beside_a_way_out_when_validated_then_only_the_trap_is_named() -> None:
    found = problems(block("intro", "loop", None), block("loop", "loop"))
    assert [(p.code, p.block) for p in found] == [("script_no_end", "loop")]


def test_given_a_field_block_whose_every_option_loops_when_validated_then_refused() -> None:
    support = {"id": "support", "title": "Support", "field": "Support", "next": None,
               "branches": {"Yes": "support", "No": "support"}}  # fmt: skip
    assert [p.code for p in problems(support)] == ["script_no_end"]
    support["branches"] = {"Yes": "support"}  # "No" follows next: null and ends
    assert problems(support) == []


def test_given_an_unknown_field_or_a_dangling_branch_when_validated_then_not_also_no_end() -> None:
    unknown = {"id": "q", "title": "Q", "field": "Nope", "next": None, "branches": {}}
    assert [p.code for p in problems(unknown)] == ["unknown_field"]
    assert [p.code for p in problems(block("a", "gone"))] == ["dangling_branch"]


def test_given_an_unreachable_loop_when_validated_then_only_unreachable_is_named() -> None:
    found = problems(block("intro", None), block("x", "y"), block("y", "x"))
    assert [p.code for p in found] == ["unreachable_block", "unreachable_block"]


def test_given_a_field_without_options_when_exits_read_then_the_block_ends() -> None:
    empty = scripts.Block(id="q", title="Q", field="Empty", next="q")
    assert script_paths.exits(empty, {"Empty": []}) == [None]
    assert script_paths.exits(empty, {}) == ["q"]


def _ends_from(graph: dict[str, list[str | None]], start: str) -> bool:
    """Plain search: can a call at ``start`` reach an end (null, or a missing block)?"""
    todo, seen = [start], {start}
    while todo:
        for target in graph[todo.pop()]:
            if target is None or target not in graph:
                return True
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return False


@settings(deadline=None)  # no timing assertions in tests
@given(st.integers(1, 12), st.data())
def test_given_random_graphs_when_trapped_read_then_exactly_the_reached_blocks_with_no_end(
    n: int, data: st.DataObject
) -> None:
    ids = [f"b{i}" for i in range(n)]
    targets = st.one_of(st.none(), st.sampled_from(ids))
    graph = {i: data.draw(st.lists(targets, max_size=3)) for i in ids}
    script = scripts.from_dict({"name": "R", "blocks": [block(i, *graph[i]) for i in ids]})
    exits = {i: graph[i] or [None] for i in ids}
    expected = [i for i in ids if i in script_paths.reachable(script) and not _ends_from(exits, i)]
    assert list(script_paths.trapped(script, {})) == expected
