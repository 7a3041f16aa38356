"""The fast JSON path (orjson over the domain objects) gives the same document as the reference walk, `to_data`."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from aggregator.applicants import applicant_from_data
from aggregator.matching import Priorities, PriorityKind
from aggregator.rating import Rater
from aggregator.recommendation import build_comparison, fingerprint, make_record, prepare_record, priorities_from_data
from aggregator.schema import Line
from aggregator.serialize import comparison_to_data, dumps, fingerprint_of, loads, to_data

TODAY = date(2026, 11, 21)
APPLICANTS = sorted((Path(__file__).resolve().parents[1] / "fixtures" / "applicants").glob("*.json"))


def _cases(rater: Rater) -> list[tuple[str, Any]]:
    cases = []
    for path in APPLICANTS:
        raw = json.loads(path.read_text(encoding="utf-8"))
        priorities = priorities_from_data(raw.pop("priorities", None))
        raw.pop("assumptions", None)
        applicant = applicant_from_data(raw)
        for line in applicant.lines:
            for all_plans in (False, True):
                comparison = build_comparison(rater, applicant, TODAY, line=line, priorities=priorities, all_plans=all_plans)
                cases.append((f"{path.stem}/{line.value}/{'all' if all_plans else 'one per carrier'}", comparison))
    return cases


def test_the_fast_json_of_every_sample_comparison_equals_the_reference(rater: Rater) -> None:
    cases = _cases(rater)
    assert len(cases) >= 10
    for name, comparison in cases:
        reference = comparison_to_data(comparison)
        objects = comparison_to_data(comparison, deep=False)
        encoded = dumps(objects)
        assert loads(encoded) == reference, name
        # The same document, not only the same values: key order and text as json.dumps writes them.
        assert encoded.decode() == json.dumps(reference, ensure_ascii=False, separators=(",", ":")), name
        # A record stored before the fast path keeps its fingerprint, from the objects or from plain data.
        assert fingerprint_of(objects) == fingerprint_of(reference) == fingerprint(reference), name


def test_a_prepared_record_is_the_record_make_record_gave(rater: Rater) -> None:
    raw = json.loads(APPLICANTS[0].read_text(encoding="utf-8"))
    raw.pop("assumptions", None)
    priorities = priorities_from_data(raw.pop("priorities", None))
    applicant = applicant_from_data(raw)
    prepared = prepare_record(rater, applicant, TODAY, priorities=priorities)
    plain = make_record(rater, applicant, TODAY, priorities=priorities)
    assert loads(dumps(prepared.record)) == plain  # what the database stores and hands back
    assert plain["comparison"] == comparison_to_data(prepared.comparison)
    assert prepared.fingerprint == plain["comparison_sha256"] == fingerprint(plain["comparison"])


class Colour(Enum):
    RED = "red"


@dataclass(frozen=True)
class Inner:
    when: date
    tags: frozenset[str]


@dataclass(frozen=True, slots=True)
class Outer:
    name: str
    colour: Colour
    inner: tuple[Inner, ...]
    by_colour: dict[Colour, int] = field(default_factory=dict)
    amount: int | None = None


@pytest.mark.parametrize(
    "obj",
    [
        Outer("株式会社テスト", Colour.RED, (Inner(date(2027, 3, 31), frozenset({"b", "a"})),), {Colour.RED: 1}, 10**12),
        Priorities(order=(PriorityKind.LOWEST_PRICE,), note="安さ重視"),
        {"line": Line.CYBER, "days": [date(2026, 4, 1)], "none": None, "flag": True},
    ],
)
def test_dumps_follows_to_data_for_any_dataclass(obj: Any) -> None:
    """Generic over dataclasses: a field added to a schema class is encoded without a change here."""
    assert loads(dumps(obj)) == to_data(obj)
    assert fingerprint_of(obj) == fingerprint(to_data(obj))
