"""The OpenAPI 3.1 document of API v1, built from the domain's own enumerations."""

from __future__ import annotations

import copy
from dataclasses import fields
from datetime import date, timedelta
from typing import Any

from aggregator.applicant_rules import amount_schema, json_schema, text_schema
from aggregator.contract import QUESTION
from aggregator.current import OTHER
from aggregator.exposure import BASIS_POINT_FIELDS, PERCENT_FIELDS, Assumptions
from aggregator.matching import PriorityKind
from aggregator.policy import latest_start
from aggregator.scenarios import ScenarioKind
from aggregator.schema import (
    CONTRACT_ANSWERS,
    Carrier,
    ContractType,
    Industry,
    LiabilityCap,
    Line,
    SecurityControl,
)
from aggregator.taxonomy import CoverageKey


def applicant_properties() -> dict[str, dict[str, Any]]:
    """The applicant's fields as the rules define them (aggregator.applicant_rules.json_schema)."""
    return json_schema({})


NO_CONTROL = "^[^\\u0000-\\u001f\\u007f-\\u009f]*$"
YEN_12: dict[str, Any] = {
    "type": "integer",
    "minimum": 0,
    "maximum": 10**12,
    "description": "円(整数)。「1億円」のような表記も受け付けます / int yen; text such as 1億円 is also read",
}
MAYBE_YEN_12: dict[str, Any] = {**YEN_12, "type": ["integer", "null"]}
ITEM_TERMS: dict[str, Any] = {
    "type": "object",
    "description": "項目とその条件(当社で成約した契約の更改で使います) / an item with its terms",
    "additionalProperties": False,
    "properties": {
        "covered": {"type": "boolean"},
        "limit_jpy": MAYBE_YEN_12,
        "payout_ratio_pct": {"type": "integer", "minimum": 1, "maximum": 100},
        "deductible_jpy": MAYBE_YEN_12,
        "waiting_hours": {"type": ["integer", "null"], "minimum": 0, "maximum": 24 * 366},
        "per_person_jpy": MAYBE_YEN_12,
        "per_company_jpy": MAYBE_YEN_12,
        "scope": {"type": "string", "maxLength": 200, "pattern": NO_CONTROL},
    },
}
CURRENT_POLICY: dict[str, Any] = {
    "type": ["object", "null"],
    "description": (
        "現在のご契約: 比較表の最初の列になり、各プランを項目ごとに比べます。items に書かない項目は不明として扱います / "
        "the policy held today: the comparison's first column; items left out are unknown, never 'not covered'"
    ),
    "required": ["insurer", "line", "limit_jpy"],
    "additionalProperties": False,
    "properties": {
        "insurer": {"type": "string", "enum": [OTHER], "description": "取扱保険会社のコード、または other / a carrier's code, or other"},
        "insurer_name": {"type": "string", "maxLength": 100, "pattern": NO_CONTROL, "description": "other のときの保険会社名"},
        "product": {"type": "string", "maxLength": 200, "pattern": NO_CONTROL},
        "line": {"type": "string", "enum": [line.value for line in Line]},
        "limit_jpy": {**YEN_12, "minimum": 1},
        "deductible_jpy": YEN_12,
        "premium_jpy": MAYBE_YEN_12,
        "expiry": {"type": ["string", "null"], "format": "date", "description": "満期日 / expiry date"},
        "policy_number": {"type": "string", "maxLength": 50, "pattern": NO_CONTROL},
        "items": {
            "type": "object",
            "description": (
                "項目: true(支払限度額まで補償)、false(補償なし)、金額(その額まで補償)、null(不明)。書かない項目は不明 / "
                "true (covered up to the policy limit), false (not covered), an amount (its own limit), null or left out (unknown)"
            ),
            "propertyNames": {"enum": [k.value for k in CoverageKey]},
            "additionalProperties": {"anyOf": [{"type": ["boolean", "null"]}, YEN_12, ITEM_TERMS]},
        },
    },
    # another insurer is named in words
    "if": {"properties": {"insurer": {"const": OTHER}}, "required": ["insurer"]},
    "then": {
        "required": ["insurer_name"],
        "properties": {
            "insurer_name": {
                "pattern": "^[^\\u0000-\\u001f\\u007f-\\u009f]*[^\\s\\u0000-\\u001f\\u007f-\\u009f][^\\u0000-\\u001f\\u007f-\\u009f]*$"
            }
        },
    },
}

ASSUMPTIONS: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "description": "推定必要額の前提条件のうち変えたいもの(省略した項目は標準値) / the needs' assumptions to change; the rest keep their defaults",
    "properties": {
        f.name: {
            "type": ["integer", "null"] if f.name == "gross_margin_pct" else "integer",
            "minimum": 0,
            "maximum": 100 if f.name in PERCENT_FIELDS else 10_000 if f.name in BASIS_POINT_FIELDS else 10**12,
        }
        for f in fields(Assumptions)
    },
}

ANSWER: dict[str, Any] = {
    "enum": ["yes", "no", "unknown", True, False, None],
    "description": "はい・いいえ・わからない(はい/いいえ/わからない の語も可)。省略は unknown: 安全側とはみなしません / yes, no or unknown; left out is unknown, never read as safe",
}
_ANSWERS: dict[str, Any] = {
    name: {**ANSWER, "description": f"{QUESTION[name].text_ja} / {QUESTION[name].text_en}. {ANSWER['description']}"}
    for name in CONTRACT_ANSWERS
}
_CAP = "賠償の上限: 契約金額(contract_amount)・別の金額(other_amount)・上限なし(none)・わからない(unknown) / the cap on damages"
CONTRACT: dict[str, Any] = {
    "description": "契約の確認(IPA/経産省モデル契約 第20条と記事のチェックリスト)。IT業務過誤の賠償の想定と事故シナリオに使います。"
    "上限の金額(liability_cap_jpy)は liability_cap が other_amount のときだけ、必ず指定します / the contract check; "
    "liability_cap_jpy goes with other_amount, and only with it",
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["liability_cap", "liability_cap_jpy"],
            "properties": {
                "liability_cap": {"type": "string", "const": LiabilityCap.OTHER_AMOUNT.value, "description": _CAP},
                "liability_cap_jpy": {**amount_schema("liability_cap_jpy"), "description": "上限の金額 / the cap agreed"},
                **_ANSWERS,
            },
        },
        {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "liability_cap": {
                    "type": ["string", "null"],
                    "enum": [c.value for c in LiabilityCap if c is not LiabilityCap.OTHER_AMOUNT] + [None],
                    "description": _CAP,
                },
                "liability_cap_jpy": {"type": "null"},
                **_ANSWERS,
            },
        },
        {"type": "null"},
    ],
}

SCENARIO: dict[str, Any] = {
    "type": "object",
    "description": "記事の事故例の1つ: 必要額と、各プランの支払額・自己負担・補償されない項目 / one of the articles' accidents, paid plan by plan",
    "required": ["key", "title_ja", "title_en", "need_jpy", "needs", "plans"],
    "properties": {
        "key": {"type": "string", "enum": [k.value for k in ScenarioKind]},
        "need_jpy": {"type": "integer", "minimum": 0},
        "needs": {"type": "array", "items": {"type": "object"}},
        "plans": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["carrier", "plan_code", "payable_jpy", "shortfall_jpy", "missing", "items"],
                "properties": {
                    "payable_jpy": {"type": "integer", "minimum": 0},
                    "shortfall_jpy": {"type": "integer", "minimum": 0},
                    "missing": {"type": "array", "items": {"type": "string", "enum": [k.value for k in CoverageKey]}},
                },
            },
        },
    },
}


APPLICANT: dict[str, Any] = {
    "type": "object",
    "required": [
        "company",
        "industry",
        "annual_revenue_jpy",
        "employees",
        "records_held",
        "servers",
        "largest_contract_jpy",
        "contract_type",
        "lines",
        "limit_jpy",
        "consent",
    ],
    "additionalProperties": False,
    "properties": {
        # company, contact_email, the amounts, the counts and the lines: generated from the one definition of the rules
        **applicant_properties(),
        "industry": {"type": "string", "enum": [i.value for i in Industry]},
        "contract_type": {"type": "string", "enum": [c.value for c in ContractType]},
        "controls": {"type": "array", "items": {"type": "string", "enum": [c.value for c in SecurityControl]}, "uniqueItems": True},
        "riders": {"type": "array", "items": {"type": "string", "enum": [k.value for k in CoverageKey]}, "uniqueItems": True},
        "gross_margin_pct": {
            **applicant_properties()["gross_margin_pct"],
            "description": "粗利率(%)。利益損害の必要額に使います。省略時は業種の仮定値 / gross margin; the industry's assumed rate when left out",
        },
        "contract": CONTRACT,
        "priorities": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "order": {"type": "array", "items": {"type": "string", "enum": [p.value for p in PriorityKind]}},
                "items": {"type": "array", "items": {"type": "string", "enum": [k.value for k in CoverageKey]}},
                "min_limit_jpy": {"type": ["integer", "null"], "minimum": 0, "maximum": 10**15},
                "note": text_schema("note"),
            },
        },
        "assumptions": ASSUMPTIONS,
        "consent": {"type": "boolean", "const": True, "description": "見積もりのため取扱保険会社に情報を提供することへの同意"},
        "current_policy": CURRENT_POLICY,
        "start_date": {
            "type": ["string", "null"],
            "format": "date",
            "description": "始期日: この日の料率で見積もります(本日から6か月以内、省略時は本日) / start of cover: rated on that day",
            # the days it may be, from today: filled in by spec() each time the document is asked for
        },
    },
}

ERROR: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["field", "reason"],
                        "properties": {"field": {"type": "string"}, "reason": {"type": "string"}, "value": {}},
                    },
                },
            },
        }
    },
}

POOL: dict[str, Any] = {
    "type": "object",
    "description": "支払限度額の枠: 限度額と、その内側の項目 / a limit items share, and the items inside it",
    "required": ["pool_id", "limit_jpy", "keys", "need_jpy", "paid_jpy", "shortfall_jpy"],
    "properties": {
        "pool_id": {"type": "string"},
        "label_ja": {"type": "string"},
        "label_en": {"type": "string"},
        "limit_jpy": {"type": "integer", "minimum": 0},
        "parent": {"type": ["string", "null"]},
        "keys": {"type": "array", "items": {"type": "string", "enum": [k.value for k in CoverageKey]}},
        "need_jpy": {"type": "integer", "minimum": 0},
        "paid_jpy": {"type": "integer", "minimum": 0},
        "shortfall_jpy": {"type": "integer", "minimum": 0},
    },
}

QUOTE: dict[str, Any] = {
    "type": "object",
    "required": ["id", "url", "version", "as_of", "comparison", "recommendation"],
    "properties": {
        "id": {"type": "string"},
        "url": {"type": "string"},
        "created_at": {"type": "string"},
        "version": {"type": "integer"},
        "as_of": {"type": "string", "format": "date"},
        "rates_unchanged": {"type": "boolean"},
        "start_date": {"type": ["string", "null"], "format": "date"},
        "current_policy": {
            "type": ["object", "null"],
            "description": "現在のご契約の列: 入力、項目ごとのセル、各プランとの比較(better / same / worse / unknown)と保険料の差額",
            "properties": {
                "policy": {"type": "object"},
                "cells": {"type": "array", "items": {"type": "object"}},
                "versus": {"type": "array", "items": {"type": "object"}},
            },
        },
        "comparison": {
            "type": "object",
            "required": ["sample", "columns", "rows", "ranking"],
            "properties": {
                "sample": {"type": "boolean", "description": "true: 保険会社の数値は架空のサンプルデータ / invented sample data"},
                "columns": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": ["carrier", "plan_code", "status", "premium_jpy", "cells", "pools"],
                        "properties": {"pools": {"type": "array", "items": POOL}, "cells": {"type": "array", "items": {"type": "object"}}},
                    },
                },
                "rows": {"type": "array"},
                "ranking": {"type": "array"},
                "contract": {
                    "type": "object",
                    "description": "契約の確認: 回答、記事のアドバイス、賠償の想定(通常・最悪)、プランごとの「契約により加重された賠償責任」の免責 / the contract check",
                },
                "scenarios": {"type": "array", "minItems": 6, "maxItems": 6, "items": SCENARIO},
            },
        },
        "recommendation": {"type": "object"},
    },
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "保険見積もり比較 API",
        "version": "1.0.0",
        "description": "IT事業者向けサイバー保険・IT業務過誤・専門職業賠償の保険会社比較。サンプルデータ使用時、保険会社の数値はすべて架空です。",
    },
    "paths": {
        "/api/v1/quotes": {
            "post": {
                "operationId": "createQuote",
                "summary": "申込内容から取扱保険会社の見積もりを比較する",
                "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Applicant"}}}},
                "responses": {
                    "201": {"description": "比較結果", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Quote"}}}},
                    "400": _error("JSONとして読めない"),
                    "413": _error("大きすぎる"),
                    "415": _error("JSONではない"),
                    "422": _error("項目の誤り(fieldsに項目名)"),
                    "429": _error("リクエストが多すぎる"),
                },
            }
        },
        "/api/v1/quotes/{id}": {
            "get": {
                "operationId": "getQuote",
                "summary": "保存された見積もり比較を取得する",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string", "minLength": 1, "maxLength": 64}}
                ],
                "responses": {
                    "200": {"description": "比較結果", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Quote"}}}},
                    "404": _error("見つからない"),
                    "429": _error("リクエストが多すぎる"),
                },
            }
        },
    },
    "components": {"schemas": {"Applicant": APPLICANT, "Quote": QUOTE, "Error": ERROR}},
}


def day_pattern(first: date, last: date) -> str:
    """A pattern matching exactly the days from `first` to `last` (YYYY-MM-DD), month by month."""
    months: dict[str, list[str]] = {}
    day = first
    while day <= last:
        months.setdefault(day.strftime("%Y-%m"), []).append(day.strftime("%d"))
        day += timedelta(days=1)
    return "^(" + "|".join(f"{month}-({'|'.join(days)})" for month, days in months.items()) + ")$"


def spec(today: date) -> dict[str, Any]:
    """The document as it stands today: a start of cover is any day from today to six months ahead."""
    document = copy.deepcopy(SPEC)
    start = document["components"]["schemas"]["Applicant"]["properties"]["start_date"]
    start["pattern"] = day_pattern(today, latest_start(today))
    current = document["components"]["schemas"]["Applicant"]["properties"]["current_policy"]
    current["properties"]["insurer"]["enum"] = [*(c.value for c in Carrier), OTHER]  # the carriers known now, one added included
    return document
