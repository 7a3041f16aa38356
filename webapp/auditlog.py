"""The audit log as a person reads it: actions, statuses, amounts and carriers in words, in the page's language.

Entries keep what they record as data (AuditEntry.data); an entry written before that is read from its stored
detail where its shape is known, and shown as stored otherwise. Nothing stored is rewritten.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask import url_for

from aggregator.labels import carrier_name, line_name, pick
from aggregator.money import Lang, format_yen
from aggregator.present import localized
from aggregator.schema import Carrier, Line
from aggregator.taxonomy import CoverageKey, label
from webapp import current_lang
from webapp.models import AuditEntry

ACTIONS: dict[str, tuple[str, str]] = {
    "login": ("ログイン", "Logged in"),
    "login.failed": ("ログイン失敗", "Failed login"),
    "logout": ("ログアウト", "Logged out"),
    "user.create": ("ユーザーの作成", "User created"),
    "request.requote": ("再見積もり", "Re-quoted"),
    "request.status": ("状態の変更", "Status changed"),
    "request.proposal": ("提案の記録", "Proposal recorded"),
    "request.workbook": ("比較表のダウンロード", "Workbook downloaded"),
    "bulk.upload": ("一括見積のアップロード", "Client list uploaded"),
    "bulk.retry": ("一括見積の再実行", "Bulk job run again"),
    "carrier.upload": ("保険会社データのアップロード", "Carrier data uploaded"),
    "carrier.add": ("保険会社の追加(標準様式)", "Carrier added (canonical workbook)"),
    "carrier.mapping": ("文言の対応付け", "Wording mapped"),
}
# The shapes details were written in before entries kept data (webapp/broker.py, before migration 0005).
LEGACY: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {
    "request.status": (re.compile(r"(\w+) -> (\w+)"), ("from", "to")),
    "request.requote": (re.compile(r"v(\d+) (\w+) limit=(\d+) deductible=(\d+)"), ("version", "line", "limit_jpy", "deductible_jpy")),
    "request.proposal": (re.compile(r"v(\d+) ([a-z_]+):(\S+)"), ("version", "carrier", "plan_code")),
    "request.workbook": (re.compile(r"v(\d+)"), ("version",)),
    "carrier.mapping": (re.compile(r"(.+) -> ([a-z_]+)"), ("wording", "key")),
}


@dataclass(frozen=True, slots=True)
class Described:
    action: str
    target: str
    url: str | None
    detail: str


def _data(entry: AuditEntry) -> Mapping[str, Any] | None:
    if entry.data:
        return entry.data
    legacy = LEGACY.get(entry.action)
    match = legacy[0].fullmatch(entry.detail.strip()) if legacy else None
    if legacy is None or match is None:
        return None
    return {name: int(value) if value.isdigit() else value for name, value in zip(legacy[1], match.groups(), strict=True)}


def _carrier(code: Any, lang: Lang) -> str:
    try:
        return carrier_name(Carrier(str(code)), lang)
    except ValueError:
        return str(code)


def _status(code: Any) -> str:
    from webapp.broker import status_name

    return status_name(str(code))


def _version(number: Any, lang: Lang) -> str:
    return f"version {number}" if lang == "en" else f"第{number}版"


def _detail(action: str, data: Mapping[str, Any], lang: Lang) -> str | None:
    en = lang == "en"
    if action == "request.status":
        return f"{_status(data['from'])} → {_status(data['to'])}"
    if action == "request.requote":
        line = line_name(Line(data["line"]), lang) if data.get("line") in {x.value for x in Line} else str(data.get("line"))
        limit, deductible = format_yen(int(data["limit_jpy"]), lang), format_yen(int(data["deductible_jpy"]), lang)
        terms = f"limit {limit}, deductible {deductible}" if en else f"支払限度額 {limit} / 免責金額 {deductible}"
        return f"{_version(data['version'], lang)}: {line}, {terms}" if en else f"{_version(data['version'], lang)}: {line} {terms}"
    if action == "request.proposal":
        plan = localized(str(data.get("plan_name") or data.get("plan_code", "")), str(data.get("plan_name_en", "")), lang)
        text = f"{_version(data['version'], lang)}: {_carrier(data.get('carrier'), lang)} {plan}"
        if data.get("premium_jpy") is not None:
            text += f" ({format_yen(int(data['premium_jpy']), lang)})"
        count = data.get("departures")
        if count:
            text += f" — {count} departure(s) from the wishes, each with its reason" if en else f" — ご意向と異なる点 {count}件(理由つき)"
        return text
    if action == "request.workbook":
        return _version(data["version"], lang)
    if action == "carrier.mapping":
        try:
            item = label(CoverageKey(str(data["key"])), lang)
        except ValueError:
            item = str(data["key"])
        return f"“{data['wording']}” → {item}" if en else f"「{data['wording']}」→ {item}"
    if action in ("carrier.upload", "carrier.add"):
        from webapp.broker import dataset_status

        error = f" {data['error']}" if data.get("error") else ""
        return f"{data.get('filename', '')}: {dataset_status(str(data.get('status', '')))}{error}"
    if action in ("bulk.upload", "bulk.retry"):
        return str(data.get("filename", ""))
    return None


def _target(target: str, lang: Lang, names: Mapping[str, str]) -> tuple[str, str | None]:
    kind, _, key = target.partition(":")
    en = lang == "en"
    if kind == "request" and key.isdigit():
        name = names.get(target, "")
        return (f"Request #{key} {name}" if en else f"見積依頼 #{key} {name}").strip(), url_for(
            "broker.request_detail", request_id=int(key)
        )
    if kind == "carrier":
        return _carrier(key, lang), url_for("broker.carriers") + f"#{key}"
    if kind == "bulk" and key:
        return (f"Bulk job {names.get(target, '')}" if en else f"一括見積 {names.get(target, '')}").strip(), url_for(
            "broker.bulk_job", token=key
        )
    return target, None


def target_names(entries: Sequence[AuditEntry]) -> dict[str, str]:
    """The names the log shows beside its targets: a request's company, a bulk job's file (two queries for the page)."""
    from sqlalchemy import select

    from webapp.extensions import db
    from webapp.models import BulkJob, QuoteRequest

    requests = {int(e.target.partition(":")[2]) for e in entries if e.target.startswith("request:") and e.target[8:].isdigit()}
    jobs = {e.target.partition(":")[2] for e in entries if e.target.startswith("bulk:")}
    names: dict[str, str] = {}
    if requests:
        companies = db.session.execute(select(QuoteRequest.id, QuoteRequest.company).where(QuoteRequest.id.in_(requests))).all()
        names.update({f"request:{i}": company for i, company in companies})
    if jobs:
        files = db.session.execute(select(BulkJob.token, BulkJob.filename).where(BulkJob.token.in_(jobs))).all()
        names.update({f"bulk:{token}": filename for token, filename in files})
    return names


def describe(entry: AuditEntry, names: Mapping[str, str] | None = None) -> Described:
    """One entry in words: what was done, to what (with a link where there is a page), and the details."""
    lang: Lang = "en" if current_lang() == "en" else "ja"
    action = pick(ACTIONS[entry.action], lang) if entry.action in ACTIONS else entry.action
    data = _data(entry)
    try:
        detail = _detail(entry.action, data, lang) if data is not None else None
    except (KeyError, TypeError, ValueError):  # data of a shape this reader does not know: shown as stored
        detail = None
    target, url = _target(entry.target, lang, names or {})
    return Described(action, target, url, entry.detail if detail is None else detail)
