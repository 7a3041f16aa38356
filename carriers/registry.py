"""The explicit registry of carrier adapters, and loading every carrier's data from a folder."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from aggregator.bounds import build_rater
from aggregator.errors import CarrierDataError
from aggregator.schema import Carrier, CarrierData
from aggregator.scope import with_scopes
from aggregator.taxonomy import CoverageKey
from carriers.aig import AigAdapter
from carriers.aioi_nissay_dowa import AioiNissayDowaAdapter
from carriers.base import CarrierAdapter
from carriers.canonical import CanonicalAdapter, identity, workbook_in
from carriers.mitsui_sumitomo import MitsuiSumitomoAdapter
from carriers.sompo_japan import SompoJapanAdapter
from carriers.tokio_marine import TokioMarineAdapter

# A carrier with a format of its own is one module and one line here; any other is added as data, from the
# canonical plan workbook (carriers/canonical.py), with no code.
BUILTIN: tuple[type[CarrierAdapter], ...] = (
    TokioMarineAdapter,
    MitsuiSumitomoAdapter,
    SompoJapanAdapter,
    AioiNissayDowaAdapter,
    AigAdapter,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "carriers"


def build_registry(adapters: tuple[type[CarrierAdapter], ...]) -> dict[Carrier, CarrierAdapter]:
    registry: dict[Carrier, CarrierAdapter] = {}
    for cls in adapters:
        adapter = cls()
        if adapter.carrier in registry:
            raise ValueError(
                f"two adapters registered for carrier {adapter.carrier!s}: {type(registry[adapter.carrier]).__name__} and {cls.__name__}"
            )
        registry[adapter.carrier] = adapter
    return registry


REGISTRY: dict[Carrier, CarrierAdapter] = build_registry(BUILTIN)


def adapter_for(carrier: Carrier | str) -> CarrierAdapter:
    """The carrier's own adapter, or the canonical workbook's for a carrier added as data."""
    try:
        known = Carrier(carrier)
    except ValueError as exc:
        raise KeyError(f"unknown carrier {carrier!r}; known: {', '.join(c.value for c in Carrier)}") from exc
    return REGISTRY.get(known) or CanonicalAdapter(known)


def is_added(carrier: Carrier) -> bool:
    """A carrier added from a canonical workbook rather than shipped with an adapter."""
    return carrier not in REGISTRY


def declare_added(folder: Path) -> Carrier:
    """The carrier a folder's canonical workbook declares, made known by its code and names."""
    code, names = identity(workbook_in(folder))
    if code in REGISTRY:
        raise CarrierDataError(
            f"会社コード「{code}」は組み込みの保険会社のものです。別のコードにしてください", file=folder.name, value=code
        )
    return Carrier.declare(code, names)


def added_folders(root: Path) -> tuple[dict[Carrier, Path], dict[str, CarrierDataError]]:
    """The folders under `root` holding a canonical workbook, by the carrier each declares; and those that cannot say."""
    found: dict[Carrier, Path] = {}
    unread: dict[str, CarrierDataError] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()) if root.is_dir() else ():
        if folder.name in REGISTRY or not any(p.suffix.lower() == ".xlsx" for p in folder.iterdir()):
            continue
        try:
            found[declare_added(folder)] = folder
        except CarrierDataError as exc:
            unread[folder.name] = exc
    return found, unread


def identify(path: Path) -> Carrier | None:
    """Which carrier's native file this is, if any one adapter claims it."""
    owners = [carrier for carrier, adapter in REGISTRY.items() if adapter.identify(path)]
    return owners[0] if len(owners) == 1 else None


def load_folder(carrier: Carrier | str, folder: Path, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
    """One carrier's files validated as a whole: what `carriers check`, an upload and the web app's start all run.

    The adapter reads and checks the files; then the rates must give premiums within bounds and a
    rater must build from them, so nothing that passes here can fail later when quoting.
    """
    carrier = Carrier(carrier)
    if not folder.is_dir():
        raise CarrierDataError(f"{carrier.value}: データのフォルダがありません", file=folder.name)
    data = with_scopes(adapter_for(carrier).load(folder, mappings))  # and the scope its words state
    build_rater([data])
    return data


def load_carrier(carrier: Carrier | str, root: Path = FIXTURES, mappings: Mapping[str, CoverageKey] | None = None) -> CarrierData:
    carrier = Carrier(carrier)
    return load_folder(carrier, root / carrier.value, mappings)


@dataclass(frozen=True)
class LoadReport:
    loaded: dict[Carrier, CarrierData]
    errors: dict[Carrier, CarrierDataError]
    unread: dict[str, CarrierDataError] = field(default_factory=dict)  # folders whose workbook names no carrier

    @property
    def clean(self) -> bool:
        return not self.errors and not self.unread and all(carrier in self.loaded for carrier in REGISTRY)


def load_all(root: Path = FIXTURES, mappings: Mapping[Carrier, Mapping[str, CoverageKey]] | None = None) -> LoadReport:
    """Every shipped carrier, then every carrier added as a canonical workbook in its own folder under `root`;
    one carrier's bad file does not stop the others loading."""
    loaded: dict[Carrier, CarrierData] = {}
    errors: dict[Carrier, CarrierDataError] = {}
    added, unread = added_folders(root)
    folders = {carrier: root / carrier.value for carrier in REGISTRY} | added
    for carrier, folder in folders.items():
        try:
            loaded[carrier] = load_folder(carrier, folder, (mappings or {}).get(carrier))
        except CarrierDataError as exc:
            errors[carrier] = exc
    return LoadReport(loaded, errors, unread)
