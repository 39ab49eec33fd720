"""Schema objects built from candidates and model output, one at a time: an item the schema cannot hold (a figure of
40 million, an empty name, an over-long place) is logged with the sentence it came from and why, and dropped; the
draft goes on without it. A brief never stops because one candidate does not fit."""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

log = logging.getLogger("summarizer.draft")

M = TypeVar("M", bound=BaseModel)


def why(err: ValidationError) -> str:
    """'value_min: Input should be less than or equal to 10000000 (got 40000000)'; every error, one line."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'value'}: {e['msg']} (got {e.get('input')!r:.60})"
                     for e in err.errors())


def built(model: type[M], where: str, **fields: Any) -> M | None:
    """`model(**fields)`, or None when the values do not fit the schema (logged with `where`, the sentence id or
    field it came from, and why)."""
    try:
        return model(**fields)
    except ValidationError as err:
        log.warning("dropped a %s read from %s: %s", model.__name__.lower(), where, why(err))
        return None


def validated(model: type[M], where: str, data: Any) -> M | None:
    """`model.model_validate(data)`, or None (logged like `built`)."""
    try:
        return model.model_validate(data)
    except ValidationError as err:
        log.warning("dropped a %s read from %s: %s", model.__name__.lower(), where, why(err))
        return None
