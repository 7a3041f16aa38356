"""One definition of an applicant: the form, the API, the CLI and a client list accept and refuse alike, in the same words.

The same generated inputs (hostile ones among them: control characters, very long text, 「30,000件」, 「、」,
huge notes, negative and absurd amounts, amounts written as text) go through all four paths, which must give
the same acceptance, the same values and, field by field, the same messages.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import openpyxl
import pytest
from flask import Flask
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl.utils.exceptions import IllegalCharacterError
from werkzeug.datastructures import MultiDict

from aggregator.applicant_rules import MESSAGES_EN, english
from aggregator.applicants import ApplicantInputError, applicant_from_data
from aggregator.cli import read_request_file
from aggregator.clientlist import COLUMNS, load_client_list
from aggregator.errors import SchemaError
from aggregator.rating import CONTRACT_TYPES, INDUSTRIES, LINES
from aggregator.recommendation import priorities_from_data
from aggregator.schema import Line
from webapp.forms import QuoteForm

CONTROL = ["\x7f", "\x85", "\x9b", "\t", "\n"]  # what an .xlsx can hold too (openpyxl refuses \x00–\x08 in a cell)
COMPANY = st.one_of(
    st.sampled_from(["株式会社テスト", "  株式会社 空白  ", "ACME Corp.", " ", ""]),
    st.builds(lambda c, at: "株式会社" + c + "テスト"[:at], st.sampled_from([*CONTROL, "\x00", "\x1f"]), st.integers(0, 3)),
    st.integers(195, 205).map(lambda n: "あ" * n),
    st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=12),
)
COUNT = st.one_of(
    st.integers(-5, 40_000),
    st.sampled_from([10**15, 10**15 + 1, 10**18, -(10**12)]),
    st.sampled_from(["30,000", "30,000件", "１２", "12名", "abc", "", " ", "1.5", "-3", "0"]),
)
AMOUNT = st.one_of(
    st.integers(0, 10**10),
    st.sampled_from([-1, -(10**8), 10**15, 10**15 + 1, 10**20]),
    st.sampled_from(["1億円", "5,000万円", "500,000,000", "-5億円", "5億ドル", "abc", "", "1兆円", "9,999兆円", "30,000件"]),
)
LINES_TEXT = st.sampled_from(["cyber", "cyber、it_eo", "サイバー", "、", "、、", "火災保険", "it_eo、火災保険", "IT業務過誤"])
EMAIL = st.sampled_from(["tanaka@example.co.jp", "sato\x7f@example.co.jp", "a\n@example.jp", "x" * 250 + "@example.co.jp"])
NOTE = st.one_of(
    st.sampled_from(["", "お詫び対応を重視", "一行目\n二行目", "bell\x07", "del\x7f"]),
    st.integers(995, 1_005).map(lambda n: "要" * n),
    st.just("長" * 5_000_000),  # the 5 MB note the API once stored
)
INDUSTRY = st.sampled_from(["system_integration", "SaaS・クラウドサービス", "ｓａａｓ", "パン屋", "", " ", "業種\x7f"])
CONTRACT_TYPE = st.sampled_from(["ukeoi", "準委任", "Quasi-mandate", "請 負", "売買", ""])
INPUTS = st.fixed_dictionaries(
    {
        "industry": INDUSTRY,
        "contract_type": CONTRACT_TYPE,
        "company": COMPANY,
        "records_held": COUNT,
        "employees": COUNT,
        "annual_revenue_jpy": AMOUNT,
        "largest_contract_jpy": AMOUNT,
        "lines": LINES_TEXT,
        "contact_email": EMAIL,
        "note": NOTE,
    }
)
FIXED = {
    "servers": 10,
    "incidents_3y": 0,
    "limit_jpy": 100_000_000,
    "deductible_jpy": 100_000,
}
HEADERS = {c.key: c.header for c in COLUMNS if c.unit == "円"}
FORM_NAMES = {"annual_revenue": "annual_revenue_jpy", "largest_contract": "largest_contract_jpy", "note": "priorities.note"}
Outcome = tuple[str, Any]  # ("accepted", values) or ("refused", {field: message})


def _values(applicant: Any) -> dict[str, Any]:
    return {
        "company": applicant.company,
        "contact_email": applicant.contact_email,
        "records_held": applicant.records_held,
        "employees": applicant.employees,
        "annual_revenue_jpy": applicant.annual_revenue_jpy,
        "largest_contract_jpy": applicant.largest_contract_jpy,
        "lines": frozenset(applicant.lines),
        "industry": applicant.industry,
        "contract_type": applicant.contract_type,
    }


def _refused(errors: list[tuple[str, str]]) -> Outcome:
    found: dict[str, str] = {}
    for name, reason in errors:
        found.setdefault(name, reason)
    return "refused", found


def _json_body(given: dict[str, Any], *, lines_as_list: bool) -> dict[str, Any]:
    body = {**FIXED, **{k: v for k, v in given.items() if k != "note"}}
    if lines_as_list:
        body["lines"] = given["lines"].split("、")
    body["priorities"] = {"note": given["note"]}
    return body


def through_api_json(given: dict[str, Any]) -> Outcome:
    """What POST /api/v1/quotes does with the body (its handler's readers, without rating)."""
    body = json.loads(json.dumps(_json_body(given, lines_as_list=False), ensure_ascii=False))
    priorities = body.pop("priorities")
    errors: list[tuple[str, str]] = []
    applicant = None
    try:
        applicant = applicant_from_data(body)
    except ApplicantInputError as exc:
        errors += [(e.field, e.reason) for e in exc.errors]
    try:
        priorities_from_data(priorities)
    except SchemaError as exc:
        errors.append((exc.field, exc.reason))
    if errors:
        return _refused(errors)
    return "accepted", _values(applicant)


def through_api(client: Any, given: dict[str, Any]) -> Outcome:
    response = client.post("/api/v1/quotes", json={**_json_body(given, lines_as_list=False), "consent": True})
    if response.status_code == 201:
        return "accepted", None
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    return _refused([(f["field"], f["reason"]) for f in response.get_json()["error"]["fields"]])


def through_cli(given: dict[str, Any], tmp: Path) -> Outcome:
    path = tmp / "applicant.json"
    path.write_text(json.dumps(_json_body(given, lines_as_list=True), ensure_ascii=False), encoding="utf-8")
    try:
        applicant, _priorities, _assumptions, _current = read_request_file(path)
    except click.ClickException as exc:
        lines = exc.message.split("\n")[1:]
        return _refused([tuple(line.strip().split(" (入力値: ")[0].split(": ", 1)) for line in lines])  # type: ignore[misc]
    return "accepted", _values(applicant)


def through_form(app: Flask, given: dict[str, Any]) -> Outcome:
    data = {
        "company": given["company"],
        "contact_email": given["contact_email"],
        "industry": given["industry"],
        "annual_revenue": str(given["annual_revenue_jpy"]),
        "revenue_unit": "yen",
        "employees": str(given["employees"]),
        "records_held": str(given["records_held"]),
        "servers": str(FIXED["servers"]),
        "largest_contract": str(given["largest_contract_jpy"]),
        "contract_type": given["contract_type"],
        "incidents_3y": "0",
        "lines": given["lines"].split("、"),
        "limit_jpy": str(FIXED["limit_jpy"]),
        "deductible_jpy": "100000",
        "priority": "broadest_cover",
        "note": given["note"],
        "consent": "y",
    }
    # the form class on the posted fields (a 5 MB note is refused as a request, 413, before the form reads it)
    with app.test_request_context("/"):
        form = QuoteForm(formdata=MultiDict([(k, v) for k, vs in data.items() for v in (vs if isinstance(vs, list) else [vs])]))
        if not form.validate():
            return _refused([(FORM_NAMES.get(name, name), str(errors[0])) for name, errors in form.errors.items()])
        return "accepted", _values(applicant_from_data(form.applicant_data()))


def through_client_list(given: dict[str, Any], tmp: Path) -> Outcome | None:
    """A one-row list (it has no note column); None when a cell holds what an .xlsx cannot (openpyxl refuses \x00–\x08)."""
    cells = {**FIXED, **given}
    keys = [
        "company",
        "industry",
        "annual_revenue_jpy",
        "employees",
        "records_held",
        "servers",
        "largest_contract_jpy",
        "contract_type",
        "incidents_3y",
        "lines",
        "limit_jpy",
        "deductible_jpy",
        "contact_email",
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append([HEADERS.get(k, next(c.header for c in COLUMNS if c.key == k)) for k in keys])
    try:
        sheet.append([cells[k] for k in keys])
    except IllegalCharacterError:
        return None
    path = tmp / "clients.xlsx"
    book.save(path)
    clients = load_client_list(path)
    if clients.errors:
        by_header = {c.header: c.key for c in COLUMNS}
        return _refused([(by_header[e.column], e.reason) for e in clients.errors])
    batch = clients.batch
    return "accepted", {
        "company": clients.companies[0],
        "contact_email": clients.emails[0],
        "records_held": int(batch.records_held[0]),
        "employees": int(batch.employees[0]),
        "annual_revenue_jpy": int(batch.annual_revenue_jpy[0]),
        "largest_contract_jpy": int(batch.largest_contract_jpy[0]),
        "lines": frozenset(line for line, on in zip(LINES, batch.lines[0].tolist(), strict=True) if on),
        "industry": INDUSTRIES[int(batch.industry[0])],
        "contract_type": CONTRACT_TYPES[int(batch.contract_type[0])],
    }


def _without_note(outcome: Outcome) -> Outcome:
    kind, found = outcome
    if kind == "refused":
        rest = {k: v for k, v in found.items() if k != "priorities.note"}
        return ("refused", rest) if rest else ("accepted", None)
    return outcome


@pytest.fixture(scope="module")
def one_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    from tests.web.conftest import make_app

    tmp = tmp_path_factory.mktemp("one")
    return make_app(f"sqlite:///{tmp / 'one.sqlite3'}", tmp, WTF_CSRF_ENABLED=False)


# The disagreements issue 16 names, each an example every run tries
HOSTILE = {
    "industry": "system_integration",
    "contract_type": "ukeoi",
    "company": "株式会社テスト",
    "records_held": "30,000件",
    "employees": 40,
    "annual_revenue_jpy": "1億円",
    "largest_contract_jpy": "5,000万円",
    "lines": "、",
    "contact_email": "tanaka@example.co.jp",
    "note": "長" * 5_000_000,
}
ABSURD = {
    "industry": "パン屋",
    "contract_type": "",
    "company": "株式会社\x85テスト",
    "records_held": 10**18,
    "employees": -1,
    "annual_revenue_jpy": -5,
    "largest_contract_jpy": 10**20,
    "lines": "火災保険",
    "contact_email": "x" * 250 + "@example.co.jp",
    "note": "",
}
WRITTEN = {
    "industry": "SaaS・クラウドサービス",
    "contract_type": "準委任",
    "company": "あ" * 201,
    "records_held": "30,000",
    "employees": "１２",
    "annual_revenue_jpy": "1億円",
    "largest_contract_jpy": "5,000万円",
    "lines": "cyber、it_eo",
    "contact_email": "tanaka@example.co.jp",
    "note": "一行目\n二行目",
}
FINE = {**WRITTEN, "company": "株式会社テスト"}


@given(INPUTS)
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@example(HOSTILE)
@example(ABSURD)
@example(WRITTEN)
@example(FINE)
def test_the_form_the_api_the_cli_and_a_client_list_agree(one_app: Flask, tmp_path: Path, given: dict[str, Any]) -> None:
    api = through_api_json(given)
    assert through_cli(given, tmp_path) == api
    assert through_form(one_app, given) == api
    listed = through_client_list(given, tmp_path)
    if listed is not None:
        assert listed == _without_note(api)


@given(INPUTS)
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@example({**HOSTILE, "note": "要" * 1_001})
@example(FINE)
def test_post_api_v1_quotes_gives_the_same_fields_and_words(one_app: Flask, given: dict[str, Any]) -> None:
    """The HTTP API itself (422 with error.fields[], or 201) against its handler's readers above."""
    kind, found = through_api_json(given)
    if len(given["note"]) > 100_000:
        given = {**given, "note": ""}  # past the API's 1 MiB body: 413 before any field is read
        kind, found = through_api_json(given)
    posted = through_api(one_app.test_client(), given)
    assert posted[0] == kind
    if kind == "refused":
        assert posted[1] == found


def test_a_list_cell_of_only_separators_is_a_row_error_naming_the_row_and_the_field(tmp_path: Path) -> None:
    given = {
        "industry": "system_integration",
        "contract_type": "ukeoi",
        "company": "株式会社テスト",
        "records_held": 1,
        "employees": 1,
        "annual_revenue_jpy": 1,
        "largest_contract_jpy": 1,
        "lines": "、",
        "contact_email": "",
        "note": "",
    }
    through_client_list(given, tmp_path)
    clients = load_client_list(tmp_path / "clients.xlsx")
    assert [(e.row, e.column, e.reason) for e in clients.errors] == [(2, "希望種目", "保険の種類を1つ以上選んでください")]
    assert clients.total_rows == 1 and len(clients.companies) == 0


def test_every_rule_message_has_its_english_in_the_pages_catalog() -> None:
    import io

    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO((Path(__file__).resolve().parents[2] / "webapp/translations/en/LC_MESSAGES/messages.po").read_bytes()))
    for ja, en in MESSAGES_EN.items():
        assert catalog.get(ja) is not None and catalog.get(ja).string == en, ja
    assert english("種目「火災保険」が一覧にありません") == "Line of insurance not in the list: 火災保険"


def test_the_openapi_document_says_an_amount_is_an_integer_or_a_string(one_app: Flask) -> None:
    spec = one_app.test_client().get("/api/v1/openapi.json").get_json()
    revenue = spec["components"]["schemas"]["Applicant"]["properties"]["annual_revenue_jpy"]
    assert [k["type"] for k in revenue["anyOf"]] == ["integer", "string"]
    assert "1億円" in revenue["anyOf"][1]["examples"]
    note = spec["components"]["schemas"]["Applicant"]["properties"]["priorities"]["properties"]["note"]
    assert note["maxLength"] == 1_000
    assert Line.CYBER.value in spec["components"]["schemas"]["Applicant"]["properties"]["lines"]["items"]["enum"]


def test_a_stored_note_from_before_the_rules_is_still_read() -> None:
    """The API stored a note with a control character before the rules; its record must still be shown."""
    with pytest.raises(SchemaError, match="ご要望に制御文字は使えません"):
        priorities_from_data({"note": "bell\x07"})
    assert priorities_from_data({"note": "bell\x07"}, stored=True).note == "bell\x07"
    with pytest.raises(SchemaError, match="1,000文字以内"):
        priorities_from_data({"note": "要" * 1_001}, stored=True)
