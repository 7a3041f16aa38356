"""Domain objects to plain JSON-ready data: enums as their values, dates as ISO text, money as int."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import date
from enum import Enum
from typing import Any


def to_data(obj: Any) -> Any:
    if isinstance(obj, Enum):
        return obj.value
    if isinstance(obj, date):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, Mapping):
        return {str(to_data(k)): to_data(v) for k, v in obj.items()}
    if isinstance(obj, (frozenset, set)):
        return sorted(to_data(v) for v in obj)
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    return obj
