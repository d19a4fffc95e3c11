"""Small SQL helpers shared by the storage modules."""
from __future__ import annotations

import json
from typing import Collection

from sqlalchemy import String, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.sql.elements import ColumnElement

SMALL = 200


def in_values(column, values: Collection[str], dialect: str) -> ColumnElement[bool]:
    """`column IN values` with one parameter however many values there are: a place subtree
    or a list of ids must never run into PostgreSQL's 32,767 parameters per statement."""
    values = list(values)
    if len(values) <= SMALL:
        return column.in_(values)
    if dialect == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String)))
    return column.in_(select(text("value")).select_from(func.json_each(json.dumps(values))))
