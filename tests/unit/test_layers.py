"""The package's layers import downward only, and no modules import each other in a cycle.

Every ``import`` in ``src/shopscribe`` is read from the source (function-level imports included: one that
runs up a layer, or closes a cycle, is a hidden dependency all the same). The layer order is written once,
here; docs/architecture.md draws it."""

from __future__ import annotations

import ast
from pathlib import Path

import shopscribe

ROOT = Path(shopscribe.__file__).parent

# lowest first; a module may import its own package and any package of its own or a lower layer
LAYERS = [
    {"config", "errors", "appendlog", "resources"},
    {"catalog", "models", "embeddings", "linear"},
    {"tasks"},
    {"engine"},
    {"quality"},
    {"training"},
    {"critic"},
    {"generation"},
    {"evaluation", "reviews", "optimize", "batch", "preferences"},
    {"storage"},
    {"workspace"},
    {"ui"},
    {"service"},
    {"cli"},
]
LAYER = {package: i for i, packages in enumerate(LAYERS) for package in packages}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """(imported shopscribe module, line) for every import in ``path``, relative ones resolved."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(a.name, node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            for a in node.names:  # `from shopscribe.x import y` may name the module x.y
                candidate = f"{base}.{a.name}"
                found.append((candidate if _exists(candidate) else base, node.lineno))
    return [(m, line) for m, line in found if m == "shopscribe" or m.startswith("shopscribe.")]


def _exists(module: str) -> bool:
    rel = Path(*module.split(".")[1:])
    return (ROOT / rel).with_suffix(".py").is_file() or (ROOT / rel / "__init__.py").is_file()


def _graph() -> dict[str, list[tuple[str, int]]]:
    return {_module_name(p): _imports(p) for p in sorted(ROOT.rglob("*.py"))}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_every_package_has_a_layer():
    packages = {p.stem if p.is_file() else p.name for p in ROOT.iterdir()
                if (p.suffix == ".py" and p.stem != "__init__") or (p / "__init__.py").is_file()}
    assert packages - set(LAYER) == set(), "add the new package to LAYERS (and docs/architecture.md)"


def test_no_package_imports_a_higher_layer():
    upward = []
    for module, imports in _graph().items():
        source = _top(module)
        for target, line in imports:
            if source and _top(target) and LAYER[_top(target)] > LAYER[source]:
                upward.append(f"{module}:{line} imports {target} ({source} is below {_top(target)})")
    assert upward == []


def test_no_import_cycles_between_modules_or_packages():
    graph = _graph()
    modules = {m: {t for t, _ in imports if t in graph and t != m and not m.startswith(t + ".")}
               for m, imports in graph.items()}
    packages: dict[str, set[str]] = {}
    for m, targets in modules.items():
        packages.setdefault(_top(m), set()).update(_top(t) for t in targets if _top(t) != _top(m))
    for name, edges in (("module", modules), ("package", packages)):
        cycle = _find_cycle(edges)
        assert cycle is None, f"{name} import cycle: {' -> '.join(cycle)}"


def _find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_the_checker_catches_an_upward_import_and_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None
    assert LAYER["engine"] < LAYER["generation"] < LAYER["service"]
