"""records.record makes what @dataclass(frozen=True, slots=True) makes (see records.py for why we
do not use dataclasses at run time): each behaviour below is one a stage relies on."""

from __future__ import annotations

import copy
import pickle
from typing import ClassVar

import pytest

from jobledger.records import FrozenRecordError, fields, record, replace


@record
class Point:
    x: int
    y: int = 0
    LIMIT: ClassVar[int] = 10  # not a field

    @property
    def total(self) -> int:
        return self.x + self.y


@record
class Labelled(Point):
    label: str = ""


@record
class Other:
    x: int
    y: int = 0


@record
class Checked:
    low: int
    high: int

    def __post_init__(self) -> None:
        if self.low > self.high:
            raise ValueError("low > high")


@record
class Shown:
    value: int

    def __repr__(self) -> str:
        return f"<{self.value}>"


@record
class Empty:
    pass


def test_fields_in_order_with_inherited_ones_first() -> None:
    assert fields(Point) == ("x", "y")
    assert fields(Labelled) == ("x", "y", "label")
    assert Labelled(1, 2, "a") == Labelled(x=1, y=2, label="a")
    assert Labelled.__match_args__ == ("x", "y", "label")
    assert Point.LIMIT == 10


def test_defaults_and_a_missing_argument() -> None:
    assert Point(3).y == 0 and Point(3).total == 3
    with pytest.raises(TypeError, match=r"Point.__init__\(\) missing 1 required .*'x'"):
        Point()  # type: ignore[call-arg]
    assert Labelled(label="b", x=2) == Labelled(2, 0, "b")  # fields by name, as declared
    with pytest.raises(TypeError):
        Point(1, 2, 3)  # type: ignore[call-arg]


def test_equality_is_by_class_and_values() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(1, 3)
    assert Point(1, 2) != Other(1, 2)  # type: ignore[comparison-overlap] # another type
    assert Point(1, 2) != (1, 2)  # type: ignore[comparison-overlap]
    assert Empty() == Empty()


def test_hash_follows_equality() -> None:
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2
    assert hash(Empty()) == hash(Empty())


def test_repr_names_every_field_unless_the_class_has_its_own() -> None:
    assert repr(Labelled(1, 2, "a")) == "Labelled(x=1, y=2, label='a')"
    assert repr(Empty()) == "Empty()"
    assert repr(Shown(4)) == "<4>"


def test_frozen_and_slotted() -> None:
    point = Point(1, 2)
    with pytest.raises(FrozenRecordError):
        point.x = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del point.y
    with pytest.raises(AttributeError):
        point.z = 1  # type: ignore[attr-defined]
    assert not hasattr(point, "__dict__")
    assert point == Point(1, 2)


def test_post_init_runs_after_the_fields_are_set() -> None:
    assert Checked(1, 2).high == 2
    with pytest.raises(ValueError, match="low > high"):
        Checked(3, 2)


def test_replace_and_its_unknown_field() -> None:
    labelled = Labelled(1, 2, "a")
    assert replace(labelled, label="b") == Labelled(1, 2, "b")
    assert labelled.label == "a"
    with pytest.raises(TypeError):
        replace(labelled, colour="red")
    with pytest.raises(ValueError):
        replace(Checked(1, 2), low=5)


def test_copies_and_pickles_stay_equal() -> None:
    labelled = Labelled(1, 2, "a")
    assert copy.copy(labelled) == labelled
    assert copy.deepcopy(labelled) == labelled
    assert pickle.loads(pickle.dumps(labelled)) == labelled


def test_declarations_a_dataclass_would_refuse_are_refused() -> None:
    with pytest.raises(TypeError, match="'b' without a default"):

        @record
        class Late:
            a: int = 0
            b: int  # type: ignore[misc]

    with pytest.raises(ValueError, match="mutable default"):

        @record
        class Shared:
            items: list[int] = []  # noqa: RUF012
