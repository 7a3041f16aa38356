"""The error family: each error says what was wrong and where (file, sheet, row, column, field)."""

from __future__ import annotations

import re
from typing import Any

from aggregator.taxonomy import describe_candidates


class AggregatorError(Exception):
    """Base of every error this product raises on purpose."""


class AmountError(AggregatorError, ValueError):
    """A text that should be a yen amount and is not."""

    def __init__(self, text: object, reason: str = "金額として読めません") -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"{reason}: {text!r}")


class SchemaError(AggregatorError, ValueError):
    """A domain object built with values that cannot be true (a negative limit, a 120% payout)."""

    def __init__(self, field: str, value: Any, reason: str) -> None:
        self.field = field
        self.value = value
        self.reason = reason
        super().__init__(f"{field}: {reason} (value: {value!r})")


class ApplicantError(SchemaError):
    """An applicant profile field that is missing or out of range."""


class ApplicantInputError(ApplicantError):
    """Several fields wrong at once: each (field, value, reason) is in `errors`."""

    def __init__(self, errors: list[ApplicantError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(first.field, first.value, "; ".join(f"{e.field}: {e.reason}" for e in errors))


class ClientListError(AggregatorError):
    """A client list that cannot be read as a whole (one bad row is not this: it goes to the errors sheet)."""


class CarrierDataError(AggregatorError):
    """A carrier file that cannot be loaded; names the file, sheet, row, column and value."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        row: int | None = None,
        column: str | None = None,
        value: Any = None,
    ) -> None:
        self.message = message
        self.file = file
        self.sheet = sheet
        self.row = row
        self.column = column
        self.value = value
        super().__init__(self.describe())

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(f"file={self.file}")
        if self.sheet:
            parts.append(f"sheet={self.sheet}")
        if self.row is not None:
            parts.append(f"row={self.row}")
        if self.column:
            parts.append(f"column={self.column}")
        return " ".join(parts)

    def describe(self) -> str:
        text = self.message
        where = self.where()
        if where:
            text += f" [{where}]"
        if self.value is not None:
            shown = repr(self.value)
            text += f" value={shown[:200]}…" if len(shown) > 200 else f" value={shown}"
        return text


class WrongFormatError(CarrierDataError):
    """The file is of another kind than the one expected (a workbook where JSON was, text where a workbook was)."""


class UnclassifiedWordingError(CarrierDataError):
    """Carrier wording that maps to no canonical coverage item: a person must map it.

    `candidates` runs beside `items`: for each miss, the coverage keys the wording could name
    (narrowest first, damages last; empty when it names nothing known), offered to the person mapping it.
    """

    def __init__(self, carrier: str, items: list[tuple[str, str]], candidates: list[tuple[str, ...]] | None = None) -> None:
        # items: (wording, where) pairs, in file order
        self.carrier = carrier
        self.items = items
        self.candidates = list(candidates) if candidates is not None else [() for _ in items]
        listing = "; ".join(f"{w!r} ({where}){_offer(keys)}" for (w, where), keys in zip(items, self.candidates, strict=True))
        super().__init__(f"{carrier}: 補償項目に分類できない文言が{len(items)}件あります: {listing}")


def _offer(keys: tuple[str, ...]) -> str:
    if not keys:
        return ""
    return f" 候補: {describe_candidates(list(keys))}"


# An absolute path as it appears in a message: a slash after a space, quote, bracket, = or : (or at the
# start), then folders. A ratio such as 1名/1法人 is not one: its slash follows a letter.
_ABSOLUTE_PATH = re.compile(r"""(?<![^\s'"(\[=:])/(?:[^/\s'"]+/)+([^/\s'"]*)""")


def without_paths(text: str) -> str:
    """A message fit to show a person: every absolute server path cut to its last part (the file's name)."""
    return _ABSOLUTE_PATH.sub(lambda m: m.group(1) or "…", text)
