"""The import rules of DEVELOPERS.md, checked on the source: no import cycles between the project's modules,
automation/ knows nothing of Django or wallets/, wallets/ knows nothing of Selenium."""

from __future__ import annotations

import ast
import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("automation", "wallets", "metamask_service")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (REPO / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def imports_at_import_time(path: Path, name: str, known: dict[str, Path]) -> set[str]:
    """Project modules imported when ``name`` is imported: module-level statements, not those inside
    functions (deliberately deferred) or under ``if TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
                continue
            if isinstance(node, (ast.If, ast.Try)):
                visit(node.body)
                visit(node.orelse)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
            elif isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = importlib.util.resolve_name("." * node.level + base, package)
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in node.names)

    visit(tree.body)
    return {t for t in targets if t in known and t != name}


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_at_import_time(path, name, known) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in edges[v]:
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in edges:
        if v not in index:
            strong(v)
    return found


def test_no_import_cycles() -> None:
    edges = graph()
    assert len(edges) > 50  # the walk found the project
    # A package's __init__ re-exporting its own submodules is not a cycle of meaning: drop edges from a
    # package to its children before looking.
    for name, targets in edges.items():
        edges[name] = {t for t in targets if not t.startswith(name + ".")}
    assert cycles(edges) == []


def third_party(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_automation_knows_no_django_and_wallets_no_selenium() -> None:
    known = modules()
    for name, path in known.items():
        used = third_party(path)
        if name.startswith("automation"):
            assert not used & {"django", "rest_framework", "celery", "wallets", "metamask_service"}, name
        if name.startswith("wallets"):
            assert not used & {"selenium", "undetected_chromedriver"}, name


def test_the_api_process_does_not_load_selenium() -> None:
    """The API imports the command registry and the services, never the browser side: Selenium and the
    driver stay out of its memory (its pod's limit is set for the API alone)."""
    import os
    import subprocess
    import sys

    code = (
        "import sys, django; django.setup(); import metamask_service.urls; "
        "loaded = sorted(m for m in ('selenium', 'undetected_chromedriver', 'automation.session') "
        "if m in sys.modules); print(loaded)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "metamask_service.settings.test"}
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip().splitlines()[-1] == "[]", out.stdout + out.stderr
