"""The audit log's words: every row's action is an AuditAction member, never a string typed
at the call, and its detail uses the keys of msoic.audit.vocabulary (one key for one
concept across the apps). Read from the source, since running every call is the whole
suite; record() refuses the rest at run time in tests."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from msoic.audit.log import record
from msoic.audit.models import AuditEvent
from msoic.audit.vocabulary import DETAIL_KEYS

SRC = Path(__file__).resolve().parents[2] / "src" / "msoic"
WRITERS = {"record", "record_denied"}


@dataclass
class Module:
    path: Path
    tree: ast.Module
    writers: set[str] = field(default_factory=set)  # local names of record / record_denied
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.path.relative_to(SRC))

    def where(self, node: ast.AST) -> str:
        return f"{self.name}:{getattr(node, 'lineno', '?')}"

    def function_of(self, node: ast.AST) -> ast.FunctionDef | None:
        while node in self.parents:
            node = self.parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def module_dict(self, name: str) -> ast.Dict | None:
        for stmt in self.tree.body:
            target = stmt.targets[0] if isinstance(stmt, ast.Assign) else getattr(stmt, "target", 0)
            value = getattr(stmt, "value", None)
            if isinstance(target, ast.Name) and target.id == name and isinstance(value, ast.Dict):
                return value
        return None


def audit_writing_modules() -> list[Module]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if "migrations" in path.parts or path.parts[-2:] == ("audit", "log.py"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        module = Module(path, tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module == "msoic.audit.log":
                module.writers |= {a.asname or a.name for a in node.names if a.name in WRITERS}
            for child in ast.iter_child_nodes(node):
                module.parents[child] = node
        if module.writers:
            found.append(module)
    return found


MODULES = audit_writing_modules()


def calls(module: Module, names: set[str]) -> list[ast.Call]:
    return [
        n
        for n in ast.walk(module.tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in names
    ]


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def is_member(expr: ast.expr) -> bool:
    return (
        isinstance(expr, ast.Attribute)
        and isinstance(expr.value, ast.Name)
        and expr.value.id == "AuditAction"
    )


def action_faults(module: Module, expr: ast.expr, at: ast.Call, seen: set[str]) -> list[str]:
    """Why ``expr``, given as a row's action, might not be an AuditAction member."""
    if is_member(expr):
        return []
    if isinstance(expr, ast.IfExp):
        return action_faults(module, expr.body, at, seen) + action_faults(
            module, expr.orelse, at, seen
        )
    if isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Name):
        table = module.module_dict(expr.value.id)
        if table is not None and all(is_member(v) for v in table.values):
            return []
    function = module.function_of(at)
    if isinstance(expr, ast.Name) and function is not None:
        params = {a.arg for a in [*function.args.args, *function.args.kwonlyargs]}
        if expr.id in params and function.name not in seen:
            # A helper passing its own parameter on: every call of the helper is checked.
            seen.add(function.name)
            faults = []
            for call in calls(module, {function.name}):
                given = keyword(call, expr.id)
                if given is None:
                    faults.append(f"{module.where(call)}: {function.name}() without {expr.id}=")
                else:
                    faults += action_faults(module, given, call, seen)
            return faults
        if expr.id in params:
            return []
    return [f"{module.where(at)}: action={ast.unparse(expr)}"]


def test_the_scan_finds_the_apps_that_write_audit_rows():
    names = {m.name for m in MODULES}
    assert {"collection/pipeline.py", "assurance/actions.py", "accounts/access.py"} <= names
    assert sum(len(calls(m, m.writers)) for m in MODULES) > 50


def test_every_audit_row_is_written_with_an_audit_action_member():
    faults = []
    for module in MODULES:
        for call in calls(module, module.writers):
            given = keyword(call, "action")
            if given is not None:
                faults += action_faults(module, given, call, set())
            elif "record_denied" not in ast.unparse(call.func):
                faults.append(f"{module.where(call)}: no action=")
        for node in ast.walk(module.tree):  # a helper given a typed string
            if isinstance(node, ast.Call) and not ast.unparse(node.func).endswith(".add_argument"):
                # (argparse's add_argument(action="store_true") is not an audit row)
                given = keyword(node, "action")
                if isinstance(given, ast.Constant) and isinstance(given.value, str):
                    faults.append(f"{module.where(node)}: action={given.value!r}")
    assert faults == []


def literal_detail_keys(module: Module) -> dict[str, str]:
    """{key: where} of string keys in dicts given as detail= (or extra=, the register's
    helper's addition to it) anywhere in a module that writes audit rows."""
    keys = {}
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        for name in ("detail", "extra"):
            given = keyword(node, name)
            if isinstance(given, ast.Dict):
                for key in given.keys:
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        keys.setdefault(key.value, module.where(node))
    return keys


def test_every_detail_key_written_is_in_the_vocabulary():
    written = {}
    for module in MODULES:
        written |= literal_detail_keys(module)
    assert len(written) > 40  # the scan reads the apps' detail dicts
    unknown = {key: where for key, where in written.items() if key not in DETAIL_KEYS}
    assert unknown == {}


def test_one_key_for_what_happened_and_counts_apart_from_references():
    """The synonyms found across the apps were made one: 'step' (never 'event') for what
    the app did, 'file_sha256' for a file's digest, '<noun>_count' for a number where
    '<noun>' holds references."""
    assert "step" in DETAIL_KEYS and "event" not in DETAIL_KEYS
    assert {"people", "people_count", "investigations", "investigations_count"} <= set(DETAIL_KEYS)
    for module in MODULES:
        keys = literal_detail_keys(module)
        assert "event" not in keys, keys["event"]


@pytest.mark.django_db
def test_record_refuses_a_detail_key_outside_the_vocabulary():
    with pytest.raises(ValueError, match=r"detail keys \['why'\] are not in"):
        record(actor="tests", action="consultation", object_type="t", detail={"why": "x"})
    assert not AuditEvent.objects.filter(object_type="t").exists()


@pytest.mark.django_db
def test_record_refuses_an_action_that_is_not_an_audit_action():
    with pytest.raises(ValueError, match="action 'looked' is not an AuditAction"):
        record(actor="tests", action="looked", object_type="t")


@pytest.mark.django_db
def test_in_production_an_unknown_key_is_written_and_logged_not_lost(settings, monkeypatch, caplog):
    settings.DEBUG = False
    monkeypatch.delenv("PYTEST_CURRENT_TEST")
    row = record(actor="tests", action="consultation", object_type="t", detail={"why": "x"})
    assert row.detail == {"why": "x"}
    assert "detail keys ['why']" in caplog.text
