"""The apps depend on each other in one direction only, read from the source itself:
deputies ← proposals ← handling ← supervision ← reports ← demo. An earlier app never imports,
`apps.get_model`s or names a later one (a later app registers what it adds, see
proposals/hooks.py), no module imports itself back through others, and every step written on a
suggestion's trail is declared with its audiences."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ORDER = ["deputies", "proposals", "handling", "supervision", "reports", "demo"]
RANK = {app: i for i, app in enumerate(ORDER)}
LATER_MODEL = re.compile(r"^(?P<app>[a-z]+)\.[A-Z]\w*$")
LATER_URL = re.compile(r"""\{%\s*url\s+['"](?P<ns>[a-z_]+):""")
# The URL namespaces of the apps (the public pages are the reports').
NAMESPACE_APP = {"proposals": "proposals", "handling": "handling", "supervision": "supervision"}
NAMESPACE_APP |= {"reports": "reports", "disclosure": "reports"}


def modules() -> dict[str, Path]:
    found = {}
    for app in ORDER:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found[name] = path
    return found


def references(path: Path) -> list[tuple[int, str, str]]:
    """(line, kind, target) of every import, get_model and "app.Model" string in a module."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, "import", alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, "import", node.module))
            found += [(node.lineno, "import", f"{node.module}.{alias.name}") for alias in node.names]
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "get_model":
                args = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                found.append((node.lineno, "get_model", ".".join(args) if args else "<computed>"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = LATER_MODEL.match(node.value)
            if match and match.group("app") in RANK:
                found.append((node.lineno, "model string", node.value))
    return found


def test_no_app_reaches_a_later_one():
    against = []
    for name, path in modules().items():
        app = name.split(".")[0]
        for line, kind, target in references(path):
            other = target.split(".")[0]
            if kind == "get_model" and target == "<computed>":
                against.append(f"{path.relative_to(ROOT)}:{line} get_model with a computed name")
            elif other in RANK and RANK[other] > RANK[app]:
                against.append(f"{path.relative_to(ROOT)}:{line} {kind} {target}")
    assert against == []


def test_no_template_of_an_app_links_to_a_later_one():
    against = []
    for template in sorted((ROOT / "templates").rglob("*.html")):
        folder = template.relative_to(ROOT / "templates").parts[0]
        app = folder if folder in RANK else "deputies"  # base.html, registration/, _shared partials
        for number, line in enumerate(template.read_text().splitlines(), 1):
            for match in LATER_URL.finditer(line):
                other = NAMESPACE_APP.get(match.group("ns"))
                if other is not None and RANK[other] > RANK[app]:
                    against.append(f"{template.relative_to(ROOT)}:{number} {match.group(0)}")
    assert against == []


def test_no_module_imports_itself_back():
    graph: dict[str, set[str]] = {}
    known = modules()
    for name, path in known.items():
        targets = set()
        for _line, kind, target in references(path):
            if kind != "import":
                continue
            if target in known:
                targets.add(target)
            elif target.rsplit(".", 1)[0] in known:
                targets.add(target.rsplit(".", 1)[0])
        targets.discard(name)
        graph[name] = targets
    cycles = _cycles(graph)
    assert cycles == []


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def written_actions() -> set[str]:
    """Every action the code writes on a suggestion's trail: the literal names given to
    `record_event` and `apply_transition`, and the reply transitions (audited as reply_<name>)."""
    actions = set()
    for path in modules().values():
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in ("record_event", "apply_transition") and len(node.args) >= 2:
                arg = node.args[1]
                if isinstance(arg, ast.Constant):
                    actions.add(arg.value)
                elif isinstance(arg, ast.IfExp):
                    actions |= {branch.value for branch in (arg.body, arg.orelse) if isinstance(branch, ast.Constant)}
    return actions


@pytest.mark.django_db
def test_every_step_written_on_the_trail_is_declared_with_its_audiences():
    from handling.models import Reply
    from proposals.events import declared
    from proposals.models import Proposal

    transitions = {t.name for t in Proposal._meta.get_field("state").get_all_transitions(Proposal)}
    reply_steps = {f"reply_{t.name}" for t in Reply._meta.get_field("state").get_all_transitions(Reply)}
    written = written_actions() | transitions | reply_steps
    assert written - set(declared()) == set()
