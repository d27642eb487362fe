"""The kernel modules hold to the rules that let their source be pasted into a cell."""

from __future__ import annotations

import ast
import importlib
import inspect
import pkgutil
import types

import pytest

import synthbench.kernels as kernels
from synthbench.codegen import Plan, Ref, comment_text, kernel_closure, literal

MODULES = [importlib.import_module(f"synthbench.kernels.{m.name}") for m in pkgutil.iter_modules(kernels.__path__)]
TOP_IMPORTS = {"numpy", "pandas", "__future__"}


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_kernel_module_imports_only_numpy_and_pandas_at_the_top(module):
    tree = ast.parse(inspect.getsource(module))
    for node in tree.body:
        if isinstance(node, ast.Import):
            assert {a.name.split(".")[0] for a in node.names} <= TOP_IMPORTS, ast.dump(node)
        elif isinstance(node, ast.ImportFrom):
            assert node.module.split(".")[0] in TOP_IMPORTS, ast.dump(node)

    assert not any(isinstance(n, (ast.Import, ast.ImportFrom)) and "synthbench" in ast.dump(n) for n in ast.walk(tree))


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_every_kernel_reads_only_numpy_pandas_and_its_sibling_kernels(module):
    funcs = [f for f in vars(module).values() if isinstance(f, types.FunctionType) and f.__module__ == module.__name__]
    kernel_closure(funcs)  # raises TypeError naming any other module-level name a kernel reads


def test_kernel_closure_refuses_a_kernel_that_reads_a_module_constant():
    namespace: dict = {"__name__": "fake_kernels", "LIMIT": 3}
    exec("def capped(x):\n    return min(x, LIMIT)\n", namespace)  # a kernel written wrongly, on purpose
    with pytest.raises(TypeError, match="LIMIT"):
        kernel_closure([namespace["capped"]])


@pytest.mark.parametrize(
    "text",
    ["a\nb", 'x"""\nimport os', "\x00", "\ud800", "é\u2028", "\\", "'", "#", "\r\n", "\x0c"],
)
def test_literals_and_comments_of_hostile_text_compile_to_exactly_that_text(text):
    source = f"# {comment_text(text)}\nvalue = {literal(text)}\n"
    assert source.count("\n") == 2 and "\r" not in source
    namespace: dict = {}
    exec(compile(source, "<cell>", "exec"), namespace)  # compiles and runs: no live code from the text
    assert namespace["value"] == text
    assert set(namespace) == {"__builtins__", "value"}
    source.encode("utf-8")  # writable as a UTF-8 file (lone surrogates escaped)


def test_plan_runs_and_renders_the_same_calls():
    def scaled(values, factor):
        return [v * factor for v in values]

    plan = Plan()
    plan.call("y", scaled, [1, 2], factor=3)
    plan.call(("out", "name\n'x'"), scaled, Ref("y"), factor=2)
    env = plan.run(out={})
    assert env["y"] == [3, 6] and env["out"] == {"name\n'x'": [6, 12]}
    source = "\n".join(plan.lines())
    namespace = {"scaled": scaled, "out": {}}
    exec(source, namespace)
    assert namespace["out"] == env["out"]


def test_long_literals_break_over_lines_and_read_back_exactly():
    import numpy as np

    from synthbench.codegen import pretty

    value = {"knots": [float(x) for x in np.linspace(0, 1, 60)], "nested": [[1, 2], ["a\n", np.float64(0.5)]]}
    source = pretty(value, "    ")
    assert max(len(line) for line in source.splitlines()) <= 88
    assert "np.float64" not in source
    assert eval(source) == value  # a literal: nothing else to run
