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
    if isinstance(arg, ast.Call) and not (isinstance(arg.func, ast.Name) and arg.func.id == "N_"):
        return f"text made by {ast.unparse(arg.func)}()"
    return None  # N_(...), or a name/attribute holding marked text (a module constant, exc.template)


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
