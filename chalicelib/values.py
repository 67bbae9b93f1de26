"""Dataclasses that compile no code at import.

`@dataclass(frozen=True)` writes the source of `__init__`, `__repr__`,
`__eq__`, `__hash__`, `__setattr__` and `__delattr__` for each class and
compiles it with `exec` when the module is imported; bytecode in the package
cannot cache that. For the value types every cold start imports (the
settings, periods, registrations and their parts), this was about a tenth of
`import app` (docs/benchmarks.md, "cold start <= 1.25"). `value_class` gives
the same class without compiling anything: the class writes its `__init__`
itself (so it is in the module's bytecode, and each construction stays as
cheap as the generated one), and the other methods are shared functions
closed over the field names. It is still a dataclass: `dataclasses.fields`,
`replace` and `asdict` work on it as before.
tests/unit/test_values.py checks every such class against the dataclass
`@dataclass(frozen=...)` would have made from the same fields.
"""

from __future__ import annotations

import dataclasses
from _thread import get_ident
from collections.abc import Callable
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


# The default of an `__init__` parameter whose field has a `default_factory`: the factory
# is called only when the caller passed nothing, as in the generated `__init__`.
class _Factory:
    def __repr__(self) -> str:
        return "<factory>"


FACTORY: Any = _Factory()


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field, dataclasses.Field))
def value_class(cls: type[T]) -> type[T]:
    """`@dataclass(frozen=True)`, for a class that writes its own `__init__`."""
    return _finish(cls, frozen=True)


@dataclass_transform(field_specifiers=(dataclasses.field, dataclasses.Field))
def mutable_value_class(cls: type[T]) -> type[T]:
    """`@dataclass` (eq, not frozen: unhashable), for a class that writes its own `__init__`."""
    return _finish(cls, frozen=False)


def _finish(cls: type[T], frozen: bool) -> type[T]:
    own = vars(cls)
    if "__init__" not in own:
        raise TypeError(f"{cls.__qualname__} must define __init__")
    clash = {"__repr__", "__eq__", "__setattr__", "__delattr__"} & set(own)
    if clash or own.get("__hash__") is not None:
        raise TypeError(f"{cls.__qualname__} defines {sorted(clash) or ['__hash__']} itself")
    # The fields (and `__match_args__`), with nothing generated.
    cls = dataclasses.dataclass(init=False, repr=False, eq=False)(cls)
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    names = tuple(f.name for f in fields)
    compared = _key([f.name for f in fields if f.compare])
    hashed = _key([f.name for f in fields if (f.compare if f.hash is None else f.hash)])
    shown = tuple(f.name for f in fields if f.repr)
    running: set[tuple[int, int]] = set()

    def __repr__(self: Any) -> str:
        key = id(self), get_ident()
        if key in running:
            return "..."
        running.add(key)
        try:
            name: str = self.__class__.__qualname__
            return name + "(" + ", ".join([f"{n}={getattr(self, n)!r}" for n in shown]) + ")"
        finally:
            running.discard(key)

    def __eq__(self: Any, other: object) -> Any:
        if other.__class__ is self.__class__:
            return compared(self) == compared(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hashed(self))

    def __setattr__(self: Any, name: str, value: object) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    methods: dict[str, Any] = {"__repr__": __repr__, "__eq__": __eq__}
    if frozen:
        methods.update(__hash__=__hash__, __setattr__=__setattr__, __delattr__=__delattr__)
    else:
        methods["__hash__"] = None  # as `@dataclass` leaves an eq class that is not frozen
    for name, method in methods.items():
        if method is not None:
            method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    return cls


def _key(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The tuple of these attributes, as the generated methods compare and hash."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        get = attrgetter(names[0])
        return lambda obj: (get(obj),)
    return lambda obj: ()
