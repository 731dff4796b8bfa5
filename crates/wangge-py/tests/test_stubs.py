"""The type stubs shipped with the package name exactly what the module has."""

import ast
import pathlib

import wangge


def stub_names():
    tree = ast.parse((pathlib.Path(wangge.__file__).parent / "__init__.pyi").read_text())
    module, registry = set(), set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            module.add(node.name)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            module.add(node.target.id)
        elif isinstance(node, ast.Assign):
            module.update(t.id for t in node.targets if isinstance(t, ast.Name))
        if isinstance(node, ast.ClassDef) and node.name == "Registry":
            registry = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
    return module, registry


def test_the_stubs_name_every_public_name_and_no_other():
    module, registry = stub_names()
    aliases = {"Date", "DateTime", "Ids", "Json"}  # the stubs' own type aliases
    assert module - aliases == set(wangge.__all__)
    runtime = {n for n in dir(wangge.Registry) if not n.startswith("_")}
    assert {n for n in registry if not n.startswith("_")} == runtime
    assert (pathlib.Path(wangge.__file__).parent / "py.typed").exists()
