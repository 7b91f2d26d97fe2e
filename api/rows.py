"""API records read from rows: the fields a row has under the same name, plus the others.

Most answers carry a row's attributes unchanged (``ticket.number`` as ``number``) and a few
computed or renamed ones (``ticket.region.code`` as ``region_code``). :func:`record_of`
reads the former and takes the latter as keywords, so a route names only what differs.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_ABSENT = object()


def record_of(model: type[M], row: object, **given: Any) -> M:
    """``model`` built from ``given`` and, for its other fields, ``row``'s attributes.

    Parameters
    ----------
    model
        The API schema to build.
    row
        The object (an ORM row, a dataclass) whose attributes of a field's name are read.
    **given
        The fields that are not ``row``'s attributes of the same name (computed, renamed,
        from related rows); they win over the row's.

    Returns
    -------
    M
        The validated record; a field neither given nor on the row takes its default.
    """
    values = dict(given)
    for name in model.model_fields.keys() - given.keys():
        value = getattr(row, name, _ABSENT)
        if value is not _ABSENT:
            values[name] = value
    return model.model_validate(values)
