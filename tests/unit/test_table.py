"""Every table model built and written by `Table` ends in the state SQLModel's own way gives."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlmodel import SQLModel

from assistant.db import models
from assistant.db.table import Table

TABLES = sorted(
    (
        value
        for value in vars(models).values()
        if isinstance(value, type) and issubclass(value, Table) and value is not Table
    ),
    key=lambda cls: cls.__name__,
)


def _plain(value: Any) -> Any:
    return "a time" if isinstance(value, datetime) else value  # default factories: utcnow()


def _state(row: SQLModel) -> dict[str, Any]:
    inspected = inspect(row)
    history = {
        name: tuple(tuple(map(_plain, part or ())) for part in inspected.attrs[name].history)
        for name in type(row).model_fields
    }
    return {
        "values": {key: _plain(value) for key, value in vars(row).items() if key[0] != "_"},
        "fields set": set(row.__pydantic_fields_set__),
        "extra": row.__pydantic_extra__,
        "private": row.__pydantic_private__,
        "history": history,
    }


def _given(cls: type[SQLModel], every_field: bool) -> dict[str, Any]:
    # Neither way validates, so any value stands in for any type.
    fields = cls.model_fields.items()
    return {name: f"{name}-1" for name, field in fields if every_field or field.is_required()}


@pytest.mark.parametrize("every_field", [False, True], ids=["required fields", "every field"])
@pytest.mark.parametrize("cls", TABLES, ids=lambda cls: cls.__name__)
def test_a_new_row_and_a_written_attribute_are_what_sqlmodel_would_make(
    cls: type[SQLModel], every_field: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    first_field = next(iter(cls.model_fields))
    ours = cls(**_given(cls, every_field))
    built = _state(ours)
    setattr(ours, first_field, "changed")
    written = _state(ours)

    # SQLModel's own: pydantic's construct() with SQLModel's double writes.
    monkeypatch.setattr(Table, "__setattr__", SQLModel.__setattr__)
    theirs = cls.__new__(cls)
    cls._sa_class_manager._new_state_if_none(theirs)  # type: ignore[attr-defined]
    SQLModel.__init__(theirs, **_given(cls, every_field))
    assert built == _state(theirs)
    setattr(theirs, first_field, "changed")
    assert written == _state(theirs)


def test_a_field_a_table_does_not_have_is_an_error_not_silently_dropped() -> None:
    with pytest.raises(TypeError, match="no field colour"):
        models.Lead(colour="red")
