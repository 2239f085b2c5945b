"""Paths through a call script: which blocks a call can reach, and which can still end.

A call ends at a block without responses or through a response whose ``next`` is null. A
block from which every path only loops back (each answer leads into the same blocks again)
traps the volunteer: ``trapped`` finds such blocks so the script can be refused. A loop with
a way out ("Go back to the question" next to an answer that ends) is fine.

Pure functions over the script model; ``scripts.validate`` turns the results into problems.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from controller.model.scripts import Block, Script

END = None  # a target that ends the script


def exits(block: Block, fields: Mapping[str, list[str]]) -> list[str | None]:
    """Where ``block`` can lead (``None``: the script ends there).

    A block linked to a known field leads where each of its options goes; one linked to an
    unknown field (already a problem of its own) may lead through ``next`` or any branch.
    A block with nothing to click ends the script.
    """
    if block.field is None:
        targets = [r.next for r in block.responses]
    elif block.field in fields:
        targets = [block.branches.get(o, block.next) for o in fields[block.field]]
    else:
        targets = [block.next, *block.branches.values()]
    return targets or [END]


def reachable(script: Script) -> set[str]:
    """The ids of the blocks a call starting at the first block can reach (any response)."""
    if not script.blocks:
        return set()
    graph: dict[str, list[str | None]] = {}
    for b in script.blocks:
        graph.setdefault(b.id, [target for _, target in b.targets()])
    start = script.blocks[0].id
    return {start} | _closure(graph, start)


def trapped(script: Script, fields: Mapping[str, list[str]]) -> dict[str, list[str]]:
    """Reachable blocks with no path to an end, each with the blocks it leads into.

    The blocks it leads into are those its answers can reach, in script order: all of them
    trapped too (the loop the volunteer is caught in). A response leading to a missing block
    counts as a way out here, as that is reported as a dangling branch already.
    """
    graph = _graph(script, fields)
    can_end = {b for b, targets in graph.items() if any(t not in graph for t in targets)}
    grew = True
    while grew:
        grew = False
        for b, targets in graph.items():
            if b not in can_end and any(t in can_end for t in targets):
                can_end.add(b)
                grew = True
    order, reached = list(graph), reachable(script)
    stuck = [b for b in order if b in reached and b not in can_end]
    leads = {b: _closure(graph, b) for b in stuck}
    return {b: [o for o in order if o in leads[b]] for b in stuck}


def _graph(script: Script, fields: Mapping[str, list[str]]) -> dict[str, list[str | None]]:
    """Block id -> its exits, in script order (the first block of a repeated id counts)."""
    graph: dict[str, list[str | None]] = {}
    for b in script.blocks:
        graph.setdefault(b.id, exits(b, fields))
    return graph


def _closure(graph: Mapping[str, list[str | None]], start: str) -> set[str]:
    """The blocks reachable from ``start`` through one response or more."""
    todo, seen = [start], set[str]()
    while todo:
        for target in graph.get(todo.pop(), []):
            if target is not None and target in graph and target not in seen:
                seen.add(target)
                todo.append(target)
    return seen
