"""Imports run one way between the apps: no cycle, core imports no app, no edge points up.

The graph is built from every module under apps/ and teamsadmin/ with `ast`, so imports inside
functions count (a lazy import is still a dependency); imports under `if TYPE_CHECKING:` do not
(they never run). Each edge is an app importing another app, with the modules that do it.

The declared order, bottom to top; an app may import only the apps of lower layers:

| layer | apps                          | may import                                          |
|-------|-------------------------------|-----------------------------------------------------|
| 0     | core                          | nothing                                             |
| 1     | teamsapi                      | core                                                |
| 2     | authtenants                   | core, teamsapi                                      |
| 3     | sync                          | layers 0-2                                          |
| 4     | activity, directory, audit    | layers 0-3 (not each other)                         |
| 5     | history                       | layers 0-4 (pages showing activity and audit both)  |
| 6     | access                        | layers 0-5 (tenant access widgets both pages share) |
| 7     | tenants, members, accounts    | layers 0-6 (accounts uses core only today)          |
| 8     | reviews, people               | layers 0-7 (reviews act through access, offboarding through members) |
| top   | teamsadmin                    | everything (settings, URLconf, the Celery app)      |
| aside | sandbox                       | core only; no app imports it                        |

The sandbox simulates the remote Teams API: the dashboard reaches it over HTTP, as it would
the real one, so it stays out of the product apps' graph in both directions.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("teamsapi",),
    ("authtenants",),
    ("sync",),
    ("activity", "directory", "audit"),
    ("history",),
    ("access",),
    ("tenants", "members", "accounts"),
    ("reviews", "people"),
    ("teamsadmin",),
)
ASIDE = {"sandbox": frozenset({"core"})}

Edges = dict[tuple[str, str], set[str]]  # (importer, imported) -> importing modules


def allowed_imports() -> dict[str, frozenset[str]]:
    """What each app may import: every app of a lower layer (the sandbox: core only)."""
    allowed: dict[str, frozenset[str]] = dict(ASIDE)
    below: set[str] = set()
    for layer in LAYERS[:-1]:
        for app in layer:
            allowed[app] = frozenset(below)
        below.update(layer)
    for app in LAYERS[-1]:
        allowed[app] = frozenset(below | set(ASIDE))
    return allowed


def app_of(module: str) -> str | None:
    """`apps.sync.services` -> "sync"; `teamsadmin.celery` -> "teamsadmin"; others None."""
    parts = module.split(".")
    if parts[0] == "apps" and len(parts) > 1:
        return parts[1]
    if parts[0] == "teamsadmin":
        return "teamsadmin"
    return None


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, leaving out the bodies of `if TYPE_CHECKING:` (their `else:` still counts)."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and _is_type_checking(child.test):
            for node in child.orelse:
                yield node
                yield from _nodes(node)
            continue
        yield child
        yield from _nodes(child)


def _absolute(module: str | None, level: int, importer: str, is_package: bool) -> str:
    if level == 0:
        return module or ""
    package = importer.split(".") if is_package else importer.split(".")[:-1]
    base = package[: len(package) - (level - 1)]
    return ".".join([*base, module] if module else base)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """The modules one module's source imports, wherever the import statement stands."""
    found: set[str] = set()
    for node in _nodes(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(node.module, node.level, module, is_package)
            found.add(target)
            # `from apps import sync` imports the package apps.sync.
            found.update(f"{target}.{alias.name}" for alias in node.names)
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", getattr(node.func, "attr", "")) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


def import_graph(root: Path) -> Edges:
    """App-level edges of every module under root/apps and root/teamsadmin."""
    edges: Edges = defaultdict(set)
    for path in sorted([*root.glob("apps/**/*.py"), *root.glob("teamsadmin/**/*.py")]):
        relative = path.relative_to(root)
        module = ".".join(relative.with_suffix("").parts)
        is_package = path.name == "__init__.py"
        if is_package:
            module = module.rsplit(".", 1)[0]
        importer = app_of(module)
        if importer is None:
            continue
        source = path.read_text(encoding="utf-8")
        for target in imported_modules(source, module, is_package=is_package):
            imported = app_of(target)
            if imported is not None and imported != importer:
                edges[(importer, imported)].add(str(relative))
    return dict(edges)


def _cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected groups of two or more apps (Tarjan)."""
    graph: dict[str, list[str]] = defaultdict(list)
    for source, target in edges:
        graph[source].append(target)
        graph.setdefault(target, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(app: str) -> None:
        index[app] = low[app] = len(index)
        stack.append(app)
        for other in graph[app]:
            if other not in index:
                visit(other)
                low[app] = min(low[app], low[other])
            elif other in stack:
                low[app] = min(low[app], index[other])
        if low[app] == index[app]:
            group = []
            while (member := stack.pop()) != app:
                group.append(member)
            group.append(app)
            if len(group) > 1:
                groups.append(sorted(group))

    for app in sorted(graph):
        if app not in index:
            visit(app)
    return sorted(groups)


def problems(edges: Edges) -> list[str]:
    """Every cycle, every import by core, every edge the layer table does not allow."""
    allowed = allowed_imports()
    found = []
    for group in _cycles(edges):
        inside = sorted((s, t) for s, t in edges if s in group and t in group)
        detail = "; ".join(f"{s} -> {t} ({', '.join(sorted(edges[s, t]))})" for s, t in inside)
        found.append(f"cycle between {', '.join(group)}: {detail}")
    for (source, target), modules in sorted(edges.items()):
        where = ", ".join(sorted(modules))
        if source not in allowed:
            found.append(f"{source} is not in the layer table ({where})")
        elif source == "core":
            found.append(f"core imports the product app {target} ({where})")
        elif target not in allowed[source]:
            found.append(f"{source} -> {target} goes against the layer order ({where})")
    return found


def test_apps_import_one_way() -> None:
    edges = import_graph(ROOT)

    assert ("activity", "sync") in edges  # the graph is really read
    assert problems(edges) == []


def test_every_app_is_in_the_layer_table() -> None:
    apps = {path.parent.name for path in ROOT.glob("apps/*/__init__.py")}

    assert apps == set(allowed_imports()) - {"teamsadmin"}


def test_the_checker_reports_cycles_core_imports_and_upward_edges() -> None:
    edges: Edges = {
        ("sync", "activity"): {"apps/sync/services.py"},
        ("activity", "sync"): {"apps/activity/services.py"},
        ("core", "members"): {"apps/core/views.py"},
        ("teamsapi", "core"): {"apps/teamsapi/client.py"},
        ("members", "directory"): {"apps/members/views.py"},
        ("directory", "activity"): {"apps/directory/views.py"},
        ("tenants", "sandbox"): {"apps/tenants/views.py"},
        ("sandbox", "core"): {"apps/sandbox/seeding.py"},
        ("teamsadmin", "sandbox"): {"teamsadmin/urls.py"},
        ("widgets", "core"): {"apps/widgets/models.py"},
    }

    assert problems(edges) == [
        "cycle between activity, sync: activity -> sync (apps/activity/services.py); "
        "sync -> activity (apps/sync/services.py)",
        "core imports the product app members (apps/core/views.py)",
        "directory -> activity goes against the layer order (apps/directory/views.py)",
        "sync -> activity goes against the layer order (apps/sync/services.py)",
        "tenants -> sandbox goes against the layer order (apps/tenants/views.py)",
        "widgets is not in the layer table (apps/widgets/models.py)",
    ]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("def f():\n    from apps.sync import services\n", {"apps.sync", "apps.sync.services"}),
        ("import apps.core.db as db\n", {"apps.core.db"}),
        ("from . import tasks\n", {"apps.activity", "apps.activity.tasks"}),
        ("from ..sync.models import SyncRun\n", {"apps.sync.models", "apps.sync.models.SyncRun"}),
        ("importlib.import_module('apps.members.views')\n", {"apps.members.views"}),
        ("if TYPE_CHECKING:\n    from apps.members import views\n", set()),
        ("if typing.TYPE_CHECKING:\n    import apps.members\nelse:\n    import x\n", {"x"}),
    ],
)
def test_imports_are_found_in_functions_and_not_under_type_checking(
    source: str, expected: set[str]
) -> None:
    assert imported_modules(source, "apps.activity.services") == expected


def test_the_graph_is_built_from_the_files(tmp_path: Path) -> None:
    (tmp_path / "apps" / "core").mkdir(parents=True)
    (tmp_path / "apps" / "core" / "views.py").write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from apps.sync.models import SyncRun\n"
        "def view():\n    from apps.members import selectors\n"
    )

    edges = import_graph(tmp_path)

    assert edges == {("core", "members"): {"apps/core/views.py"}}
    assert problems(edges) == ["core imports the product app members (apps/core/views.py)"]
