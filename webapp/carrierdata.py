"""Carrier data versions: an upload is validated all-or-nothing, the active set stays until a new one loads, history is kept."""

from __future__ import annotations

import shutil
import time
import uuid
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import gettext as _
from sqlalchemy import func, select

from aggregator import clock
from aggregator.bounds import build_rater
from aggregator.codes import CarrierNames
from aggregator.errors import CarrierDataError, UnclassifiedWordingError, without_paths
from aggregator.labels import carrier_name
from aggregator.money import Lang
from aggregator.schema import Carrier, CarrierData
from aggregator.taxonomy import CoverageKey
from carriers.canonical import TEMPLATE_NAME, identity
from carriers.registry import FIXTURES, REGISTRY, is_added, load_folder
from webapp import current_lang
from webapp.cache import SharedCache
from webapp.extensions import db
from webapp.models import AddedCarrier, CarrierDataset, WordingMapping
from webapp.storage import CACHE_SIZE

REFRESH_EVERY = 5.0  # seconds: how soon another web process sees a new carrier version
# An upload is validated inside its request (each file's reading is capped at 30 s): one still
# "checking" after this long lost its process, and is marked failed with its staging removed.
CHECKING_TIMEOUT = timedelta(minutes=10)
INTERRUPTED_UPLOAD = "検証の途中で処理が止まりました(サーバーの停止など)。現在の版をそのまま使います。もう一度アップロードしてください"
REVOKED = "起動時の検証を通らなかったため使用をやめ、前の版に戻しました"
# The same files and mappings load to the same data. Bounded: each upload or mapping adds a key, and
# a carrier's few newest versions are all a process goes back to.
_LOADED: SharedCache[tuple[Any, ...], CarrierData] = SharedCache(maxsize=8 * (len(REGISTRY) + 5))  # room for a few added as data


class UploadRefused(ValueError):
    """The upload itself is wrong (name, size), before any carrier validation: the name sent and the names expected."""

    def __init__(self, message: str, name: str = "", expected: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.name = name
        self.expected = expected


def base_root(app: Flask) -> Path:
    return Path(app.config["CARRIER_DATA"]) if app.config.get("CARRIER_DATA") else FIXTURES


def active_datasets() -> dict[Carrier, CarrierDataset]:
    rows = db.session.scalars(select(CarrierDataset).where(CarrierDataset.status == "active").order_by(CarrierDataset.id)).all()
    return {Carrier(row.carrier): row for row in rows}


def active_folder(app: Flask, carrier: Carrier) -> Path:
    row = active_datasets().get(carrier)
    return Path(row.folder) if row is not None else base_root(app) / carrier.value


def mappings_for(carrier: Carrier) -> dict[str, CoverageKey]:
    rows = db.session.scalars(select(WordingMapping).where(WordingMapping.carrier == carrier.value)).all()
    return {row.wording: CoverageKey(row.coverage_key) for row in rows}


def _load(carrier: Carrier, folder: Path, mappings: dict[str, CoverageKey]) -> CarrierData:
    """The carrier's files in `folder`, validated exactly as `aggregator carriers check` validates them."""
    if not folder.is_dir():
        raise CarrierDataError(f"{carrier.value}: データのフォルダがありません", file=folder.name)
    stamp = (
        carrier,
        str(folder),
        tuple(sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in folder.iterdir() if p.is_file())),
        tuple(sorted(mappings.items())),
    )
    data = _LOADED.get(stamp)
    if data is None:
        try:
            data = _LOADED[stamp] = load_folder(carrier, folder, mappings)
        except OSError as exc:  # a file that vanished or cannot be read: named, never the server's path
            name = Path(exc.filename).name if isinstance(exc.filename, str) else folder.name
            raise CarrierDataError(f"{carrier.value}: ファイルを読めません({exc.strerror or type(exc).__name__})", file=name) from exc
    return data


def _generation() -> tuple[int, int, int]:
    latest = db.session.scalar(select(func.max(CarrierDataset.id)).where(CarrierDataset.status.in_(["active", "scheduled"]))) or 0
    scheduled = db.session.scalar(select(func.count(CarrierDataset.id)).where(CarrierDataset.status == "scheduled")) or 0
    mapped = db.session.scalar(select(func.count(WordingMapping.id))) or 0
    return latest, scheduled, mapped


def install(app: Flask) -> None:
    """Load every carrier's newest good version and build the rater.

    A version that no longer passes validation (rules tightened since it was accepted, a file
    changed on disk) is never used: it is marked revoked with the reason, the newest earlier
    version that passes becomes active again, and the broker's pages say so. Only a carrier
    with no good version at all stops the start.
    """
    added = declare_added()
    _activate_due(app)
    loaded: dict[Carrier, CarrierData] = {}
    problems = []
    for carrier in [*REGISTRY, *added]:
        try:
            loaded[carrier] = _newest_good(app, carrier)
        except CarrierDataError as exc:
            if carrier in REGISTRY:  # a carrier added as data that has no good version yet is simply not quoted
                problems.append(f"{carrier.value}: {exc.describe()}")
    if not problems:
        try:
            rater = build_rater(loaded.values())
        except CarrierDataError as exc:
            problems.append(exc.describe())
    if problems:
        from webapp.config import ConfigError

        raise ConfigError("carrier data did not load: " + "; ".join(problems))
    app.extensions["carriers"] = loaded
    app.extensions["rater"] = rater
    app.extensions["comparisons"] = SharedCache(CACHE_SIZE)
    app.extensions["all_plans"] = SharedCache(CACHE_SIZE)  # every plan quoted per version, for the broker's proposal (storage.all_plans_of)
    app.extensions["fragments"] = SharedCache(CACHE_SIZE)
    app.extensions["carrier_generation"] = _generation()
    app.extensions["carrier_checked"] = time.monotonic()


def declare_added() -> list[Carrier]:
    """Every carrier a broker added from a canonical workbook, made known to this process by its stored code and names."""
    rows = db.session.scalars(select(AddedCarrier).order_by(AddedCarrier.added_at, AddedCarrier.code)).all()
    return [Carrier.declare(row.code, CarrierNames(row.name_ja, row.name_en, tuple(row.words or ()) or (row.name_ja,))) for row in rows]


def add_carrier(app: Flask, filename: str, content: bytes, by: str) -> CarrierDataset:
    """A carrier added from a canonical plan workbook (or a new version of one so added): the workbook names the
    carrier on its 会社 sheet, then its whole set is validated like any upload and becomes active only if it serves."""
    name = Path(filename.replace("\\", "/")).name
    if Path(name).suffix.lower() != ".xlsx":
        raise UploadRefused(f"標準様式のブック(.xlsx)を送ってください: {name}", name, (TEMPLATE_NAME,))
    staging = Path(app.instance_path) / "carrier_data" / "_new" / uuid.uuid4().hex
    staging.mkdir(parents=True)
    (staging / name).write_bytes(content)
    try:
        code, names = identity(staging / name)
        if code in REGISTRY:
            raise CarrierDataError(f"会社コード「{code}」は組み込みの保険会社のものです。別のコードにしてください", file=name, value=code)
    except CarrierDataError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise UploadRefused(without_paths(exc.describe()), name) from exc
    if db.session.get(AddedCarrier, code) is None:  # a new carrier is listed from its first upload, so its wording can be mapped
        db.session.add(AddedCarrier(code=code, name_ja=names.ja, name_en=names.en, words=list(names.breaks), added_by=by))
    carrier = Carrier(code) if code in Carrier else Carrier.declare(code, names)
    folder = Path(app.instance_path) / "carrier_data" / code / staging.name
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging.rename(folder)
    dataset = CarrierDataset(carrier=carrier.value, status="checking", uploaded_by=by, filename=name, folder=str(folder))
    db.session.add(dataset)
    db.session.commit()
    return validate(app, dataset, names=names)


def _newest_good(app: Flask, carrier: Carrier) -> CarrierData:
    """The active version's data, or, when it fails, the newest earlier version (then the base folder) that passes."""
    mappings = mappings_for(carrier)
    rows = db.session.scalars(
        select(CarrierDataset)
        .where(CarrierDataset.carrier == carrier.value, CarrierDataset.status.in_(["active", "superseded"]))
        .order_by(CarrierDataset.id.desc())
    ).all()
    candidates: list[CarrierDataset | None] = [*(r for r in rows if r.status == "active"), *(r for r in rows if r.status != "active")]
    last: CarrierDataError | None = None
    for row in [*candidates, None]:
        folder = Path(row.folder) if row is not None else base_root(app) / carrier.value
        try:
            data = _load(carrier, folder, mappings)
        except CarrierDataError as exc:
            last = exc
            if row is not None and row.status == "active":
                row.status, row.error = "revoked", without_paths(f"{REVOKED}。理由: {exc.describe()}")
            continue
        if row is not None and row.status != "active":
            row.status = "active"
        db.session.commit()
        return data
    db.session.commit()
    assert last is not None
    raise last


def notices() -> list[str]:
    """What the broker must know: a version withdrawn at start-up, and which version is used instead."""
    active = dict(
        db.session.execute(
            select(CarrierDataset.carrier, func.max(CarrierDataset.id))
            .where(CarrierDataset.status == "active")
            .group_by(CarrierDataset.carrier)
        ).all()
    )
    revoked = db.session.scalars(select(CarrierDataset).where(CarrierDataset.status == "revoked").order_by(CarrierDataset.id.desc())).all()
    out, seen = [], set()
    for row in revoked:
        now_used = active.get(row.carrier)
        if row.carrier in seen or (now_used is not None and now_used > row.id):
            continue
        seen.add(row.carrier)
        lang: Lang = "en" if current_lang() == "en" else "ja"
        instead = _("%(n)s番の版", n=now_used) if now_used else _("初期データ")
        out.append(
            _(
                "%(carrier)s: %(file)s をアップロードした%(n)s番の版は検証を通らないため使っていません。"
                "%(instead)sで見積もっています。理由は「保険会社データ」の履歴にあります",
                carrier=carrier_name(Carrier(row.carrier), lang),
                file=row.filename,
                n=row.id,
                instead=instead,
            )
        )
    return out


def sweep_interrupted_uploads(app: Flask) -> int:
    """Uploads left "checking" by a process that stopped: marked failed, their staging folders removed."""
    cutoff = clock.now() - CHECKING_TIMEOUT
    stuck = []
    for row in db.session.scalars(select(CarrierDataset).where(CarrierDataset.status == "checking")).all():
        started = row.uploaded_at if row.uploaded_at.tzinfo is not None else row.uploaded_at.replace(tzinfo=UTC)
        if started < cutoff:
            row.status, row.error, row.unclassified = "rejected", INTERRUPTED_UPLOAD, []
            _remove_staging(app, row)
            stuck.append(row)
    if stuck:
        db.session.commit()
    return len(stuck)


def _remove_staging(app: Flask, row: CarrierDataset) -> None:
    folder = Path(row.folder) if row.folder else None
    staging_root = (Path(app.instance_path) / "carrier_data").resolve()
    if folder is not None and staging_root in folder.resolve().parents:  # never anything outside the staging area
        shutil.rmtree(folder, ignore_errors=True)


def refresh_if_changed(app: Flask, *, force: bool = False) -> None:
    """Cheap most of the time: every few seconds, one query tells whether another process changed the data.

    A reload that fails keeps the rater already in use (and is tried again a few seconds later):
    a request is never answered with an error because carrier data changed.
    """
    if not force and time.monotonic() - app.extensions.get("carrier_checked", 0.0) < REFRESH_EVERY:
        return
    app.extensions["carrier_checked"] = time.monotonic()
    due = db.session.scalar(
        select(func.count(CarrierDataset.id)).where(CarrierDataset.status == "scheduled", CarrierDataset.effective_from <= clock.today())
    )
    if force or due or _generation() != app.extensions.get("carrier_generation"):
        try:
            install(app)
        except Exception:
            db.session.rollback()
            app.logger.exception("carrier data could not be reloaded; the versions already loaded stay in use")


def _activate_due(app: Flask) -> None:
    """A version uploaded ahead of its effective date becomes active on that date, laid on top of
    whatever is active by then, and checked again: an upload that landed meanwhile is kept."""
    due = db.session.scalars(
        select(CarrierDataset)
        .where(CarrierDataset.status == "scheduled", CarrierDataset.effective_from <= clock.today())
        .order_by(CarrierDataset.id)
    ).all()
    for row in due:
        carrier = Carrier(row.carrier)
        _restage(app, row)
        try:
            _load(carrier, Path(row.folder), mappings_for(carrier))
        except CarrierDataError as exc:
            row.status, row.error = "rejected", without_paths(f"適用日に再検証できませんでした: {exc.describe()}")
            continue
        _supersede(carrier, keep=row.id)
        row.status = "active"
    if due:
        db.session.commit()


def _restage(app: Flask, row: CarrierDataset) -> None:
    """Lay this upload on top of the carrier's files as they are active now: another upload may have landed
    since this one was staged, and its change must not be lost when this one becomes active."""
    folder = Path(row.folder)
    if is_added(Carrier(row.carrier)):
        return  # a carrier added as data is one workbook: each version is whole
    for path in active_folder(app, Carrier(row.carrier)).iterdir():
        if path.is_file() and path.name != row.filename and path.parent != folder:
            shutil.copy2(path, folder / path.name)


def _supersede(carrier: Carrier, keep: int) -> None:
    for row in db.session.scalars(
        select(CarrierDataset).where(CarrierDataset.carrier == carrier.value, CarrierDataset.status == "active")
    ).all():
        if row.id != keep:
            row.status = "superseded"


def expected_files(app: Flask, carrier: Carrier) -> list[str]:
    folder = active_folder(app, carrier)
    return sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []


def upload(app: Flask, carrier: Carrier, filename: str, content: bytes, by: str) -> CarrierDataset:
    """Stage the carrier's active files with the new one in place, validate the whole set, then switch.

    On any error the active version stays exactly as it was and the dataset row says why.
    """
    name = Path(filename.replace("\\", "/")).name
    expected = expected_files(app, carrier)
    if name not in expected:
        raise UploadRefused(
            f"「{name}」は{carrier_name(carrier)}のデータにないファイル名です。次のいずれかを同じ名前で送ってください: {'、'.join(expected)}",
            name,
            tuple(expected),
        )
    staging = Path(app.instance_path) / "carrier_data" / carrier.value / uuid.uuid4().hex
    staging.mkdir(parents=True)
    for path in active_folder(app, carrier).iterdir():
        if path.is_file():
            shutil.copy2(path, staging / path.name)
    (staging / name).write_bytes(content)
    row = CarrierDataset(carrier=carrier.value, status="checking", uploaded_by=by, filename=name, folder=str(staging))
    db.session.add(row)
    db.session.commit()  # no write lock held while the files are parsed
    return validate(app, row)


def validate(app: Flask, row: CarrierDataset, *, names: CarrierNames | None = None) -> CarrierDataset:
    """Load the staged set: activate it (or schedule it for its effective date), or record why not.

    Activation comes only after everything quoting needs was built from the set, the rater
    with every other carrier's active data included: what is marked active always serves.
    """
    carrier = Carrier(row.carrier)
    if not Path(row.folder).is_dir():
        row.status, row.error, row.unclassified = (
            "rejected",
            "アップロードされたファイルが残っていません。もう一度アップロードしてください",
            [],
        )
        db.session.commit()
        return row
    _restage(app, row)
    try:
        data = _load(carrier, Path(row.folder), mappings_for(carrier))
        others = [d for c, d in app.extensions["carriers"].items() if c != carrier]
        build_rater([*others, data])
    except UnclassifiedWordingError as exc:
        # each miss with the items it could be (narrowest first), offered on the mapping form
        misses = [[w, where, list(keys)] for (w, where), keys in zip(exc.items, exc.candidates, strict=True)]
        row.status, row.error, row.unclassified = "rejected", without_paths(exc.describe()), misses
    except CarrierDataError as exc:
        row.status, row.error, row.unclassified = "rejected", without_paths(exc.describe()), []
        _remove_staging(app, row)
    else:
        row.rate_versions = ", ".join(f"{t.line.value}:{t.version}" for t in data.rate_tables)
        row.effective_from = min(t.effective_from for t in data.rate_tables)
        row.error, row.unclassified = "", []
        if row.effective_from > clock.today():
            row.status = "scheduled"
        else:
            _supersede(carrier, keep=row.id)
            row.status = "active"
        added = db.session.get(AddedCarrier, carrier.value) if names is not None else None
        if (
            added is not None and names is not None
        ):  # an added carrier's names as its workbook now writes them, with the version that passes
            added.name_ja, added.name_en, added.words = names.ja, names.en, list(names.breaks)
            Carrier.declare(carrier.value, names)
    db.session.commit()
    if row.status in ("active", "scheduled"):
        refresh_if_changed(app, force=True)
    return row


def add_mapping(carrier: Carrier, wording: str, key: CoverageKey, by: str) -> None:
    existing = db.session.scalars(
        select(WordingMapping).where(WordingMapping.carrier == carrier.value, WordingMapping.wording == wording)
    ).first()
    if existing is None:
        db.session.add(WordingMapping(carrier=carrier.value, wording=wording, coverage_key=key.value, created_by=by))
    else:
        existing.coverage_key, existing.created_by = key.value, by


def history(carrier: Carrier) -> list[CarrierDataset]:
    return list(
        db.session.scalars(select(CarrierDataset).where(CarrierDataset.carrier == carrier.value).order_by(CarrierDataset.id.desc())).all()
    )
