"""The layering rules of DESIGN.md ("Architecture"), read from govtool's source with ``ast``.

- No import cycles between govtool's modules, not even through imports inside functions.
- Only the command layer (``govtool/cli``, and ``govtool/__main__.py``) imports the command layer.
- Core modules (everything else) never print and never read the clock or the environment.

Nothing here imports govtool: the source files are parsed, so the rules hold for any
layout of the package (``govtool/cli.py`` today, ``govtool/cli/*.py`` after it is split).
Each rule is also run on a small package made in a temporary directory, with a known
offence, so that none of them can pass by finding nothing.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "govtool"
PACKAGE = "govtool"

#: The command layer: this package and everything under it, and the __main__ module.
CLI = "cli"
COMMAND_LAYER_MODULES = ("__main__",)


# ---------------------------------------------------------------- the module graph


@dataclass(frozen=True)
class Import:
    """One import of a module of the package: who imports what, and where."""

    importer: str
    imported: str
    file: str
    line: int


def module_files(package_dir: Path) -> dict[str, Path]:
    """Every module of the package, by dotted name (a package is its ``__init__.py``;
    a directory of modules without one, a namespace package, is the directory)."""
    package = package_dir.name
    out = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = list(path.relative_to(package_dir).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join([package, *parts])] = path
        for directory in path.relative_to(package_dir).parents:
            name = ".".join([package, *directory.parts])
            out.setdefault(name, package_dir / directory)
    return dict(sorted(out.items()))


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The module that importing ``name`` runs: itself, else its nearest enclosing module."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _from_base(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The absolute module of ``from BASE import ...`` (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    parts = importer.split(".")
    if not is_package:
        parts = parts[:-1]  # a module's own package
    parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
    return ".".join([*parts, *([node.module] if node.module else [])])


def imports_of(module: str, path: Path, modules: dict[str, Path], package: str) -> list[Import]:
    """Every import of one of the package's modules in ``path``, at any depth.

    ``import P.x`` and ``from P.x import y`` import P.x; ``from P import x`` imports
    P.x when that is a module or package, else P (the name is an attribute of P's
    ``__init__``). ``importlib.import_module("P.x")`` with a constant name counts too, and
    so do imports under ``if TYPE_CHECKING:`` (a static import is an import).
    """
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    top = modules[package]
    rel = str(path.relative_to((top.parent if top.is_file() else top).parent))
    found = []

    def add(target: str, line: int) -> None:
        if target == package or target.startswith(package + "."):
            resolved = _resolve(target, modules)
            if resolved is not None:
                found.append(Import(module, resolved, rel, line))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = _from_base(node, module, is_package)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                add(submodule if alias.name != "*" and submodule in modules else base, node.lineno)
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                add(node.args[0].value, node.lineno)
    return found


def module_graph(package_dir: Path) -> tuple[dict[str, set[str]], list[Import]]:
    """``(graph, imports)``: module -> the package's modules it imports (itself left out)."""
    modules = module_files(package_dir)
    package = package_dir.name
    graph: dict[str, set[str]] = {name: set() for name in modules}
    imports = []
    for name, path in modules.items():
        if path.is_dir():
            continue  # a namespace package runs no code
        for item in imports_of(name, path, modules, package):
            imports.append(item)
            if item.imported != name:
                graph[name].add(item.imported)
    return graph, imports


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import that closes a cycle, with the shortest way back: ``[A, B, ..., A]``, A the least module.

    The cycles of each strongly connected component of the graph, one for each of its edges
    (so every import that takes part in a cycle shows up), rotated to start at their least
    module and without repeats.
    """
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[set[str]] = []

    def connect(node: str) -> None:  # Tarjan; the graph of a package is small enough to recurse
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                connect(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            components.append(component)

    for node in sorted(graph):
        if node not in index:
            connect(node)
    cycles = set()
    for component in components:
        for a in sorted(component):
            for b in sorted(graph[a] & component):
                back = _shortest_path(graph, b, a, component)
                cycle = [a, *back]  # a -> b -> ... -> a
                ring = cycle[:-1]
                first = ring.index(min(ring))
                cycles.add(tuple(ring[first:] + ring[:first] + [ring[first]]))
    return sorted(list(cycle) for cycle in cycles)


def _shortest_path(graph: dict[str, set[str]], start: str, goal: str, within: set[str]) -> list[str]:
    """The shortest path ``[start, ..., goal]`` through ``within`` (breadth first)."""
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        if node == goal:
            return paths[node]
        for nxt in sorted(graph[node] & within):
            if nxt not in paths:
                paths[nxt] = [*paths[node], nxt]
                queue.append(nxt)
    raise AssertionError(f"{goal} is not reachable from {start} in its strongly connected component")


def describe_cycle(cycle: list[str], imports: list[Import]) -> str:
    """``A -> B -> A`` and, for each step, where the import is."""
    where = defaultdict(list)
    for item in imports:
        place = f"{item.file}:{item.line}"
        if place not in where[(item.importer, item.imported)]:
            where[(item.importer, item.imported)].append(place)
    steps = [f"    {a} -> {b}: {', '.join(where[(a, b)])}" for a, b in zip(cycle, cycle[1:], strict=False)]
    return " -> ".join(cycle) + "\n" + "\n".join(steps)


def cycle_report(package_dir: Path) -> list[str]:
    graph, imports = module_graph(package_dir)
    return [describe_cycle(cycle, imports) for cycle in find_cycles(graph)]


def in_command_layer(module: str, package: str) -> bool:
    cli = f"{package}.{CLI}"
    return module == cli or module.startswith(cli + ".") or module in {f"{package}.{m}" for m in COMMAND_LAYER_MODULES}


def command_layer_imports_outside(package_dir: Path) -> list[str]:
    """Imports of the command layer (``P.cli``, ``P.cli.*``) by modules outside it."""
    package = package_dir.name
    cli = f"{package}.{CLI}"
    _, imports = module_graph(package_dir)
    return [
        f"{item.file}:{item.line}: {item.importer} imports {item.imported}"
        for item in imports
        if (item.imported == cli or item.imported.startswith(cli + "."))
        and not in_command_layer(item.importer, package)
    ]


# ---------------------------------------------------------------- printing, the clock, the environment

#: Qualified names a core module must not use, and why.
FORBIDDEN: dict[str, str] = {
    "builtins.print": "prints",
    "builtins.input": "reads the console",
    "sys.stdout": "writes to stdout",
    "sys.stderr": "writes to stderr",
    "sys.__stdout__": "writes to stdout",
    "sys.__stderr__": "writes to stderr",
    "sys.stdin": "reads the console",
    "os.environ": "reads the environment",
    "os.environb": "reads the environment",
    "os.getenv": "reads the environment",
    "os.getenvb": "reads the environment",
    "os.putenv": "changes the environment",
    "os.unsetenv": "changes the environment",
    "os.path.expanduser": "reads the environment ($HOME)",
    "pathlib.Path.home": "reads the environment ($HOME)",
    "pathlib.Path.cwd": "reads the working directory",
    "os.getcwd": "reads the working directory",
    "os.getcwdb": "reads the working directory",
    "getpass": "reads the login name",
    "datetime.datetime.now": "reads the clock",
    "datetime.datetime.utcnow": "reads the clock",
    "datetime.datetime.today": "reads the clock",
    "datetime.date.today": "reads the clock",
    "time.time": "reads the clock",
    "time.time_ns": "reads the clock",
    "email.utils.make_msgid": "reads the clock (the Message-ID is stamped with the current time)",
    "email.utils.localtime": "reads the clock",
}
#: Methods that read the environment whatever object they are called on (a path's ``~``).
FORBIDDEN_METHODS: dict[str, str] = {"expanduser": "reads the environment ($HOME)"}


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local name -> qualified name, from every import in the file (any depth)."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    head = alias.name.split(".")[0]
                    names[head] = head
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return names


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``; None for anything but names and attributes."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return parts[::-1]


def side_effects_in(path: Path, shown: str) -> list[str]:
    """``FILE:LINE: what`` for every print, console, clock or environment access in one file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    aliases = _aliases(tree)
    found = set()

    def qualify(parts: list[str]) -> str:
        head = aliases.get(parts[0])
        if head is None:
            head = f"builtins.{parts[0]}" if parts[0] in ("print", "input") else parts[0]
        return ".".join([head, *parts[1:]])

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            names = []
        for name in names:
            if name in FORBIDDEN:
                found.add((node.lineno, f"imports {name}: {FORBIDDEN[name]}"))
        if not isinstance(node, (ast.Name, ast.Attribute)):
            continue
        parts = _dotted(node)
        name = qualify(parts) if parts else ""
        match = next((f for f in FORBIDDEN if name == f or name.startswith(f + ".")), None)
        if match is not None:
            found.add((node.lineno, f"{match}: {FORBIDDEN[match]}"))
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_METHODS:
            found.add((node.lineno, f".{node.attr}(): {FORBIDDEN_METHODS[node.attr]}"))
    # ``sys.stdout.write`` also contains ``sys.stdout``: one offence per line and kind.
    return [f"{shown}:{line}: {what}" for line, what in sorted(found)]


def core_side_effects(package_dir: Path) -> list[str]:
    """Every offence in the core modules (all but the command layer)."""
    package = package_dir.name
    root = package_dir.parent
    out = []
    for module, path in module_files(package_dir).items():
        if path.is_file() and not in_command_layer(module, package):
            out += side_effects_in(path, str(path.relative_to(root)))
    return out


# ---------------------------------------------------------------- the rules, on govtool


def test_no_import_cycles():
    cycles = cycle_report(PACKAGE_DIR)
    print("\n".join(["import cycles:", *cycles]) if cycles else "no import cycles")
    assert not cycles, f"{len(cycles)} import cycle(s) among govtool's modules:\n" + "\n".join(cycles)


def test_only_the_command_layer_imports_the_command_layer():
    found = command_layer_imports_outside(PACKAGE_DIR)
    assert not found, "core modules import the command layer:\n" + "\n".join(found)


def test_core_modules_never_print_nor_read_the_clock_or_the_environment():
    found = core_side_effects(PACKAGE_DIR)
    print("\n".join(found))
    assert not found, f"{len(found)} offence(s) in core modules:\n" + "\n".join(found)


def test_the_package_has_the_modules_the_rules_are_about():
    modules = module_files(PACKAGE_DIR)
    assert f"{PACKAGE}.{CLI}" in modules and f"{PACKAGE}.__main__" in modules
    assert len(modules) > 10
    graph, imports = module_graph(PACKAGE_DIR)
    assert any(item.importer == f"{PACKAGE}.__main__" and item.imported == f"{PACKAGE}.{CLI}" for item in imports)
    assert sum(len(targets) for targets in graph.values()) > 30


# ---------------------------------------------------------------- the rules, on packages with known offences


def make_package(tmp_path: Path, files: dict[str, str]) -> Path:
    package = tmp_path / "pkg"
    for name, text in {"__init__.py": "", **files}.items():
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text(text, encoding="utf-8")
    return package


def test_a_cycle_through_a_function_level_import_is_found(tmp_path):
    package = make_package(
        tmp_path,
        {
            "render.py": "from pkg import dashboard\n",
            "dashboard.py": "from pkg.escalation import level\n",
            "escalation.py": "def level():\n    from pkg.render import env\n    return env\n",
            "leaf.py": "import pkg.render\n",
        },
    )
    assert find_cycles(module_graph(package)[0]) == [["pkg.dashboard", "pkg.escalation", "pkg.render", "pkg.dashboard"]]
    (report,) = cycle_report(package)
    assert report.startswith("pkg.dashboard -> pkg.escalation -> pkg.render -> pkg.dashboard\n")
    assert "pkg.escalation -> pkg.render: pkg/escalation.py:2" in report


def test_import_forms_resolve_to_the_module_they_run(tmp_path):
    package = make_package(
        tmp_path,
        {
            "a.py": "from . import b\nfrom .c import name\nfrom pkg import VERSION\n",
            "b.py": "import pkg.sub.d as d\n",
            "c.py": "import importlib\nimportlib.import_module('pkg.sub')\n",
            "sub/__init__.py": "from .d import x\n",
            "sub/d.py": "from .. import a\nfrom ..b import y\n",
        },
    )
    graph, _ = module_graph(package)
    assert graph == {
        "pkg": set(),
        "pkg.a": {"pkg.b", "pkg.c", "pkg"},
        "pkg.b": {"pkg.sub.d"},
        "pkg.c": {"pkg.sub"},
        "pkg.sub": {"pkg.sub.d"},
        "pkg.sub.d": {"pkg.a", "pkg.b"},
    }
    assert find_cycles(graph) == [
        ["pkg.a", "pkg.b", "pkg.sub.d", "pkg.a"],
        ["pkg.a", "pkg.c", "pkg.sub", "pkg.sub.d", "pkg.a"],
        ["pkg.b", "pkg.sub.d", "pkg.b"],
    ]


def test_a_directory_without_init_is_a_namespace_package(tmp_path):
    package = make_package(
        tmp_path, {"a.py": "from pkg import cli\n", "cli/main.py": "from pkg.cli import main\nfrom pkg import a\n"}
    )
    graph, _ = module_graph(package)
    assert graph == {"pkg": set(), "pkg.a": {"pkg.cli"}, "pkg.cli": set(), "pkg.cli.main": {"pkg.a"}}
    assert command_layer_imports_outside(package) == ["pkg/a.py:1: pkg.a imports pkg.cli"]


def test_a_package_without_cycles_passes(tmp_path):
    package = make_package(
        tmp_path, {"a.py": "import pkg.b\n", "b.py": "from pkg import c\n", "c.py": "import os\n", "d.py": "import d\n"}
    )
    assert cycle_report(package) == []


def test_a_core_module_importing_the_command_layer_is_found(tmp_path):
    package = make_package(
        tmp_path,
        {
            "cli/__init__.py": "from pkg.cli import research\n",
            "cli/research.py": "from pkg import core\n",
            "__main__.py": "from pkg.cli import main\n",
            "core.py": "def f():\n    from pkg.cli.research import x\n",
            "other.py": "from pkg import cli\n",
        },
    )
    assert command_layer_imports_outside(package) == [
        "pkg/core.py:2: pkg.core imports pkg.cli.research",
        "pkg/other.py:1: pkg.other imports pkg.cli",
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("print('x')\n", "builtins.print: prints"),
        ("import sys\nsys.stderr.write('x')\n", "sys.stderr: writes to stderr"),
        ("from sys import stdout\n", "imports sys.stdout: writes to stdout"),
        ("import os\nos.environ.get('HOME')\n", "os.environ: reads the environment"),
        ("from os import getenv as ge\nge('X')\n", "imports os.getenv: reads the environment"),
        ("import datetime as dt\ndt.datetime.now(dt.timezone.utc)\n", "datetime.datetime.now: reads the clock"),
        ("from datetime import date\ndate.today()\n", "datetime.date.today: reads the clock"),
        ("from datetime import datetime as D\nD.utcnow()\n", "datetime.datetime.utcnow: reads the clock"),
        ("import time\ntime.time()\n", "time.time: reads the clock"),
        ("from pathlib import Path\nPath.cwd()\n", "pathlib.Path.cwd: reads the working directory"),
        ("import os\nos.getcwd()\n", "os.getcwd: reads the working directory"),
        ("def f():\n    import getpass\n    return getpass.getuser()\n", "getpass: reads the login name"),
        ("def f(p):\n    return p.expanduser()\n", ".expanduser(): reads the environment ($HOME)"),
    ],
)
def test_each_kind_of_side_effect_is_found(tmp_path, source, expected):
    package = make_package(tmp_path, {"core.py": source, "cli.py": source, "__main__.py": source})
    found = core_side_effects(package)
    assert any(line.startswith("pkg/core.py:") and line.endswith(expected) for line in found), found
    assert all(line.startswith("pkg/core.py:") for line in found)  # the command layer may


def test_clean_core_code_is_not_flagged(tmp_path):
    source = (
        "import datetime as dt\nimport os.path\nfrom pathlib import Path\n\n"
        "def f(today: dt.date, root: Path, env: dict) -> str:\n"
        "    later = dt.datetime.combine(today, dt.time(12), dt.timezone.utc)\n"
        "    printed = 'print(' + env.get('HOME', '') + os.path.join('a', 'b')\n"
        "    return str(root / 'now') + later.isoformat() + printed\n"
    )
    package = make_package(tmp_path, {"core.py": source})
    assert core_side_effects(package) == []
