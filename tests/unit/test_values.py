"""Each `value_class` behaves as the dataclass `@dataclass(frozen=True)` makes from its fields.

`chalicelib.values` replaces the decorator on the cold start's value types so that importing
them compiles nothing; these checks build the generated dataclass from the same fields and
compare the two on construction (positional, by keyword, defaults and factories), repr,
equality, hashing, immutability, `replace` and `__match_args__`.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from typing import Any

import pytest

import chalicelib
from chalicelib.values import FACTORY, mutable_value_class, value_class


def value_classes() -> list[type]:
    found: dict[str, type] = {}
    for info in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and obj.__module__ == info.name
                and dataclasses.is_dataclass(obj)
                and getattr(obj.__dict__.get("__eq__"), "__module__", None) == "chalicelib.values"
            ):
                found[f"{obj.__module__}.{obj.__qualname__}"] = obj
    return [found[name] for name in sorted(found)]


CLASSES = value_classes()
# The cold start's value types: settings, periods, calendar, privacy, registrations and their
# parts, staff, the attempt's view, a page of registrations and the runtime.
EXPECTED = {
    "chalicelib.config.Settings",
    "chalicelib.domain.attempt_order.AttemptView",
    "chalicelib.domain.calendar.CalendarWarning",
    "chalicelib.domain.calendar.WorkCalendar",
    "chalicelib.domain.calendar.YearDays",
    "chalicelib.domain.identity.Contact",
    "chalicelib.domain.periods.Period",
    "chalicelib.domain.periods.Today",
    "chalicelib.domain.privacy.Consent",
    "chalicelib.domain.privacy.NoticeFacts",
    "chalicelib.domain.registrations.Change",
    "chalicelib.domain.registrations.ExamResult",
    "chalicelib.domain.registrations.Registration",
    "chalicelib.domain.registrations.SentMail",
    "chalicelib.domain.registrations.VoidedAttempt",
    "chalicelib.domain.staff.StaffMember",
    "chalicelib.runtime.Runtime",
    "chalicelib.storage.repository.Page",
    "chalicelib.storage.repository._Scored",
}


def test_the_cold_start_value_types_are_value_classes() -> None:
    assert {f"{c.__module__}.{c.__qualname__}" for c in CLASSES} >= EXPECTED


def reference(cls: type) -> type:
    """The class `@dataclass(frozen=...)` makes from `cls`'s fields."""
    frozen = cls.__dict__.get("__hash__") is not None
    spec = []
    for f in dataclasses.fields(cls):
        options: dict[str, Any] = {"repr": f.repr, "compare": f.compare, "hash": f.hash}
        if f.default is not dataclasses.MISSING:
            options["default"] = f.default
        if f.default_factory is not dataclasses.MISSING:
            options["default_factory"] = f.default_factory
        spec.append((f.name, f.type, dataclasses.field(**options)))
    return dataclasses.make_dataclass(
        cls.__name__, spec, frozen=frozen, namespace={"__qualname__": cls.__qualname__}
    )


def required(cls: type) -> list[dataclasses.Field[Any]]:
    return [
        f
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    ]


def value(n: int) -> object:
    return ("value", n)  # hashable, distinct per field, and its repr shows in the class's


def same(a: object, b: object) -> None:
    assert type(a).__qualname__ == type(b).__qualname__
    assert list(vars(a)) == list(vars(b))
    mine, theirs = dict(vars(a)), dict(vars(b))
    for f in dataclasses.fields(a):  # type: ignore[arg-type]
        if f.default_factory is not dataclasses.MISSING and mine[f.name] != theirs[f.name]:
            # Two fresh objects without an equality of their own (the runtime's attempt cache).
            assert type(mine[f.name]) is type(theirs[f.name]) is f.default_factory
            mine[f.name] = theirs[f.name] = None
    assert mine == theirs
    if all(vars(a)[k] == vars(b)[k] for k in mine):
        assert repr(a) == repr(b)


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_construction_matches_the_dataclass(cls: type) -> None:
    ref = reference(cls)
    mine, theirs = inspect.signature(cls), inspect.signature(ref)
    assert [(p.name, p.kind) for p in mine.parameters.values()] == [
        (p.name, p.kind) for p in theirs.parameters.values()
    ]
    for f in dataclasses.fields(cls):
        given = mine.parameters[f.name].default
        if f.default_factory is not dataclasses.MISSING:
            assert given is FACTORY, f.name
        elif f.default is dataclasses.MISSING:
            assert given is inspect.Parameter.empty, f.name
        else:
            assert given == f.default and type(given) is type(f.default), f.name
    fields = dataclasses.fields(cls)
    args = [value(n) for n in range(len(fields))]
    same(cls(*args), ref(*args))
    same(cls(**{f.name: a for f, a in zip(fields, args, strict=True)}), ref(*args))
    short = [value(n) for n in range(len(required(cls)))]
    a, b = cls(*short), ref(*short)
    same(a, b)
    for f in fields:
        if f.default_factory is not dataclasses.MISSING:
            assert getattr(a, f.name) is not getattr(cls(*short), f.name), "a factory's value is fresh"
    assert cls.__match_args__ == ref.__match_args__  # type: ignore[attr-defined]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__qualname__)
def test_equality_hash_and_immutability_match_the_dataclass(cls: type) -> None:
    ref = reference(cls)
    fields = dataclasses.fields(cls)
    args = [value(n) for n in range(len(fields))]
    mine, theirs = cls(*args), ref(*args)
    assert mine == cls(*args)
    assert mine.__eq__(theirs) is NotImplemented
    assert mine.__eq__(object()) is NotImplemented
    for i, f in enumerate(fields):
        changed = [*args[:i], value(100 + i), *args[i + 1 :]]
        assert (mine == cls(*changed)) is (theirs == ref(*changed)), f.name
        assert (mine != cls(*changed)) is (theirs != ref(*changed)), f.name
        same(dataclasses.replace(mine, **{f.name: value(100 + i)}), ref(*changed))
    if ref.__hash__ is None:
        assert cls.__hash__ is None
        with pytest.raises(TypeError):
            hash(mine)
        mine.__dict__.clear()  # a mutable value class takes assignments
        return
    assert hash(mine) == hash(theirs)
    for name in [fields[0].name, "not_a_field"]:
        with pytest.raises(dataclasses.FrozenInstanceError) as got:
            setattr(mine, name, 1)
        with pytest.raises(dataclasses.FrozenInstanceError) as expected:
            setattr(theirs, name, 1)
        assert str(got.value) == str(expected.value)
        with pytest.raises(dataclasses.FrozenInstanceError) as got:
            delattr(mine, name)
        with pytest.raises(dataclasses.FrozenInstanceError) as expected:
            delattr(theirs, name)
        assert str(got.value) == str(expected.value)


def test_a_recursive_repr_ends_as_the_dataclass_ends_it() -> None:
    @mutable_value_class
    class Node:
        child: object

        def __init__(self, child: object) -> None:
            self.__dict__.update(child=child)

    node = Node(None)
    node.child = [node]
    assert repr(node) == "test_a_recursive_repr_ends_as_the_dataclass_ends_it.<locals>.Node(child=[...])"


def test_a_class_without_its_own_init_is_refused() -> None:
    with pytest.raises(TypeError, match="must define __init__"):

        @value_class
        class Point:
            x: int
