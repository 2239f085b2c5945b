"""The texts of a script's blocks: what they may contain, and rendering them for a call.

A text shows values (``{{ contact.first_name }}``), may choose between words with
``{% if %}`` and may use a few text filters (``upper``, ``default``, ...). Anything else
(arithmetic, calls, loops, other filters) is a validation problem, so a saved script
cannot fail or run away when a volunteer's screen renders it; rendering runs in a jinja2
sandbox, and a text that still fails raises :class:`ScriptError` (``render_failed``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from controller.errors import PhonebankError

# The variables a script text may use.
VARIABLES: dict[str, frozenset[str]] = {
    "contact": frozenset(
        {"first_name", "last_name", "full_name", "state", "zip5", "phone", "van_id", "extra"}
    ),
    "volunteer": frozenset({"first_name", "last_name", "full_name"}),
    "bank": frozenset({"title", "description"}),
}

_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)

# What a text may contain: values, conditions, and these filters and tests.
_NODES = (
    nodes.Template, nodes.Output, nodes.TemplateData, nodes.Name, nodes.Getattr,
    nodes.Getitem, nodes.Const, nodes.If, nodes.Not, nodes.And, nodes.Or, nodes.Compare,
    nodes.Operand, nodes.CondExpr, nodes.Concat, nodes.Filter, nodes.Test,
)  # fmt: skip
FILTERS = frozenset({"upper", "lower", "title", "capitalize", "trim", "default", "d"})
TESTS = frozenset({"defined", "undefined", "none"})


class ScriptError(PhonebankError):
    """One or more problems with a script (the first one's code is the error's code)."""

    def __init__(self, problems: list[Problem]) -> None:
        code = problems[0].code if problems else "invalid_script"
        super().__init__(code, "; ".join(p.message for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Problem:
    code: str  # dangling_branch, unreachable_block, script_no_end, unknown_variable, ...
    message: str
    block: str | None = None

    @property
    def text(self) -> str:
        """The message, with its block added when the message does not name it."""
        named = self.block is None or f"block {self.block!r}" in self.message
        return self.message if named else f"{self.message} (block {self.block!r})"


def check_text(text: str) -> list[Problem]:
    """Problems with one text: template syntax, unknown variables, anything but showing
    values (``template_not_allowed``)."""
    try:
        tree = _ENV.parse(text)
    except TemplateSyntaxError as exc:
        return [Problem("template_syntax", f"text has a template error: {exc.message}")]
    except RecursionError:
        return [Problem("template_syntax", "text has a template error: nested too deeply")]
    refused = _not_allowed(tree)
    if refused:
        msg = (f"a text may show values ({{{{ contact.first_name }}}}) and use {{% if %}},"
               f" not {refused}")  # fmt: skip
        return [Problem("template_not_allowed", msg)]
    problems = []
    for name in sorted(_variables(tree)):
        root, _, attr = name.partition(".")
        allowed = VARIABLES.get(root)
        if allowed is None or (attr and attr not in allowed) or not attr:
            problems.append(Problem("unknown_variable", f"unknown variable {{{{ {name} }}}}"))
    return problems


def _not_allowed(tree: nodes.Template) -> str | None:
    """What in ``tree`` a text may not contain, in words (None: nothing)."""
    for node in tree.find_all(nodes.Node):
        if isinstance(node, nodes.Filter) and node.name not in FILTERS:
            return f"the filter |{node.name} (allowed: {', '.join(sorted(FILTERS))})"
        if isinstance(node, nodes.Test) and node.name not in TESTS:
            return f"the test 'is {node.name}'"
        if not isinstance(node, _NODES):
            return _describe(node)
    return None


def _describe(node: nodes.Node) -> str:
    if isinstance(node, nodes.BinExpr | nodes.UnaryExpr):
        return f"arithmetic ({node.operator})"
    if isinstance(node, nodes.Call):
        return "calls ( )"
    return f"{{% {type(node).__name__.lower()} %}}"


def _variables(tree: nodes.Node) -> set[str]:
    found: set[str] = set()
    attrs = {id(n.node) for n in tree.find_all(nodes.Getattr)}
    for node in tree.find_all(nodes.Getattr):
        if isinstance(node.node, nodes.Name):
            found.add(f"{node.node.name}.{node.attr}")
    for name in tree.find_all(nodes.Name):
        if id(name) not in attrs and name.ctx == "load":
            found.add(name.name)
    return found


def render(text: str, context: Mapping[str, Any]) -> str:
    """Render ``text`` safely; a missing value raises ``ScriptError(unknown_variable)``."""
    try:
        return _ENV.from_string(text).render(**context)
    except Exception as exc:
        raise ScriptError([Problem("render_failed", f"cannot render text: {exc}")]) from exc


class _Extra(dict[str, Any]):
    """A contact's extra columns: one left blank in their row (blank cells are not stored)
    reads as empty, like every other known variable."""

    def __missing__(self, key: str) -> str:
        return ""


def context_for(
    contact: Mapping[str, Any], volunteer: Mapping[str, Any], bank: Mapping[str, Any]
) -> dict[str, dict[str, Any]]:
    """The variables a text may use, from plain contact / volunteer / bank mappings.

    Every known variable is present (empty when unknown), so a valid script always renders.
    """

    def pick(source: Mapping[str, Any], names: frozenset[str]) -> dict[str, Any]:
        out: dict[str, Any] = {n: source.get(n) or "" for n in names}
        if "full_name" in names and not source.get("full_name"):
            first, last = source.get("first_name") or "", source.get("last_name") or ""
            out["full_name"] = f"{first} {last}".strip()
        return out

    person = pick(contact, VARIABLES["contact"])
    person["extra"] = _Extra(contact.get("extra") or {})
    return {
        "contact": person,
        "volunteer": pick(volunteer, VARIABLES["volunteer"]),
        "bank": pick(bank, VARIABLES["bank"]),
    }
