"""The import graph keeps its layers: core at the bottom, then pairing, reporting, oversight, and the
project (portal) on top; no task imports a view; only the policy turns roles into decisions."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["core", "pairing", "reporting", "oversight", "portal"]  # each may import only those before it
VIEW_MODULES = {"views", "summary_views", "dashboard", "audit", "api"}


def modules(app: str):
    for path in sorted((ROOT / app).rglob("*.py")):
        if "migrations" not in path.parts:
            yield path


def imported(path: Path) -> set[str]:
    """Every module a file imports, at the top or inside a function, relative imports resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


@pytest.mark.parametrize("app", LAYERS)
def test_an_app_imports_only_the_layers_below_it(app):
    above = set(LAYERS[LAYERS.index(app) + 1 :])
    offending = {
        f"{path.relative_to(ROOT)} imports {name}"
        for path in modules(app)
        for name in imported(path)
        if name.split(".")[0] in above
    }
    assert offending == set()


def test_no_task_imports_a_view_module():
    offending = {
        f"{path.relative_to(ROOT)} imports {name}"
        for app in LAYERS
        for path in modules(app)
        if path.name == "tasks.py"
        for name in imported(path)
        if set(name.split(".")) & VIEW_MODULES
    }
    assert offending == set()


def test_only_the_policy_reads_roles():
    users = {
        str(path.relative_to(ROOT))
        for app in LAYERS
        for path in modules(app)
        if "role_of(" in path.read_text(encoding="utf-8")
    }
    assert users == {"core/roles.py", "core/policy.py"}
