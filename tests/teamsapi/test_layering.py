"""The Teams API client knows nothing of the apps above it, not even for type checking."""

from __future__ import annotations

import ast
from pathlib import Path

import apps.teamsapi

ALLOWED = ("apps.teamsapi", "apps.core")


def _imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_teamsapi_imports_only_itself_and_core_among_the_apps() -> None:
    package = Path(apps.teamsapi.__file__).parent
    reaching_up = {
        f"{path.name}: {module}"
        for path in package.rglob("*.py")
        for module in _imported_modules(path)
        if module.startswith("apps.") and not module.startswith(ALLOWED)
    }
    assert reaching_up == set()
    assert len(list(package.rglob("*.py"))) >= 8  # the walk found the package
