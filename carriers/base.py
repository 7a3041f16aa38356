"""The adapter protocol and the wording resolver every carrier adapter shares; it also gathers, for the carriers'
modules, the names of the places (place.py), the safe readers (files.py) and the cell parsers (cells.py)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from aggregator.errors import SchemaError, UnclassifiedWordingError
from aggregator.schema import Carrier, CarrierData
from aggregator.taxonomy import CoverageKey, candidates, classify
from carriers.cells import (
    MAX_FACTOR_BP,
    ROUNDING_WORDS,
    cell_date,
    cell_int,
    cell_limit,
    cell_percent,
    cell_text,
    cell_yen,
    conditions_with,
    conditions_with_en,
    deductible_beside,
    parse_factor_bp,
    rounding_in,
)
from carriers.files import (
    MAX_COLUMNS,
    MAX_FILE_BYTES,
    MAX_ROWS,
    MAX_SECONDS,
    MAX_UNZIPPED_BYTES,
    SAMPLE_MARKERS,
    flatten,
    has_sample_marker,
    read_csv,
    read_json,
    read_xlsx,
)
from carriers.place import Where, check_preamble, column_letter, find_columns, is_blank, norm_header

__all__ = [
    "MAX_COLUMNS",
    "MAX_FACTOR_BP",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_SECONDS",
    "MAX_UNZIPPED_BYTES",
    "ROUNDING_WORDS",
    "SAMPLE_MARKERS",
    "CarrierAdapter",
    "Where",
    "WordingResolver",
    "build",
    "cell_date",
    "cell_int",
    "cell_limit",
    "cell_percent",
    "cell_text",
    "cell_yen",
    "check_preamble",
    "column_letter",
    "conditions_with",
    "conditions_with_en",
    "deductible_beside",
    "find_columns",
    "flatten",
    "has_sample_marker",
    "is_blank",
    "norm_header",
    "parse_factor_bp",
    "read_csv",
    "read_json",
    "read_xlsx",
    "rounding_in",
]
T = TypeVar("T")


class CarrierAdapter(Protocol):
    """Reads one carrier's native files into the common schema."""

    @property
    def carrier(self) -> Carrier:
        """The carrier this adapter reads: a class attribute for a shipped one, per instance for one added as data."""
        ...

    def identify(self, path: Path) -> bool:
        """Is this file one of this carrier's? Never raises."""
        ...

    def load(self, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
        """Every plan and rate table in `folder`, validated as a whole, or CarrierDataError.

        `mappings` maps carrier wording a person has classified by hand to its item.
        """
        ...


# ------------------------------------------------------------- wording ---


@dataclass
class WordingResolver:
    """Classifies a carrier's coverage wording, collecting every miss before failing once.

    A carrier file with wording nobody has mapped does not load: a guessed item would be
    shown as fact. The error lists each miss with its place and the items it could be, for a
    person to map; their mapping comes back in as `mappings` and is used wherever the
    classifier cannot tell in that place (the same words may be told apart by the section
    they sit under elsewhere in the file).
    """

    carrier: Carrier
    mappings: Mapping[str, CoverageKey] = field(default_factory=dict)
    misses: list[tuple[str, str]] = field(default_factory=list)
    suggestions: list[tuple[str, ...]] = field(default_factory=list)  # beside misses: the keys each could name

    def resolve(self, wording: str, where: Where, *, section: object = None, line: object = None) -> CoverageKey | None:
        """`section` is the heading the file lists the item under (its words or a Category), `line` the product line."""
        key = classify(wording, section=section, line=line)
        if key is not None:
            return key
        mapped = self.mappings.get(wording) or self.mappings.get(unicodedata.normalize("NFKC", wording).strip())
        if mapped is not None:
            return CoverageKey(mapped)
        self.misses.append((wording, str(where)))
        self.suggestions.append(tuple(k.value for k in candidates(wording, section=section, line=line)))
        return None

    def finish(self) -> None:
        if self.misses:
            raise UnclassifiedWordingError(str(self.carrier), list(self.misses), list(self.suggestions))


def build(where: Where, factory: Callable[..., T], /, **kwargs: Any) -> T:
    """Construct a schema object, turning its validation error into a CarrierDataError here."""
    try:
        return factory(**kwargs)
    except SchemaError as exc:
        raise where.error(f"{exc.field}: {exc.reason}", exc.value) from exc
