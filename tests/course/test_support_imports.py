"""support/ imports without a cycle: each module can be read, and loaded, after those it uses.

Every import counts, the ones inside a function too: an import moved into a function to dodge a
cycle still leaves two modules that need each other.
"""
import ast

from helpers import REPO


def support_imports(path):
    """The support modules a file imports anywhere in it, by their name in support/."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[1] for alias in node.names
                      if alias.name.startswith("support.")}
        elif isinstance(node, ast.ImportFrom) and node.module == "support":
            found |= {alias.name for alias in node.names}           # from support import idx
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("support."):
            found.add(node.module.split(".")[1])
    return found


def import_graph(folder):
    """{module: the support modules it imports} for every module in `folder`."""
    return {path.stem: support_imports(path) - {path.stem} for path in folder.glob("*.py")}


def a_cycle(graph):
    """One cycle of imports as a list of modules, the first repeated at the end, or None."""
    done, path = set(), []

    def visit(module):
        if module in path:
            return path[path.index(module):] + [module]
        if module in done:
            return None
        path.append(module)
        for imported in sorted(graph.get(module, ())):
            cycle = visit(imported)
            if cycle:
                return cycle
        path.pop()
        done.add(module)
        return None

    for module in sorted(graph):
        cycle = visit(module)
        if cycle:
            return cycle
    return None


def test_support_has_no_import_cycle():
    cycle = a_cycle(import_graph(REPO / "support"))
    assert cycle is None, "support/ imports in a cycle: " + " -> ".join(cycle)


def test_a_cycle_is_found_through_a_function_level_import(tmp_path):
    """The check itself: a planted cycle, one side of it inside a function."""
    (tmp_path / "pad.py").write_text("from support.digits import FIELD\n")
    (tmp_path / "digits.py").write_text("def draw():\n    from support.pad import Pad\n")
    (tmp_path / "other.py").write_text("import support.digits\nfrom support import pad\n")
    assert a_cycle(import_graph(tmp_path)) == ["digits", "pad", "digits"]
