"""The house's arrows, read from the source: models at the bottom, the Qt-free app core above it,
widgets above both, app.gui on top; no import circles.

Every import statement counts for the layer rules, lazy ones inside functions too (a lazy
import still runs). Circles are looked for among imports that run when a module loads.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "models", "widgets")
QT = ("PySide6", "pyqtgraph", "shiboken6")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runs_later(node: ast.AST) -> bool:
    """A function body, or an `if TYPE_CHECKING:` block: nothing there runs at load time."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
        return True
    return isinstance(node, ast.If) and _is_type_checking(node)


def _imports(path: Path, module: str) -> tuple[set[str], set[str]]:
    """(every module named by an import anywhere in the file, those imported at load time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    everywhere: set[str] = set()
    at_load: set[str] = set()

    def names(node: ast.Import | ast.ImportFrom) -> set[str]:
        if isinstance(node, ast.Import):
            return {alias.name for alias in node.names}
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, base] if base else anchor)
        # `from app.datasets import toy` may name a submodule: record both possibilities.
        return {base} | {f"{base}.{alias.name}" for alias in node.names}

    def visit(node: ast.AST, loading: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import | ast.ImportFrom):
                found = names(child)
                everywhere.update(found)
                if loading:
                    at_load.update(found)
            elif _runs_later(child):
                visit(child, False)
            else:
                visit(child, loading)

    visit(tree, True)
    return everywhere, at_load


MODULES = _modules()
IMPORTS = {name: _imports(path, name) for name, path in MODULES.items()}


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _breaking(layer: str, forbidden: tuple[str, ...], exempt: tuple[str, ...] = ()) -> list[str]:
    return sorted(
        f"{module} imports {target}"
        for module, (everywhere, _) in IMPORTS.items()
        if _under(module, layer) and not _under(module, *exempt)
        for target in everywhere
        if _under(target, *forbidden)
    )


def test_the_tree_is_found():
    assert {"models.layers", "app.experiment", "widgets.theme", "app.gui.main_window"} <= set(
        MODULES
    )


def test_models_import_nothing_above_them_and_no_qt():
    assert _breaking("models", ("app", "widgets", *QT)) == []


def test_the_app_core_imports_no_qt_and_no_widgets():
    assert _breaking("app", ("widgets", *QT), exempt=("app.gui",)) == []


def test_only_the_command_line_opens_the_window_and_only_when_asked():
    """main.py -> app.cli -> app.gui: the CLI is the shell above both halves, and imports
    the window lazily, so `layerlab train` never loads Qt."""
    assert _breaking("app", ("app.gui",), exempt=("app.gui", "app.cli")) == []
    assert not any(_under(t, "app.gui", *QT) for t in IMPORTS["app.cli"][1])


def test_widgets_never_import_the_window():
    assert _breaking("widgets", ("app.gui",)) == []


def _load_graph() -> dict[str, set[str]]:
    graph = {}
    for module, (_, at_load) in IMPORTS.items():
        targets = {t for t in at_load if t in MODULES and t != module}
        # A package's own submodules import it first; that is loading order, not a circle.
        graph[module] = {t for t in targets if not module.startswith(t + ".")}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return groups


def test_no_import_circles():
    assert _cycles(_load_graph()) == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}}, [["a", "b"]]),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ],
)
def test_the_circle_finder_finds_circles(graph, expected):
    assert _cycles(graph) == expected


def test_a_lazy_upward_import_breaks_the_rules(tmp_path):
    source = "def demo():\n    from app.gui.application import create_application\n"
    path = tmp_path / "x.py"
    path.write_text(source)
    everywhere, at_load = _imports(path, "widgets.x")
    assert "app.gui.application" in everywhere
    assert at_load == set()


def test_the_window_never_loads_torch_only_its_engine_process_does():
    """torch (about 1.5 s to import) loads in the engine process (app.engine_process), so the
    window starts without it and its redraws never share a GIL with training."""
    heavy = ("torch", "torchvision", "app.training", "models.build", "models.checkpoint")
    assert _breaking("app.gui", heavy) == []
    assert _breaking("widgets", heavy) == []
    for module in ("app.engine_link", "app.engine_process", "app.control"):
        assert not any(_under(target, *heavy) for target in IMPORTS[module][1]), module
