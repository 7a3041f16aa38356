"""What a URL may carry: ids and numbers within what the database holds, tokens of the shape we hand out."""

from __future__ import annotations

import re
from typing import Any

from flask import abort, request
from werkzeug.routing import IntegerConverter, Map

LARGEST_ID = 2**31 - 1  # an Integer column, on PostgreSQL as on SQLite
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,64}")  # secrets.token_urlsafe's alphabet
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class BoundedInt(IntegerConverter):
    """<int:…> in a route, at most LARGEST_ID: a larger number is no page (404), never a database error."""

    def __init__(self, url_map: Map, fixed_digits: int = 0, min: int | None = None, max: int | None = None, signed: bool = False) -> None:
        super().__init__(url_map, fixed_digits, min, LARGEST_ID if max is None else max, signed)


def int_arg(name: str, *, largest: int = LARGEST_ID) -> int | None:
    """A whole number from the query string: None when absent or not a number, 404 when out of range."""
    value: Any = request.args.get(name, type=int)
    if value is None:
        return None
    if not 0 <= value <= largest:
        abort(404)
    number: int = value
    return number


def is_token(text: str) -> bool:
    return bool(_TOKEN.fullmatch(text))


def has_control(text: str) -> bool:
    """Control characters (CR, LF, NUL …) have no place in a name, a search or a link."""
    return bool(_CONTROL.search(text))


def without_control(text: str) -> str:
    return _CONTROL.sub("", text)
