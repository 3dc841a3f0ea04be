"""Every integer any route takes (path, query, JSON or form body) has both bounds, so none can overflow the column it
goes into; and the OpenAPI document says how errors are answered. A new route with a bare ``int`` fails here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec.inspect as mi
from litestar.routes import HTTPRoute

from lms.app import create_app
from lms.errors import Invalid
from lms.input_limits import _refuse_invalid_utf8
from lms.schemas import INT8_MAX
from lms.settings import Settings


def _unbounded(t: Any, where: str, seen: set[type]) -> Iterator[str]:
    if isinstance(t, mi.IntType):
        if (t.ge is None and t.gt is None) or (t.le is None and t.lt is None) or (t.le or 0) > INT8_MAX:
            yield where
    elif isinstance(t, mi.StructType) and t.cls not in seen:
        seen.add(t.cls)
        for field in t.fields:
            yield from _unbounded(field.type, f"{where}.{field.name}", seen)
    elif isinstance(t, mi.UnionType):
        for member in t.types:
            yield from _unbounded(member, where, seen)
    elif isinstance(t, (mi.ListType, mi.SetType, mi.FrozenSetType, mi.VarTupleType)):
        yield from _unbounded(t.item_type, f"{where}[]", seen)
    elif isinstance(t, mi.DictType):
        yield from _unbounded(t.value_type, f"{where}{{}}", seen)
    elif isinstance(t, mi.TupleType):
        for member in t.item_types:
            yield from _unbounded(member, f"{where}()", seen)


def _app() -> Any:
    app = create_app(Settings(secret_key="k" * 40))
    while not hasattr(app, "routes"):  # the request-log wrapper around the Litestar app
        app = app.app
    return app


def test_every_integer_a_route_takes_is_bounded():
    unbounded = []
    for route in _app().routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for name, field in handler.parsed_fn_signature.parameters.items():
                try:
                    info = mi.type_info(field.annotation)
                except (TypeError, ValueError):
                    continue  # not a value a client sends (request, state, a dependency's own type)
                if name == "data":
                    unbounded += [
                        f"{route.path} {sorted(handler.http_methods)} {w}" for w in _unbounded(info, "data", set())
                    ]
                    continue
                ints = (
                    [info]
                    if isinstance(info, mi.IntType)
                    else [t for t in getattr(info, "types", ()) if isinstance(t, mi.IntType)]
                )
                kwargs = field.kwarg_definition
                if ints and (
                    kwargs is None or getattr(kwargs, "le", None) is None or getattr(kwargs, "ge", None) is None
                ):
                    unbounded.append(f"{route.path} {sorted(handler.http_methods)} {name}")
    assert not unbounded, "integers without bounds (use the aliases in lms/schemas.py):\n" + "\n".join(
        sorted(set(unbounded))
    )


def test_the_openapi_document_lists_errors_as_problem_json():
    schema = _app().openapi_schema.to_schema()
    operations = [
        op for path in schema["paths"].values() for op in path.values() if isinstance(op, dict) and "responses" in op
    ]
    assert len(operations) > 50
    for operation in operations:
        for status in ("400", "401", "403", "404", "409", "500", "503"):
            content = operation["responses"][status]["content"]
            assert list(content) == ["application/problem+json"], (operation["operationId"], status)
            assert content["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
    assert {"status", "title", "detail"} <= set(schema["components"]["schemas"]["Problem"]["required"])


def test_text_that_is_not_utf8_is_refused_naming_its_field():
    _refuse_invalid_utf8(b"name=Mar%C3%ADa+L%C3%B3pez&note=", "form")
    for encoded in (b"a=1&name=Mar%EDa", b"name=%C3", b"na%FFme=x"):
        try:
            _refuse_invalid_utf8(encoded, "form")
        except Invalid as exc:
            assert exc.field and exc.field[:2] in ("na", "name") and "UTF-8" in exc.detail
        else:
            raise AssertionError(f"{encoded!r} was accepted")
