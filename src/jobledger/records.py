"""Immutable records: what `@dataclass(frozen=True, slots=True)` makes, made at start-up speed.

Every stage passes frozen, typed records. `dataclasses` makes them well but slowly: it compiles
each class's six methods one `exec` at a time and imports `inspect`, about 1 ms per class here,
and `status` alone defines some fifty classes before it reads a line: two thirds of its time on
the example ledger. `record` compiles one `__init__` per number of fields, and shares the rest.

What a record has, as a frozen slotted dataclass would: an `__init__` taking the fields in order
(defaults allowed after the last required one; fields of a record base class come first), `==`
between records of the same class and their field values, a hash of the field values, a `repr`,
`__match_args__`, `__post_init__` when the class defines one, and assignment refused with
`FrozenRecordError`. Defaults must be immutable values (no `field(default_factory=...)`).
`replace` and `fields` stand in for their `dataclasses` namesakes.
"""

from __future__ import annotations

from functools import cache
from operator import attrgetter
from types import CodeType, FunctionType
from typing import Any, ClassVar, TypeVar, cast, dataclass_transform

_T = TypeVar("_T")
_MUTABLE_DEFAULTS = (list, dict, set, bytearray)


class FrozenRecordError(AttributeError):
    """An assignment to a record's field (a subclass of AttributeError, as dataclasses' is)."""


def _refuse_set(self: object, name: str, value: object) -> None:
    raise FrozenRecordError(f"cannot assign to field {name!r} of a {type(self).__name__}")


def _refuse_delete(self: object, name: str) -> None:
    raise FrozenRecordError(f"cannot delete field {name!r} of a {type(self).__name__}")


def _get_state(self: object) -> tuple[object, ...]:
    return tuple(getattr(self, name) for name in type(self).__record_fields__)  # type: ignore[attr-defined]


def _set_state(self: object, state: tuple[object, ...]) -> None:
    for name, value in zip(type(self).__record_fields__, state, strict=True):  # type: ignore[attr-defined]
        object.__setattr__(self, name, value)


def _is_class_var(annotation: object) -> bool:
    if isinstance(annotation, str):  # `from __future__ import annotations`
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    return getattr(annotation, "__origin__", annotation) is ClassVar


@dataclass_transform(frozen_default=True, eq_default=True)
def record(cls: type[_T]) -> type[_T]:
    """Make `cls` a frozen, slotted record of its annotated fields (see the module's doc)."""
    names: list[str] = []
    defaults: dict[str, object] = {}
    for base in reversed(cls.__mro__[1:]):
        for name in base.__dict__.get("__record_fields__", ()):
            if name not in names:
                names.append(name)
        defaults.update(base.__dict__.get("__record_defaults__", {}))
    inherited = set(names)  # these have their slots in a base class already
    annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063 -- inspect is slow to import
    own = [name for name, kind in annotations.items() if not _is_class_var(kind)]
    for name in own:
        if name not in names:
            names.append(name)
        if name in cls.__dict__:
            default = cls.__dict__[name]
            if isinstance(default, _MUTABLE_DEFAULTS):
                raise ValueError(f"{cls.__name__}.{name}: a mutable default would be shared")
            defaults[name] = default
        else:
            defaults.pop(name, None)
    first_default = next((i for i, n in enumerate(names) if n in defaults), len(names))
    late = [n for n in names[first_default:] if n not in defaults]
    if late:
        raise TypeError(f"{cls.__name__}: field {late[0]!r} without a default follows one with one")

    namespace = {
        key: value
        for key, value in cls.__dict__.items()
        if key not in own and key not in ("__dict__", "__weakref__")
    }
    namespace["__qualname__"] = cls.__qualname__
    namespace["__slots__"] = tuple(name for name in own if name not in inherited)
    namespace["__record_fields__"] = tuple(names)
    namespace["__record_defaults__"] = {n: defaults[n] for n in names if n in defaults}
    namespace["__match_args__"] = tuple(names)
    namespace["__setattr__"] = _refuse_set
    namespace["__delattr__"] = _refuse_delete
    namespace["__getstate__"] = _get_state
    namespace["__setstate__"] = _set_state
    metaclass: type = type(cls)
    new: type[_T] = metaclass(cls.__name__, cls.__bases__, namespace)
    for method in _methods(new, names, tuple(defaults[n] for n in names[first_default:])):
        if method.__name__ in cls.__dict__:
            continue  # the class's own wins, as with dataclasses
        method.__qualname__ = f"{cls.__qualname__}.{method.__name__}"
        setattr(new, method.__name__, method)
    return new


def _methods(kind: type, names: list[str], defaults: tuple[object, ...]) -> tuple[Any, ...]:
    """__init__, __eq__, __hash__ and __repr__. __init__ is compiled, for speed: it runs once per
    record made (the parser makes several a line); it sets each slot through its descriptor, which
    is what object.__setattr__ would come down to, in half the time. Classes with as many fields
    share one compiled body, renamed: its parameters are the fields, its globals the setters.
    `defaults`: those of the last fields, in order."""
    post_init = hasattr(kind, "__post_init__")
    code = _init_code(len(names), post_init).replace(
        co_varnames=("self", *names), co_qualname=f"{kind.__qualname__}.__init__"
    )
    setters = {f"_set{i}": getattr(kind, name).__set__ for i, name in enumerate(names)}
    init = FunctionType(code, setters, "__init__", defaults)
    values = attrgetter(*names) if names else _no_values

    def __eq__(self: object, other: object) -> bool:
        if other.__class__ is self.__class__:
            equal: bool = values(self) == values(other)
            return equal
        return NotImplemented

    def __hash__(self: object) -> int:
        return hash(values(self))

    def __repr__(self: object) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{type(self).__qualname__}({shown})"

    return init, __eq__, __hash__, __repr__


@cache
def _init_code(arity: int, post_init: bool) -> CodeType:
    """def __init__(self, _0, _1, …): _set0(self, _0); _set1(self, _1); … compiled once per
    arity (about 0.2 ms a compile; the records of `status` come in a dozen arities)."""
    parameters = "".join(f", _{i}" for i in range(arity))
    body = "".join(f"\n  _set{i}(self, _{i})" for i in range(arity)) or "\n  pass"
    if post_init:
        body += "\n  self.__post_init__()"
    scope: dict[str, Any] = {}
    exec(compile(f"def __init__(self{parameters}):{body}\n", "<record>", "exec"), scope)
    return cast(CodeType, scope["__init__"].__code__)


def _no_values(_: object) -> tuple[()]:
    return ()


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of the record `obj` with the given fields changed."""
    kind = type(obj)
    values = {name: getattr(obj, name) for name in kind.__record_fields__}  # type: ignore[attr-defined]
    values.update(changes)
    return kind(**values)


def fields(kind: type) -> tuple[str, ...]:
    """The names of a record class's fields, in order."""
    names: tuple[str, ...] = kind.__record_fields__  # type: ignore[attr-defined]
    return names
