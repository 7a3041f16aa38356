"""Applicants as columns, for rating in arrays: the code tables the arrays index into, the status codes, and ApplicantBatch.

rating.py and rules.py both read these; neither copies them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from aggregator.applicant import Applicant
from aggregator.codes import ContractType, Industry, Line, QuoteStatus, RuleField, SecurityControl
from aggregator.taxonomy import CoverageKey

INDUSTRIES = tuple(Industry)
CONTROLS = tuple(SecurityControl)
LINES = tuple(Line)
CONTRACT_TYPES = tuple(ContractType)
KEYS = tuple(CoverageKey)
BP = 10_000  # basis points: 10,000 = ×1.00

# Status codes in the arrays; the order is also how far a quote is from bindable.
QUOTED, INDICATION, REFERRED, DECLINED, NOT_ASKED = 0, 1, 2, 3, -1
STATUS_OF_CODE = {
    QUOTED: QuoteStatus.QUOTED,
    INDICATION: QuoteStatus.INDICATION,
    REFERRED: QuoteStatus.REFERRED,
    DECLINED: QuoteStatus.DECLINED,
}
STATUS_CODE = {status: code for code, status in STATUS_OF_CODE.items()}

I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]


@dataclass(frozen=True)
class ApplicantBatch:
    """Applicants as columns. Build one from Applicant objects or, in bulk, from a table."""

    industry: NDArray[np.int16]  # index into INDUSTRIES
    annual_revenue_jpy: I64
    employees: I64
    records_held: I64
    servers: I64
    largest_contract_jpy: I64
    contract_type: NDArray[np.int8]  # index into CONTRACT_TYPES
    incidents_3y: I64
    limit_jpy: I64
    deductible_jpy: I64
    controls: Bool  # (n, len(CONTROLS))
    riders: Bool  # (n, len(KEYS))
    lines: Bool  # (n, len(LINES))

    @classmethod
    def of(cls, applicants: Sequence[Applicant]) -> ApplicantBatch:
        def ints(name: str) -> I64:
            return np.array([getattr(a, name) for a in applicants], dtype=np.int64)

        return cls(
            industry=np.array([INDUSTRIES.index(a.industry) for a in applicants], dtype=np.int16),
            annual_revenue_jpy=ints("annual_revenue_jpy"),
            employees=ints("employees"),
            records_held=ints("records_held"),
            servers=ints("servers"),
            largest_contract_jpy=ints("largest_contract_jpy"),
            contract_type=np.array([CONTRACT_TYPES.index(a.contract_type) for a in applicants], dtype=np.int8),
            incidents_3y=ints("incidents_3y"),
            limit_jpy=ints("limit_jpy"),
            deductible_jpy=ints("deductible_jpy"),
            controls=np.array([[c in a.controls for c in CONTROLS] for a in applicants], dtype=bool).reshape(
                len(applicants), len(CONTROLS)
            ),
            riders=np.array([[k in a.riders for k in KEYS] for a in applicants], dtype=bool).reshape(len(applicants), len(KEYS)),
            lines=np.array([[line in a.lines for line in LINES] for a in applicants], dtype=bool).reshape(len(applicants), len(LINES)),
        )

    def __len__(self) -> int:
        return len(self.annual_revenue_jpy)

    def rows(self, index: slice | NDArray[np.intp]) -> ApplicantBatch:
        return ApplicantBatch(**{name: getattr(self, name)[index] for name in self.__dataclass_fields__})

    def column(self, rule_field: RuleField) -> NDArray[np.int64]:
        if rule_field is RuleField.INDUSTRY:
            return self.industry.astype(np.int64)
        if rule_field is RuleField.CONTRACT_TYPE:
            return self.contract_type.astype(np.int64)
        values: I64 = getattr(self, rule_field.value)
        return values
