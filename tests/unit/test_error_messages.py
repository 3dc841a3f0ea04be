"""Every error a person may read goes through the catalogues: a DomainError (or a subclass) is raised with text
marked ``N_("... %(name)s ...")`` and its values in ``params``, never with an f-string, a concatenation or bare
English, which would reach a Spanish, Chinese, Vietnamese or Tagalog reader in English."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LMS = ROOT / "lms"

# Modules whose errors only programs read, with the reason: they stay English (each says so at its top).
MACHINE_FACING = {
    "lms/xapi/": "the Learning Record Store answers xAPI clients and ADL's conformance suite, which read status codes",
    "lms/packages/cmi5/lrs.py": "what an AU's own code may send to the LRS during its launch (cmi5 §9)",
    "lms/packages/cmi5/rules.py": "cmi5 §9's rules on an AU's statements, refused to the AU's code",
}
BASES = {"DomainError", "Invalid", "NotFound", "Conflict", "Forbidden", "PreconditionFailed", "TooMany"}


def _trees() -> dict[str, ast.Module]:
    return {str(p.relative_to(ROOT)): ast.parse(p.read_text(encoding="utf-8")) for p in sorted(LMS.rglob("*.py"))}


def _error_classes(trees: dict[str, ast.Module]) -> set[str]:
    """DomainError and every class in lms/ that derives from it, however deep."""
    known = set(BASES)
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in known:
                    bases = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", None) for b in node.bases}
                    if bases & known:
                        known.add(node.name)
                        grew = True
    return known


def _unmarked(arg: ast.expr) -> str | None:
    """Why this message would reach the reader in English, or None when it goes through the catalogues."""
    if isinstance(arg, ast.JoinedStr):
        return "an f-string"
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return "text not marked N_()"
    if isinstance(arg, ast.BinOp):
        return "a sentence built by concatenation or %"
    if isinstance(arg, ast.Call) and not _keeps_its_template(arg.func):
        return f"text made by {ast.unparse(arg.func)}()"
    return None  # N_(...), Text(...), or a name/attribute holding marked text (a module constant, exc.template)


def _keeps_its_template(func: ast.expr) -> bool:
    """N_("..."), Text(N_("..."), ...) (itself checked), or an error said again as Text (``exc.as_text()``)."""
    return (isinstance(func, ast.Name) and func.id in ("N_", "Text")) or (
        isinstance(func, ast.Attribute) and func.attr == "as_text"
    )


def _findings() -> list[str]:
    trees = _trees()
    classes = _error_classes(trees)
    found = []
    for path, tree in trees.items():
        if path.startswith(tuple(MACHINE_FACING)):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            if name not in classes:
                continue
            message = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "detail"), None)
            if message is not None and (why := _unmarked(message)):
                found.append(f"{path}:{node.lineno}: {name}({ast.unparse(message)[:60]}...) is {why}")
    return found


def _problem_message(node: ast.Call) -> ast.expr | None:
    """The message of a problem in a list: ``Problem(file, line, message)``, ``problems.add(element, message)``,
    ``problems.append((path, message))``, or interface text kept with its values, ``Text(template, ...)``."""
    func = node.func
    if isinstance(func, ast.Name) and func.id == "Problem" and len(node.args) >= 3:
        return node.args[2]
    if isinstance(func, ast.Name) and func.id == "Text" and node.args:
        return node.args[0]
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in ("problems", "out"):
        if func.attr == "add" and len(node.args) == 2:
            return node.args[1]
        if func.attr == "append" and node.args and isinstance(node.args[0], ast.Tuple) and len(node.args[0].elts) == 2:
            return node.args[0].elts[1]
    return None


def test_problems_in_a_list_go_through_the_catalogues_too():
    found = []
    for path, tree in _trees().items():
        if path.startswith(tuple(MACHINE_FACING)):
            continue
        for node in ast.walk(tree):
            message = _problem_message(node) if isinstance(node, ast.Call) else None
            if message is not None and (why := _unmarked(message)):
                found.append(f"{path}:{node.lineno}: {ast.unparse(message)[:60]}... is {why}")
    assert not found, "use Text(N_('... %(name)s ...'), name=value):\n" + "\n".join(found)


def test_errors_people_read_go_through_the_catalogues():
    found = _findings()
    assert not found, "use N_('... %(name)s ...') with params=...:\n" + "\n".join(found)


def test_the_guard_sees_what_it_must_refuse():
    tree = ast.parse('raise Invalid(f"no course {code}")\nraise NotFound("no such user")\nraise Conflict(N_("ok"))')
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") != "N_"]
    assert [_unmarked(c.args[0]) for c in calls] == ["an f-string", "text not marked N_()", None]


def test_every_machine_facing_exception_names_a_module_that_says_why():
    for path in MACHINE_FACING:
        target = ROOT / path
        assert target.exists(), path
        module = target / "__init__.py" if target.is_dir() else target
        assert "English" in (ast.get_docstring(ast.parse(module.read_text(encoding="utf-8"))) or ""), path
