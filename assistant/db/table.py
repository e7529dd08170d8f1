"""`Table`, the base of every table model: SQLModel's, with cheaper writes and construction.

SQLModel writes every attribute of a table model twice, through SQLAlchemy's instrumentation
and then through pydantic's `__setattr__`, which for a table model validates nothing: it puts
the same value into `__dict__` again and adds the name to the fields set. Its constructor runs
pydantic's `construct()` around one such write per field. That cost ~10 µs a write and
0.1-0.5 ms a new row, about a fifth of an `/add`. `Table` makes the SQLAlchemy write and
keeps the fields set itself, which leaves the instance in the same state (tests/unit/
test_table.py compares both ways for every table).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic.fields import FieldInfo
from sqlalchemy.orm import configure_mappers
from sqlmodel import SQLModel


@cache
def _columns(cls: type[SQLModel]) -> dict[str, Any]:
    """The SQLAlchemy attribute of each column, by name."""
    configure_mappers()  # attributes get their implementation when the mappers are configured
    manager = cls._sa_class_manager  # type: ignore[attr-defined]
    return {name: manager[name].impl for name in cls.model_fields if name in manager}


@cache
def _defaults(cls: type[SQLModel]) -> tuple[tuple[str, FieldInfo], ...]:
    return tuple(
        (name, field) for name, field in cls.model_fields.items() if not field.is_required()
    )


class Table(SQLModel):
    def __init__(self, **values: Any) -> None:
        # SQLAlchemy wraps this __init__: the instance's state exists by the time it runs.
        cls = type(self)
        columns = _columns(cls)
        unknown = values.keys() - columns.keys()
        if unknown:
            raise TypeError(f"{cls.__name__} has no field {', '.join(sorted(unknown))}")
        state = self._sa_instance_state  # type: ignore[attr-defined]
        given = set(values)
        for name, field in _defaults(cls):
            if name not in given:
                values[name] = field.get_default(call_default_factory=True)
        row = state.dict
        for name, value in values.items():
            columns[name].set(state, row, value, None)
        object.__setattr__(self, "__pydantic_fields_set__", given)
        object.__setattr__(self, "__pydantic_extra__", None)
        object.__setattr__(self, "__pydantic_private__", None)

    def __setattr__(self, name: str, value: Any) -> None:
        column = _columns(type(self)).get(name)
        if column is None:
            super().__setattr__(name, value)
            return
        state = self._sa_instance_state  # type: ignore[attr-defined]
        column.set(state, state.dict, value, None)
        self.__pydantic_fields_set__.add(name)
