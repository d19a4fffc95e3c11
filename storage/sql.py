"""Small SQL helpers shared by the storage modules."""
from __future__ import annotations

import json
from collections.abc import Collection
from typing import Any, cast

from sqlalchemy import CursorResult, String, Table, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

SMALL = 200


def table_of(model: type) -> Table:
    """A model's Core table: statements on every message's path, and bulk rows, go through it
    rather than the ORM (building ORM statements and objects cost more than running them)."""
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def rowcount(result: Any) -> int:
    """Rows an UPDATE or DELETE touched (SQLAlchemy types `execute` as returning any Result)."""
    return int(cast(CursorResult[Any], result).rowcount)


def dialect_of(session: AsyncSession) -> str:
    """"sqlite" or "postgresql": the database the session is bound to."""
    bind = session.bind
    assert bind is not None, "sessions are made bound to the engine (storage/db.py)"
    return bind.dialect.name


def in_values(column: Any, values: Collection[str], dialect: str) -> ColumnElement[bool]:
    """`column IN values` with one parameter however many values there are: a place subtree
    or a list of ids must never run into PostgreSQL's 32,767 parameters per statement."""
    values = list(values)
    condition: ColumnElement[bool]
    if len(values) <= SMALL:
        condition = column.in_(values)
    elif dialect == "postgresql":
        condition = column == any_(bindparam(None, values, type_=ARRAY(String)))
    else:
        condition = column.in_(select(text("value")).select_from(func.json_each(json.dumps(values))))
    return condition
